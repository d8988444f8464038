"""deploy/kubernetes/commons/: every manifest parses and validates strictly against the kubernetes client's models,
and the services are walled in (store volume only in the data-api, non-root, read-only root, tokens from Secrets,
NetworkPolicies that admit only what must connect)."""

from __future__ import annotations

import json

import pytest

from commons_hub import kubernetes as k8s
from commons_hub.kubernetes_manifests import check_folder, check_manifest_file, load_objects, main
from commons_kernel.exceptions import ValidationFailed

pytestmark = pytest.mark.unit

MANIFESTS = sorted(k8s.MANIFESTS_DIR.glob("*.yaml"))
SECRET_LIKE = ("TOKEN", "PASSWORD", "SECRET", "DB_URL", "KEY")


def objects(kind: str | None = None) -> list[dict]:
    return [
        doc
        for path in MANIFESTS
        if path.name != "kustomization.yaml"
        for doc, _ in load_objects(path)
        if kind is None or doc["kind"] == kind
    ]


def by_name(kind: str) -> dict:
    return {doc["metadata"]["name"]: doc for doc in objects(kind)}


@pytest.mark.parametrize("path", MANIFESTS, ids=[p.name for p in MANIFESTS])
def test_manifest_validates(path):
    assert [str(p) for p in check_manifest_file(path)] == []


def test_smoke_only_manifests_validate():
    assert [str(p) for p in check_folder(k8s.DEPLOY_DIR / "smoke")] == []


def test_the_folder_is_what_kustomize_applies():
    assert check_folder(k8s.MANIFESTS_DIR) == []
    assert {doc["kind"] for doc in objects()} == {
        "Deployment",
        "Service",
        "ServiceAccount",
        "NetworkPolicy",
        "PersistentVolumeClaim",
    }


def test_cli_reports_no_problem(capsys):
    assert main([str(k8s.MANIFESTS_DIR)]) == 0
    assert "0 problem(s)" in capsys.readouterr().out


# bad inputs: one small case each ------------------------------------------------------------------------------
BAD_CASES = {
    "unknown_key.yaml": (
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec:\n  selector: {a: b}\n"
        "  ports:\n    - port: 80\n      targetPrt: 8080\n",
        r":9:7: unknown key 'targetPrt' in V1ServicePort",
    ),
    "wrong_type.yaml": (
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec:\n  ports:\n    - port: eighty\n",
        r"V1Service.*port: Input should be a valid integer",
    ),
    "missing_required.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  template: {}\n",
        r"selector",
    ),
    "no_name.yaml": ("apiVersion: v1\nkind: ServiceAccount\nmetadata: {}\n", r"metadata.name is required"),
    "unknown_kind.yaml": ("apiVersion: v1\nkind: Deploymint\nmetadata:\n  name: x\n", r":2:1: no model for"),
    "typo_deep.yaml": (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n    - name: c\n"
        "      image: i\n      securityContext:\n        readOnlyRootFileSystem: true\n",
        r":10:9: unknown key 'readOnlyRootFileSystem' in V1SecurityContext",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_CASES))
def test_bad_manifest_is_refused_with_its_place(tmp_path, name):
    text, expected = BAD_CASES[name]
    path = tmp_path / name
    path.write_text(text)
    problems = [str(p) for p in check_manifest_file(path)]
    assert problems, f"{name} was accepted"
    assert any(__import__("re").search(expected, p) for p in problems), problems
    assert all(p.startswith(str(path)) for p in problems)


