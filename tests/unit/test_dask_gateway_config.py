"""The Dask Gateway service's configuration: the hub entry and kernel hook, and the Kubernetes backend's values."""

from __future__ import annotations

from pathlib import Path

import yaml
from traitlets.config import Config

from commons_hub.install import Context
from commons_hub.isolation import ROOT_SERVICES, wall_in_service
from commons_hub.services.dask_gateway import hub as gateway_hub

ROOT = Path(__file__).resolve().parents[2]
VALUES = ROOT / "deploy" / "kubernetes" / "dask-gateway-values.yaml"


def context(tmp_path) -> Context:
    return Context(
        home=tmp_path,
        bind_ip="127.0.0.1",
        public_url="http://127.0.0.1:8000",
        python="python",
        env={"COMMONS_HOME": str(tmp_path)},
    )


def test_service_is_on_loopback_with_a_least_scope_role_for_members(tmp_path):
    spec = gateway_hub.configure(context(tmp_path), {})
    service, role = spec["service"], spec["role"]
    assert service["name"] == "dask-gateway" and service["url"].startswith("http://127.0.0.1:")
    assert service["environment"]["COMMONS_DATA_API_URL"].startswith("http://127.0.0.1:")
    assert "api_token" not in service  # the hub makes its token; it holds no other
    assert role["scopes"] == ["access:services!service=dask-gateway"] and role["groups"] == ["members"]
    assert "dask-gateway" in ROOT_SERVICES
    assert wall_in_service(service, walls=object()) is service  # root: it starts people's workers as them


def test_kernels_get_the_address_and_a_token_that_may_use_it(tmp_path):
    c = Config()
    c.Spawner.server_token_scopes = ["access:services!service=data-api"]
    c.Spawner.environment = {"COMMONS_HUB_URL": "http://127.0.0.1:8000"}
    ctx = context(tmp_path)
    gateway_hub.configure(ctx, {})
    gateway_hub.user_server_hook(c, ctx)
    assert c.Spawner.server_token_scopes == ["access:services!service=data-api", "access:services!service=dask-gateway"]
    env = c.Spawner.environment
    assert env["DASK_GATEWAY__ADDRESS"] == ctx.urls["COMMONS_DASK_GATEWAY_PORT"] + "/services/dask-gateway"
    assert env["DASK_GATEWAY__PROXY_ADDRESS"].startswith("gateway://127.0.0.1:")
    assert env["DASK_GATEWAY__PUBLIC_ADDRESS"] == "http://127.0.0.1:8000/services/dask-gateway"  # behind login
    assert env["DASK_GATEWAY__AUTH__TYPE"] == "jupyterhub"


def test_kubernetes_values_keep_workers_away_from_the_store():
    from kubernetes.client import V1PodSpec

    values = yaml.safe_load(VALUES.read_text())
    gateway = values["gateway"]
    assert gateway["prefix"] == gateway_hub.PREFIX and gateway["auth"]["type"] == "jupyterhub"
    assert values["traefik"]["service"]["type"] == "ClusterIP"
    pod_fields = set(V1PodSpec.attribute_map.values())
    for role in ("scheduler", "worker"):
        pod = gateway["backend"][role]["extraPodConfig"]
        assert set(pod) <= pod_fields, f"{role}: not pod spec fields: {set(pod) - pod_fields}"
        assert pod["automountServiceAccountToken"] is False and pod["securityContext"]["runAsNonRoot"] is True
        assert "volumes" not in pod
    assert set(gateway["backend"]["environment"]) == {"COMMONS_DATA_API_URL"}  # no credentials of any store
    extra = gateway["extraConfig"]["commons"]
    compile(extra, "extraConfig.commons", "exec")
    assert '"lcr-data-commons/network-access-data-api": "true"' in extra
    assert "CommonsHubAuthenticator" in extra and "cluster_options()" in extra
