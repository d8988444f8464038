"""deploy/docker/: the images cannot be built here, so check what can be read: pinned base, built from
requirements/pins.txt and the project, non-root, no secret or state copied in, the paths the manifests use."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from commons_hub import kubernetes as k8s
from commons_hub.kubernetes_manifests import load_objects

pytestmark = pytest.mark.unit

DOCKER = Path(k8s.DEPLOY_DIR).parent / "docker"
IMAGES = ["hub", "singleuser", "services"]


def dockerfile(name: str) -> str:
    return (DOCKER / f"{name}.Dockerfile").read_text()


def instructions(text: str) -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n", " ", text)
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line.strip() else "")
        for line in joined.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


@pytest.mark.parametrize("name", IMAGES)
def test_pinned_base_and_pins(name):
    steps = instructions(dockerfile(name))
    (base,) = [arg for op, arg in steps if op == "FROM"]
    assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm", base)
    assert ("COPY", "requirements/pins.txt requirements/pins.txt") in steps
    runs = " ".join(arg for op, arg in steps if op == "RUN")
    assert "requirements/pins.txt" in runs and "pip install --no-deps -e ." in runs


@pytest.mark.parametrize("name", IMAGES)
def test_runs_as_a_non_root_user(name):
    users = [arg for op, arg in instructions(dockerfile(name)) if op == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert int(users[-1]) >= 1000


@pytest.mark.parametrize("name", IMAGES)
def test_no_secret_or_state_baked_in(name):
    steps = instructions(dockerfile(name))
    for op, arg in steps:
        if op in ("ENV", "ARG"):
            assert not re.search(r"TOKEN|PASSWORD|SECRET|DB_URL|AWS_", arg), arg
        if op in ("COPY", "ADD"):
            assert not re.search(r"\bvar\b|secrets\.json|\.sqlite|\.venv|^\. ", arg), arg
    ignore = (DOCKER / f"{name}.Dockerfile.dockerignore").read_text().splitlines()
    assert ignore[ignore.index("**") if "**" in ignore else 0] == "**"  # everything excluded first
    assert {"**/var", "**/secrets.json", "**/*.sqlite"} <= set(ignore)
    copied = [arg.split()[0] for op, arg in steps if op == "COPY"]
    allowed = {line[1:].split("/")[0] for line in ignore if line.startswith("!")}
    assert {path.split("/")[0] for path in copied} <= allowed


def test_service_images_match_the_manifests():
    """The services run as the users the image makes, with the commands it has."""
    text = dockerfile("services")
    for path in sorted(k8s.MANIFESTS_DIR.glob("*.yaml")):
        for doc, _ in [] if path.name == "kustomization.yaml" else load_objects(path):
            if doc["kind"] != "Deployment":
                continue
            spec = doc["spec"]["template"]["spec"]
            assert f"--uid {spec['securityContext']['runAsUser']}" in text
            (container,) = spec["containers"]
            assert container["image"].split("/")[-1].startswith("services:")
            module = container["args"][2]
            assert (Path(k8s.DEPLOY_DIR).parents[1] / "hub" / (module.replace(".", "/") + ".py")).is_file(), module


def test_singleuser_image_has_what_the_pod_expects():
    text = dockerfile("singleuser")
    traits = k8s.user_server_traits()
    assert traits["environment"]["JUPYTER_CONFIG_PATH"].endswith("user-server-config")
    assert "write_user_config(Path('/opt/commons') / CONFIG_DIR_NAME)" in text
    assert '"jupyter_server_mcp": false' in text
    assert "--uid 1000" in text and "COPY notebooks notebooks" in text
