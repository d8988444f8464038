"""The commons on Kubernetes: Zero to JupyterHub values -> KubeSpawner traits, and the hub's extra configuration.

On one machine ``install(c)`` runs everything on loopback. On Kubernetes the Zero to JupyterHub chart (z2jh) runs
the hub and proxy, KubeSpawner starts each person's server in a pod of its own, and the commons' services are
Deployments of their own (``deploy/kubernetes/commons/``). What the commons adds to the chart's hub:

- ``spawner_traits(values)``: the chart's own mapping of the values' ``singleuser`` section to KubeSpawner traits
  (files/hub/jupyterhub_config.py of z2jh), for the keys the commons uses. Tests load the result into a real
  KubeSpawner and check the pod it would start (no data volume, limits, labels, env, no credentials);
  ``kubernetes_netpol`` computes the user pods' NetworkPolicy the chart renders from the same values.
- ``user_server_traits(data_api_url)``: what every user server gets on top, whatever the chart does: the
  extensions that stay off (jupyter_server_mcp above all), the safe setting, the token scopes that reach only the
  data-api, and the data-api's in-cluster URL.
- ``install_on_kubernetes(c)``: the hub's ``hub.extraConfig`` entry; applies the traits above and the commons'
  identity (accounts or single sign-on) to the chart's config. Services and roles come from the values
  (``hub.services``, ``hub.loadRoles``), their tokens from the Secret named by ``hub.existingSecret``; the first
  administrator's account from ``kubernetes_admin``.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import yaml

from commons_hub.services.dask_gateway import hub as gateway_hub
from commons_kernel.exceptions import ConfigurationError

DEPLOY_DIR = Path(__file__).resolve().parents[2] / "deploy" / "kubernetes"
VALUES_FILE = DEPLOY_DIR / "values.yaml"
MANIFESTS_DIR = DEPLOY_DIR / "commons"

# The commons' services as Kubernetes Services (deploy/kubernetes/commons/); the hub routes /services/NAME/ to them.
SERVICES = {
    "data-api": ("commons-data-api", 10101),
    "register": ("commons-register", 10102),
    "stories": ("commons-stories", 10103),
}
HUB_API_PORT = 8081
# The Dask Gateway chart's release beside the hub (deploy/kubernetes/dask-gateway-values.yaml): its traefik
# Service carries both the gateway's HTTP API and the schedulers' TLS traffic on port 80.
DASK_GATEWAY_HOST = "traefik-commons-dask-dask-gateway"
IMAGE_PROJECT_DIR = "/opt/commons"  # where the images (deploy/docker/) install the project
# Pods carrying this label may open connections to the data-api (its NetworkPolicy admits them, and the hub/proxy).
DATA_API_ACCESS_LABEL = "lcr-data-commons/network-access-data-api"
# Environment a user pod must never carry: store and database credentials, other identities' tokens.
FORBIDDEN_ENV = re.compile(
    r"^(AWS_|S3_|AZURE_|GOOGLE_|GCS_|COMMONS_DB_URL$|COMMONS_API_TOKEN$|COMMONS_HOME$|"
    r"PGPASSWORD$|FSSPEC_|COMMONS_S3_|COMMONS_STORE_)"
)


def data_api_url() -> str:
    """The data-api's in-cluster URL (its Service, same namespace), with its prefix."""
    name, port = SERVICES["data-api"]
    return f"http://{name}:{port}/services/data-api/"


def load_yaml_documents(path: Path) -> list[dict]:
    """Every document of a YAML file; a syntax error names the file, line and column."""
    path = Path(path)
    try:
        return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise ConfigurationError(f"{where}: not valid YAML ({exc.problem}); fix the file and run again.") from None


def load_values(path: Path = VALUES_FILE) -> dict:
    docs = load_yaml_documents(path)
    if len(docs) != 1 or not isinstance(docs[0], dict):
        raise ConfigurationError(f"{path}: Helm values must be one YAML mapping, found {len(docs)} document(s).")
    return docs[0]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def value_at(values: dict, dotted: str, default=None):
    node = values
    for key in dotted.split("."):
        if not isinstance(node, dict) or key not in node:
            return default
        node = node[key]
    return node


