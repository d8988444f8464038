"""The user pod a real KubeSpawner (jupyterhub-kubespawner) renders from deploy/kubernetes/values.yaml.

No cluster: KubeSpawner's own tests build pods the same way (``_mock=True``, a mock user, a dummy kubeconfig).
The traits come from ``commons_hub.kubernetes.spawner_traits`` (the chart's mapping of ``singleuser``) and
``user_server_traits`` (what the commons' hub.extraConfig adds), as the hub on Kubernetes loads them.
"""

from __future__ import annotations

import asyncio
from unittest.mock import Mock

import pytest
from jupyterhub.objects import Hub, Server
from traitlets.config import Config

from commons_hub import kubernetes as k8s
from commons_hub import kubernetes_admin
from commons_hub.kubernetes_netpol import singleuser_network_policy
from commons_kernel.exceptions import ConfigurationError

pytestmark = pytest.mark.unit

DUMMY_KUBECONFIG = """\
apiVersion: v1
kind: Config
clusters: [{name: dummy, cluster: {server: "https://127.0.0.1:1"}}]
contexts: [{name: dummy, context: {cluster: dummy, user: dummy, namespace: commons}}]
current-context: dummy
users: [{name: dummy, user: {token: not-a-real-token}}]
"""


class MockUser(Mock):
    name = "analyst1"
    server = Server()

    @property
    def escaped_name(self):
        return self.name

    @property
    def url(self):
        return self.server.url


@pytest.fixture
def kubeconfig(tmp_path, monkeypatch):
    path = tmp_path / "kubeconfig"
    path.write_text(DUMMY_KUBECONFIG)
    monkeypatch.setenv("KUBECONFIG", str(path))
    return path


def hub_config(values: dict) -> Config:
    c = Config()
    traits = k8s.spawner_traits(values)
    extra = k8s.user_server_traits()
    traits["environment"] = {**traits.get("environment", {}), **extra.pop("environment")}
    traits.update(extra)
    for name, value in traits.items():
        setattr(c.KubeSpawner, name, value)
    c.KubeSpawner.namespace = "commons"
    return c


def render(values: dict, profile: str | None = None, user: str = "analyst1") -> dict:
    from kubespawner import KubeSpawner

    async def build():
        mock_user = MockUser()
        mock_user.name = user
        mock_user.id = 7
        spawner = KubeSpawner(
            config=hub_config(values),
            hub=Hub(),
            user=mock_user,
            api_token="own-token-of-" + user,
            oauth_client_id="jupyterhub-user-" + user,
            _mock=True,
        )
        if profile:
            spawner.user_options = {"profile": profile}
            await spawner.load_user_options()
        pod = await spawner.get_pod_manifest()
        return spawner.api.api_client.sanitize_for_serialization(pod)

    return asyncio.run(build())


@pytest.fixture(scope="module")
def values():
    return k8s.load_values()


@pytest.fixture
def pod(values, kubeconfig):
    return render(values)


def notebook(pod: dict) -> dict:
    (container,) = [c for c in pod["spec"]["containers"] if c["name"] == "notebook"]
    return container


def test_only_the_home_volume_is_mounted(pod):
    volumes = pod["spec"]["volumes"]
    assert [v["persistentVolumeClaim"]["claimName"] for v in volumes] == ["claim-analyst1"]
    assert all(set(v) == {"name", "persistentVolumeClaim"} for v in volumes)  # no hostPath, nfs, csi, secret...
    mounts = notebook(pod)["volumeMounts"]
    assert [m["mountPath"] for m in mounts] == ["/home/jovyan"]
    claims = {v["persistentVolumeClaim"]["claimName"] for v in volumes}
    assert not claims & {"commons-store", "commons-published"}


def test_cpu_and_memory_limits_and_guarantees(pod):
    resources = notebook(pod)["resources"]
    assert resources["limits"]["cpu"] == 1.0 and resources["limits"]["memory"] == 2 * 1024**3
    assert resources["requests"]["cpu"] == 0.25 and resources["requests"]["memory"] == 1024**3