def test_bad_yaml_names_line_and_column(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("apiVersion: v1\nkind: Service\nmetadata: {name: x\n")
    with pytest.raises(ValidationFailed, match=r"broken.yaml:4:1: not valid YAML"):
        check_manifest_file(path)


def test_kustomization_lists_every_manifest(tmp_path):
    (tmp_path / "kustomization.yaml").write_text("resources:\n  - a.yaml\n  - gone.yaml\n")
    (tmp_path / "a.yaml").write_text("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a}\n")
    (tmp_path / "b.yaml").write_text("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: b}\n")
    problems = [p.message for p in check_folder(tmp_path)]
    assert problems == ["resource 'gone.yaml' does not exist", "b.yaml is not listed under resources"]


# walls ---------------------------------------------------------------------------------------------------------
def pod_spec(deployment: dict) -> dict:
    return deployment["spec"]["template"]["spec"]


def claims(deployment: dict) -> dict[str, bool]:
    """{claim name: mounted read-only} for a Deployment's persistent volumes."""
    spec = pod_spec(deployment)
    volumes = {v["name"]: v["persistentVolumeClaim"] for v in spec.get("volumes", []) if "persistentVolumeClaim" in v}
    found = {}
    for container in spec["containers"]:
        for mount in container.get("volumeMounts", []):
            if mount["name"] in volumes:
                claim = volumes[mount["name"]]
                found[claim["claimName"]] = bool(mount.get("readOnly")) and bool(claim.get("readOnly"))
    return found


def test_store_volume_is_mounted_read_write_only_in_the_data_api():
    deployments = by_name("Deployment")
    assert set(deployments) == {"commons-data-api", "commons-register", "commons-stories", "commons-refresher"}
    mounted = {name: claims(d) for name, d in deployments.items()}
    assert mounted["commons-data-api"] == {"commons-store": False}
    assert mounted["commons-register"] == {"commons-store": True}  # dataset manifests, read-only
    assert mounted["commons-refresher"] == {"commons-published": False}  # writes published snapshots only
    assert mounted["commons-stories"] == {"commons-published": True}


def test_pods_sharing_a_read_write_once_volume_share_a_node():
    deployments = by_name("Deployment")
    for name, writer in (("commons-register", "commons-data-api"), ("commons-stories", "commons-refresher")):
        affinity = pod_spec(deployments[name])["affinity"]["podAffinity"]
        (term,) = affinity["requiredDuringSchedulingIgnoredDuringExecution"]
        assert term["labelSelector"]["matchLabels"] == {"app.kubernetes.io/name": writer}
        assert term["topologyKey"] == "kubernetes.io/hostname"


@pytest.mark.parametrize("name", ["commons-data-api", "commons-register", "commons-stories", "commons-refresher"])
def test_services_run_non_root_read_only_with_limits(name):
    deployment = by_name("Deployment")[name]
    spec = pod_spec(deployment)
    assert spec["securityContext"]["runAsNonRoot"] is True and spec["securityContext"]["runAsUser"] >= 10000
    assert spec["automountServiceAccountToken"] is False and spec["serviceAccountName"] == "commons-services"
    for container in spec["containers"]:
        context = container["securityContext"]
        assert context["readOnlyRootFilesystem"] is True and context["allowPrivilegeEscalation"] is False
        assert context["capabilities"]["drop"] == ["ALL"]
        assert {"cpu", "memory"} <= set(container["resources"]["limits"])
        assert {"cpu", "memory"} <= set(container["resources"]["requests"])
        assert ":latest" not in container["image"]


def test_secrets_come_from_secret_refs_only():
    for deployment in objects("Deployment"):
        for container in pod_spec(deployment)["containers"]:
            for env in container.get("env", []):
                if any(word in env["name"] for word in SECRET_LIKE):
                    assert "value" not in env and "secretKeyRef" in env["valueFrom"], env["name"]


def test_tokens_are_the_hub_secret_keys_the_chart_reads():
    deployments = by_name("Deployment")
    refs = {
        name: {
            e["name"]: e["valueFrom"]["secretKeyRef"]
            for c in pod_spec(d)["containers"]
            for e in c.get("env", [])
            if "valueFrom" in e
        }
        for name, d in deployments.items()
    }
    assert refs["commons-data-api"]["JUPYTERHUB_API_TOKEN"] == {
        "name": "commons-hub-secret",
        "key": "hub.services.data-api.apiToken",
    }
    assert refs["commons-refresher"]["JUPYTERHUB_API_TOKEN"] == {
        "name": "commons-hub-secret",
        "key": "hub.services.refresher.apiToken",
    }
    assert "JUPYTERHUB_API_TOKEN" not in refs["commons-stories"] and "COMMONS_DB_URL" not in refs["commons-stories"]
    assert "JUPYTERHUB_API_TOKEN" not in refs["commons-register"]


def test_services_select_their_pods_on_the_hub_ports():
    deployments, services = by_name("Deployment"), by_name("Service")
    for hub_name, (service_name, port) in k8s.SERVICES.items():
        service = services[service_name]
        pod_labels = deployments[service_name]["spec"]["template"]["metadata"]["labels"]
        assert service["spec"]["selector"].items() <= pod_labels.items()
        (service_port,) = service["spec"]["ports"]
        assert service_port["port"] == port
        (container,) = pod_spec(deployments[service_name])["containers"]
        assert [p["containerPort"] for p in container["ports"]] == [port]
        env = {e["name"]: e.get("value") for e in container["env"]}
        assert env["JUPYTERHUB_SERVICE_URL"] == f"http://0.0.0.0:{port}"
        assert env["JUPYTERHUB_SERVICE_PREFIX"] == f"/services/{hub_name}/"
    assert "commons-refresher" not in services


def test_every_service_pod_has_a_network_policy():
    policies = by_name("NetworkPolicy")
    for name, deployment in by_name("Deployment").items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        selecting = [p for p in policies.values() if p["spec"]["podSelector"]["matchLabels"].items() <= labels.items()]
        assert len(selecting) == 1, name
        assert selecting[0]["spec"]["policyTypes"] == ["Ingress", "Egress"]


def test_only_the_proxy_hub_and_labelled_pods_reach_the_data_api():
    policy = by_name("NetworkPolicy")["commons-data-api"]
    (rule,) = policy["spec"]["ingress"]
    assert [p["port"] for p in rule["ports"]] == [10101]
    peers = [peer["podSelector"]["matchLabels"] for peer in rule["from"]]
    assert all(set(peer) == {"podSelector"} for peer in rule["from"])  # same namespace, no IP blocks
    assert peers == [
        {k8s.DATA_API_ACCESS_LABEL: "true"},
        {"app": "jupyterhub", "component": "proxy"},
        {"app": "jupyterhub", "component": "hub"},
    ]


def test_the_data_api_is_not_reachable_by_unlabelled_pods():
    """The stories and register pods (public) do not carry the access label."""
    deployments = by_name("Deployment")
    for name in ("commons-stories", "commons-register"):
        assert k8s.DATA_API_ACCESS_LABEL not in deployments[name]["spec"]["template"]["metadata"]["labels"]
    refresher_labels = deployments["commons-refresher"]["spec"]["template"]["metadata"]["labels"]
    assert refresher_labels[k8s.DATA_API_ACCESS_LABEL] == "true"


def test_public_stories_open_no_connection():
    policy = by_name("NetworkPolicy")["commons-stories"]
    assert policy["spec"]["egress"] == []
    (rule,) = policy["spec"]["ingress"]
    assert rule["from"] == [{"podSelector": {"matchLabels": {"app": "jupyterhub", "component": "proxy"}}}]


def test_no_egress_rule_allows_any_ip_block():
    for policy in objects("NetworkPolicy"):
        for rule in policy["spec"].get("egress", []):
            assert rule["to"] and rule["ports"], policy["metadata"]["name"]
            assert not [peer for peer in rule["to"] if "ipBlock" in peer], policy["metadata"]["name"]


def test_dask_pods_reach_only_each_other_the_gateway_the_data_api_and_dns():
    policy = by_name("NetworkPolicy")["commons-dask"]
    assert policy["spec"]["podSelector"]["matchLabels"] == {"lcr-data-commons/component": "dask"}
    reached = {
        (json.dumps(peer, sort_keys=True), port["port"], port.get("endPort"))
        for rule in policy["spec"]["egress"]
        for peer in rule["to"]
        for port in rule["ports"]
    }
    peers = {
        json.loads(peer).get("podSelector", {}).get("matchLabels", {}).get(key)
        for peer, _, _ in reached
        for key in ("lcr-data-commons/component", "app.kubernetes.io/name", "k8s-app")
    }
    assert peers - {None} == {"dask", "dask-gateway", "commons-data-api", "kube-dns"}
    assert {port for _, port, _ in reached} == {8786, 8000, 10101, 53}