# (trait, key under `singleuser`), as in z2jh's files/hub/jupyterhub_config.py; None means camelCase of the trait.
_SINGLEUSER_TRAITS = (
    ("start_timeout", None),
    ("image_pull_policy", "image.pullPolicy"),
    ("events_enabled", "events"),
    ("extra_labels", None),
    ("extra_annotations", None),
    ("uid", None),
    ("fs_gid", None),
    ("service_account", "serviceAccountName"),
    ("node_selector", None),
    ("mem_limit", "memory.limit"),
    ("mem_guarantee", "memory.guarantee"),
    ("cpu_limit", "cpu.limit"),
    ("cpu_guarantee", "cpu.guarantee"),
    ("environment", "extraEnv"),
    ("profile_list", None),
    ("extra_pod_config", None),
    ("init_containers", None),
    ("extra_containers", None),
    ("lifecycle_hooks", None),
)


def spawner_traits(values: dict, release: str = "commons", chart: str = "jupyterhub") -> dict:
    """KubeSpawner traits from Helm values, as the chart's hub sets them (the subset the commons uses)."""
    singleuser = values.get("singleuser") or {}
    traits: dict = {
        "common_labels": {
            "app.kubernetes.io/name": chart,
            "app": chart,
            "app.kubernetes.io/instance": release,
            "release": release,
            "app.kubernetes.io/managed-by": "kubespawner",
        }
    }
    for trait, key in _SINGLEUSER_TRAITS:
        value = value_at(singleuser, key or _camel(trait))
        if value is not None:
            traits[trait] = value
    image = value_at(singleuser, "image.name")
    if image:
        tag = value_at(singleuser, "image.tag")
        traits["image"] = f"{image}:{tag}" if tag else image
    traits["allow_privilege_escalation"] = singleuser.get("allowPrivilegeEscalation")
    if singleuser.get("cmd"):
        traits["cmd"] = singleuser["cmd"] if isinstance(singleuser["cmd"], list) else [singleuser["cmd"]]
    if singleuser.get("defaultUrl"):
        traits["default_url"] = singleuser["defaultUrl"]
    traits["volumes"], traits["volume_mounts"] = _storage(singleuser.get("storage") or {})
    metadata = singleuser.get("cloudMetadata") or {}
    if metadata.get("blockWithIptables") is True:  # the chart's init container: drop the metadata server
        traits["init_containers"] = [
            *traits.get("init_containers", []),
            {
                "name": "block-cloud-metadata",
                "image": "quay.io/jupyterhub/k8s-network-tools",
                "command": [
                    "iptables",
                    "--append",
                    "OUTPUT",
                    "--protocol",
                    "tcp",
                    "--destination",
                    metadata["ip"],
                    "--destination-port",
                    "80",
                    "--jump",
                    "DROP",
                ],
                "securityContext": {"privileged": True, "runAsUser": 0, "capabilities": {"add": ["NET_ADMIN"]}},
            },
        ]
    storage = singleuser.get("storage") or {}
    if storage.get("type", "dynamic") == "dynamic":
        dynamic = storage.get("dynamic") or {}
        traits["storage_pvc_ensure"] = True
        for trait, value in (
            ("pvc_name_template", dynamic.get("pvcNameTemplate")),
            ("storage_class", dynamic.get("storageClass")),
            ("storage_access_modes", dynamic.get("storageAccessModes")),
            ("storage_capacity", storage.get("capacity")),
        ):
            if value:
                traits[trait] = value
    return traits


def _storage(storage: dict) -> tuple[dict, dict]:
    kind = storage.get("type", "dynamic")
    volumes, mounts = {}, {}
    if kind == "dynamic":
        name = value_at(storage, "dynamic.volumeNameTemplate", "volume-{user_server}")
        volumes[name] = {"name": name, "persistentVolumeClaim": {"claimName": "{pvc_name}"}}
        mounts[name] = {
            "mountPath": storage.get("homeMountPath", "/home/jovyan"),
            "name": name,
            "subPath": value_at(storage, "dynamic.subPath"),
        }
    elif kind == "static":
        volumes["home"] = {"name": "home", "persistentVolumeClaim": {"claimName": value_at(storage, "static.pvcName")}}
        mounts["home"] = {
            "mountPath": storage.get("homeMountPath", "/home/jovyan"),
            "name": "home",
            "subPath": value_at(storage, "static.subPath", "{username}"),
        }
    elif kind != "none":
        raise ConfigurationError(f"singleuser.storage.type is {kind!r}: use dynamic, static or none.")
    for _index, volume in enumerate(_as_list(storage.get("extraVolumes"))):
        volumes[volume["name"]] = volume
    for index, mount in enumerate(_as_list(storage.get("extraVolumeMounts"))):
        mounts[f"{index}-{mount['name']}"] = mount
    return volumes, mounts