@pytest.mark.parametrize("profile", ["standard", "large"])
def test_each_profile_sets_its_limits(values, kubeconfig, profile):
    (chosen,) = [p for p in values["singleuser"]["profileList"] if p["slug"] == profile]
    override = chosen["kubespawner_override"]
    resources = notebook(render(values, profile))["resources"]
    assert resources["limits"]["cpu"] == float(override["cpu_limit"])
    assert resources["requests"]["cpu"] == float(override["cpu_guarantee"])
    giga = int(override["mem_limit"].rstrip("G")) * 1024**3
    assert resources["limits"]["memory"] == giga
    assert resources["requests"]["memory"] == int(override["mem_guarantee"].rstrip("G")) * 1024**3


def test_every_profile_has_limits(values):
    for profile in values["singleuser"]["profileList"]:
        override = profile["kubespawner_override"]
        assert {"cpu_limit", "cpu_guarantee", "mem_limit", "mem_guarantee"} <= set(override), profile["slug"]


def test_labels_the_network_policies_select(pod, values):
    labels = pod["metadata"]["labels"]
    user_policy = singleuser_network_policy(values)
    assert user_policy["spec"]["podSelector"]["matchLabels"].items() <= labels.items()
    assert labels[k8s.DATA_API_ACCESS_LABEL] == "true"  # admitted by the data-api's NetworkPolicy
    assert labels["hub.jupyter.org/network-access-hub"] == "true"  # admitted by the chart's hub NetworkPolicy


def test_data_api_access_label_matches_the_data_api_policy(pod):
    from commons_hub.kubernetes_manifests import load_objects

    policies = [
        doc
        for doc, _ in load_objects(k8s.MANIFESTS_DIR / "networkpolicies.yaml")
        if doc["metadata"]["name"] == "commons-data-api"
    ]
    (policy,) = policies
    peers = [peer for rule in policy["spec"]["ingress"] for peer in rule["from"]]
    selectors = [peer["podSelector"]["matchLabels"] for peer in peers]
    assert any(selector.items() <= pod["metadata"]["labels"].items() for selector in selectors)


def test_environment_points_at_the_data_api_service(pod):
    env = {e["name"]: e.get("value") for e in notebook(pod)["env"]}
    assert env["COMMONS_DATA_API_URL"] == "http://commons-data-api:10101/services/data-api/"
    name, port = k8s.SERVICES["data-api"]
    assert env["COMMONS_DATA_API_URL"].startswith(f"http://{name}:{port}/")


def test_no_storage_credentials_or_other_tokens(pod):
    env = {e["name"]: e.get("value") for e in notebook(pod)["env"]}
    assert not [name for name in env if k8s.FORBIDDEN_ENV.match(name)]
    assert not [e for e in notebook(pod)["env"] if "valueFrom" in e]  # nothing pulled from a Secret
    tokens = {value for name, value in env.items() if "TOKEN" in name}
    assert tokens == {"own-token-of-analyst1"}  # the person's own token, nothing else
    assert "envFrom" not in notebook(pod)


def test_jupyter_server_mcp_stays_off(pod):
    args = notebook(pod)["args"]
    assert args[0] == "jupyterhub-singleuser"
    assert "--ServerApp.jpserver_extensions=jupyter_server_mcp=False" in args
    assert "--ContentsManager.files_handler_class=commons_hub.safe_setting_handlers.DownloadsOffHandler" in args


def test_cloud_metadata_blocked_by_an_init_container(pod):
    (init,) = pod["spec"]["initContainers"]
    assert init["name"] == "block-cloud-metadata"
    assert "169.254.169.254" in init["command"] and init["command"][-1] == "DROP"


def test_no_privilege_escalation_and_no_service_account_token(pod):
    assert notebook(pod)["securityContext"]["allowPrivilegeEscalation"] is False
    assert notebook(pod)["securityContext"]["runAsUser"] == 1000
    assert pod["spec"]["automountServiceAccountToken"] is False


def test_a_credential_in_extra_env_is_refused(values):
    bad = {"AWS_SECRET_ACCESS_KEY": "x", "COMMONS_DB_URL": "postgresql://u:p@db/commons", "HF_HUB_OFFLINE": "1"}
    with pytest.raises(ConfigurationError, match="AWS_SECRET_ACCESS_KEY, COMMONS_DB_URL"):
        k8s.check_user_pod_environment(bad)


