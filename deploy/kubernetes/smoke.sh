#!/usr/bin/env bash
# `make k8s-smoke`: install the commons into a fresh namespace of the current cluster, wait for the hub, check
# /hub/health and the data-api's health through the proxy, then uninstall. Skips (exit 0) without a kubeconfig or
# kubectl. Needs helm and images pushed to a registry the cluster can pull from (docs/operators/kubernetes.md):
#   COMMONS_IMAGE_REGISTRY=registry.example.org/lcr-data-commons COMMONS_IMAGE_TAG=0.1.0 make k8s-smoke
set -euo pipefail
cd "$(dirname "$0")/../.."

kubeconfig="${KUBECONFIG:-$HOME/.kube/config}"
if ! command -v kubectl >/dev/null 2>&1; then
  echo "k8s-smoke skipped: kubectl is not on PATH (install kubectl and point KUBECONFIG at a cluster to run it)"
  exit 0
fi
first_config="${kubeconfig%%:*}"
if [ ! -s "$first_config" ]; then
  echo "k8s-smoke skipped: no kubeconfig (set KUBECONFIG to a cluster's kubeconfig, or create ~/.kube/config)"
  exit 0
fi
if ! command -v helm >/dev/null 2>&1; then
  echo "k8s-smoke: a kubeconfig is present but helm is not on PATH: install helm 3 (https://helm.sh/docs/intro/install/)" >&2
  exit 2
fi
if [ -z "${COMMONS_IMAGE_REGISTRY:-}" ]; then
  echo "k8s-smoke: set COMMONS_IMAGE_REGISTRY to where you pushed the hub, singleuser and services images" \
       "(docs/operators/kubernetes.md, step 1), e.g. COMMONS_IMAGE_REGISTRY=ghcr.io/your-org/lcr-data-commons" >&2
  exit 2
fi
if ! kubectl version --request-timeout=10s >/dev/null 2>&1; then
  echo "k8s-smoke: the cluster of $first_config does not answer (kubectl version failed): check the context" \
       "($(kubectl config current-context 2>/dev/null || echo none))" >&2
  exit 2
fi

tag="${COMMONS_IMAGE_TAG:-0.1.0}"
chart_version="${Z2JH_VERSION:-4.4.0}"
namespace="commons-smoke-$(date +%s)"
release=commons
port="${K8S_SMOKE_PORT:-18080}"
token() { python3 -c 'import secrets; print(secrets.token_hex(32))'; }
forward_pid=""

cleanup() {
  [ -n "$forward_pid" ] && kill "$forward_pid" 2>/dev/null || true
  echo "== uninstalling from $namespace"
  helm uninstall "$release" --namespace "$namespace" --wait --timeout 5m >/dev/null 2>&1 || true
  kubectl delete namespace "$namespace" --wait=true --timeout=5m >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "== namespace $namespace (context $(kubectl config current-context))"
kubectl create namespace "$namespace" >/dev/null
db_password="$(token)"
kubectl --namespace "$namespace" create secret generic commons-hub-secret \
  --from-literal=hub.db.password="$db_password" \
  --from-literal=hub.services.data-api.apiToken="$(token)" \
  --from-literal=hub.services.refresher.apiToken="$(token)" >/dev/null
kubectl --namespace "$namespace" create secret generic commons-store-secret \
  --from-literal=db-url="postgresql+psycopg://jupyterhub:${db_password}@commons-postgres:5432/commons" >/dev/null

echo "== PostgreSQL (smoke only) and the commons' services"
kubectl --namespace "$namespace" apply -f deploy/kubernetes/smoke/postgres.yaml >/dev/null
kubectl --namespace "$namespace" rollout status deployment/commons-postgres --timeout=5m
kubectl kustomize deploy/kubernetes/commons \
  | sed "s#registry.example.org/lcr-data-commons/services:0.1.0#${COMMONS_IMAGE_REGISTRY}/services:${tag}#" \
  | kubectl --namespace "$namespace" apply -f - >/dev/null

echo "== Zero to JupyterHub $chart_version"
helm repo add jupyterhub https://hub.jupyter.org/helm-chart/ --force-update >/dev/null
helm upgrade --install "$release" jupyterhub/jupyterhub --version "$chart_version" --namespace "$namespace" \
  --values deploy/kubernetes/values.yaml \
  --set hub.image.name="${COMMONS_IMAGE_REGISTRY}/hub" --set hub.image.tag="$tag" \
  --set singleuser.image.name="${COMMONS_IMAGE_REGISTRY}/singleuser" --set singleuser.image.tag="$tag" \
  --set proxy.service.type=ClusterIP --set prePuller.hook.enabled=false \
  --wait --timeout 10m
kubectl --namespace "$namespace" rollout status deployment/hub --timeout=5m
kubectl --namespace "$namespace" rollout status deployment/commons-data-api --timeout=5m

echo "== checks through the proxy"
kubectl --namespace "$namespace" port-forward service/proxy-public "$port:80" >/dev/null 2>&1 &
forward_pid=$!
status() { curl --silent --output /dev/null --write-out '%{http_code}' "http://127.0.0.1:$port$1" || true; }
for _ in $(seq 1 60); do [ "$(status /hub/health)" = 200 ] && break; sleep 2; done
failed=0
for path in /hub/health /services/data-api/api/health; do
  code="$(status "$path")"
  echo "GET $path -> $code"
  [ "$code" = 200 ] || failed=1
done
if [ "$failed" = 1 ]; then
  kubectl --namespace "$namespace" get pods
  kubectl --namespace "$namespace" logs deployment/hub --tail=40 || true
  kubectl --namespace "$namespace" logs deployment/commons-data-api --tail=40 || true
  echo "k8s-smoke FAILED" >&2
  exit 1
fi
echo "k8s-smoke passed"