def _as_list(value) -> list:
    if not value:
        return []
    return list(value.values()) if isinstance(value, dict) else list(value)


def user_server_traits(data_api: str | None = None, public_url: str = "") -> dict:
    """What every commons user server gets on Kubernetes, on top of the chart's singleuser values."""
    from commons_hub.install import DISABLED_SERVER_EXTENSIONS, PERSONA_ARGS
    from commons_hub.safe_setting import CONFIG_DIR_NAME, server_args

    # The single-user image writes the safe setting's page_config.json there (deploy/docker/singleuser.Dockerfile);
    # first on the path, it outranks any labconfig in the person's home.
    environment = {
        "COMMONS_DATA_API_URL": data_api or data_api_url(),
        "HF_HUB_OFFLINE": "1",
        "COMMONS_CATALOG_DIR": f"{IMAGE_PROJECT_DIR}/catalog",
        "JUPYTER_CONFIG_PATH": f"{IMAGE_PROJECT_DIR}/{CONFIG_DIR_NAME}",
    }
    if public_url:
        environment["COMMONS_HUB_URL"] = public_url
    environment.update(dask_gateway_environment(public_url))
    return {
        "args": [f"--ServerApp.jpserver_extensions={name}=False" for name in DISABLED_SERVER_EXTENSIONS]
        + PERSONA_ARGS
        + server_args(),
        "server_token_scopes": [
            "users:activity!user",
            "access:servers!server",
            "access:services!service=data-api",
            gateway_hub.SCOPE,
        ],
        "environment": environment,
        "default_url": "/lab",
        # The greeting start-up file and the example notebooks into the person's home (their volume hides the
        # image's /home/jovyan), as the person, never overwriting their own edits: install.populate_home.
        "lifecycle_hooks": {
            "postStart": {
                "exec": {
                    "command": [
                        "python",
                        "-c",
                        "import os, pathlib; from commons_hub.install import populate_home; "
                        "populate_home(pathlib.Path(os.environ['HOME']))",
                    ]
                }
            }
        },
    }


def dask_gateway_environment(public_url: str = "") -> dict:
    """Where kernels find the gateway (as on one machine: services/dask_gateway/hub.py user_server_hook)."""
    environment = {
        "DASK_GATEWAY__ADDRESS": f"http://{DASK_GATEWAY_HOST}{gateway_hub.PREFIX}",
        "DASK_GATEWAY__PROXY_ADDRESS": f"gateway://{DASK_GATEWAY_HOST}:80",
        "DASK_GATEWAY__AUTH__TYPE": "jupyterhub",
    }
    if public_url:  # dashboard links go through the hub, behind its login
        environment["DASK_GATEWAY__PUBLIC_ADDRESS"] = public_url.rstrip("/") + gateway_hub.PREFIX
    return environment


def check_user_pod_environment(env: dict) -> None:
    """Raise if a user pod's environment would carry store or database credentials or another identity's token."""
    bad = sorted(name for name in env if FORBIDDEN_ENV.match(name))
    if bad:
        raise ConfigurationError(
            f"user pods must not carry store or database credentials: remove {', '.join(bad)} "
            f"from singleuser.extraEnv (kernels read data through the data-api only)."
        )


def install_on_kubernetes(c) -> None:
    """The commons' part of the hub config on Kubernetes (z2jh ``hub.extraConfig``), in place of ``install(c)``."""
    from commons_hub.identity import configure_auth
    from commons_hub.install import Context

    public_url = os.environ.get("COMMONS_PUBLIC_URL", "")
    extra = user_server_traits(os.environ.get("COMMONS_DATA_API_URL") or None, public_url)
    current = c.KubeSpawner.environment  # the chart sets it from singleuser.extraEnv (else a lazy value)
    environment = {**(dict(current) if isinstance(current, dict) else {}), **extra.pop("environment")}
    check_user_pod_environment(environment)
    c.KubeSpawner.environment = environment
    for trait, value in extra.items():
        setattr(c.KubeSpawner, trait, value)
    # The hub keeps nothing of the commons on disk here: its database is PostgreSQL (hub.db), tokens come from the
    # hub's Secret. The home only holds what the identity module may look for (no shared passwords).
    home = Path(os.environ.get("COMMONS_HOME", "/srv/jupyterhub"))
    ctx = Context(home=home, bind_ip="0.0.0.0", public_url=public_url or "http://proxy-public", python=sys.executable)
    configure_auth(c, ctx, {})