def test_a_data_volume_in_the_values_would_be_seen(values, kubeconfig):
    """The volume test can fail: a values file that mounts the store is rendered with it."""
    leaky = {
        **values,
        "singleuser": {
            **values["singleuser"],
            "storage": {
                **values["singleuser"]["storage"],
                "extraVolumes": [{"name": "store", "persistentVolumeClaim": {"claimName": "commons-store"}}],
                "extraVolumeMounts": [{"name": "store", "mountPath": "/var/lib/commons"}],
            },
        },
    }
    claims = {v["persistentVolumeClaim"]["claimName"] for v in render(leaky)["spec"]["volumes"]}
    assert "commons-store" in claims


def test_install_on_kubernetes_sets_the_spawner(monkeypatch, tmp_path):
    monkeypatch.setenv("COMMONS_DEMO_ACCOUNTS", "false")
    monkeypatch.setenv("COMMONS_HOME", str(tmp_path))
    monkeypatch.setenv("COMMONS_PUBLIC_URL", "https://commons.example.org")
    for name in ("COMMONS_OIDC_ISSUER", "COMMONS_DATA_API_URL"):
        monkeypatch.delenv(name, raising=False)
    c = Config()
    c.KubeSpawner.environment = {"HF_HUB_OFFLINE": "1"}
    k8s.install_on_kubernetes(c)
    assert c.KubeSpawner.environment["COMMONS_DATA_API_URL"] == k8s.data_api_url()
    assert c.KubeSpawner.environment["COMMONS_HUB_URL"] == "https://commons.example.org"
    assert "--ServerApp.jpserver_extensions=jupyter_server_mcp=False" in c.KubeSpawner.args
    assert c.KubeSpawner.server_token_scopes[-2:] == [
        "access:services!service=data-api",
        "access:services!service=dask-gateway",
    ]
    assert c.KubeSpawner.environment["DASK_GATEWAY__ADDRESS"] == f"http://{k8s.DASK_GATEWAY_HOST}/services/dask-gateway"
    assert (
        c.KubeSpawner.environment["DASK_GATEWAY__PUBLIC_ADDRESS"] == "https://commons.example.org/services/dask-gateway"
    )
    assert c.JupyterHub.authenticator_class == "commons_hub.authenticators.CommonsNativeAuthenticator"


def test_install_on_kubernetes_refuses_credentials_in_user_pods(monkeypatch, tmp_path):
    monkeypatch.setenv("COMMONS_HOME", str(tmp_path))
    c = Config()
    c.KubeSpawner.environment = {"AWS_ACCESS_KEY_ID": "AKIA..."}
    with pytest.raises(ConfigurationError, match="AWS_ACCESS_KEY_ID"):
        k8s.install_on_kubernetes(c)


def test_home_is_populated_as_the_person_and_the_safe_setting_is_on_the_config_path(pod):
    container = notebook(pod)
    command = container["lifecycle"]["postStart"]["exec"]["command"]
    assert command[:2] == ["python", "-c"] and "populate_home" in command[2]
    compile(command[2], "postStart", "exec")
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["JUPYTER_CONFIG_PATH"] == "/opt/commons/user-server-config"


def test_first_admin_account_is_approved_and_made_once(tmp_path, capsys):
    from jupyterhub import orm
    from nativeauthenticator.orm import UserInfo

    url = f"sqlite:///{tmp_path / 'jupyterhub.sqlite'}"
    assert kubernetes_admin.main(["first-admin", "--hub-db-url", url]) == 0
    password = capsys.readouterr().out.split("\n")[0].split(": ", 1)[1]
    session = orm.new_session_factory(url)()
    row = UserInfo.find(session, "admin")
    assert row.is_authorized and row.is_valid_password(password) and not row.is_valid_password("wrong")
    session.close()
    assert kubernetes_admin.main(["first-admin", "--hub-db-url", url]) == 1
    assert "exists and is approved already" in capsys.readouterr().err
