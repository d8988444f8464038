"""`make k8s-smoke` skips cleanly without a cluster, and says what is missing when one is half set up."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from commons_hub import kubernetes as k8s

pytestmark = pytest.mark.unit

SMOKE = k8s.DEPLOY_DIR / "smoke.sh"


def run(tmp_path: Path, env: dict, tools: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """smoke.sh with PATH limited to bash's basics plus ``tools`` (name -> script body, test doubles)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name in ("bash", "dirname", "python3", "date", "cat", "sed"):
        found = shutil.which(name)
        if found:
            (bin_dir / name).symlink_to(found)
    for name, body in (tools or {}).items():
        (bin_dir / name).write_text(f"#!/bin/bash\n{body}\n")
        (bin_dir / name).chmod(0o755)
    base = {"PATH": str(bin_dir), "HOME": str(tmp_path / "home")}
    return subprocess.run(
        [str(bin_dir / "bash"), str(SMOKE)], env={**base, **env}, capture_output=True, text=True, timeout=60
    )


def test_skips_without_kubectl(tmp_path):
    result = run(tmp_path, {})
    assert result.returncode == 0
    assert "k8s-smoke skipped: kubectl is not on PATH" in result.stdout


def test_skips_without_a_kubeconfig(tmp_path):
    result = run(tmp_path, {"KUBECONFIG": str(tmp_path / "missing")}, {"kubectl": "exit 0"})
    assert result.returncode == 0
    assert "k8s-smoke skipped: no kubeconfig (set KUBECONFIG" in result.stdout


def test_a_kubeconfig_without_helm_is_an_error_that_says_so(tmp_path):
    config = tmp_path / "kubeconfig"
    config.write_text("apiVersion: v1\nkind: Config\n")
    result = run(tmp_path, {"KUBECONFIG": str(config)}, {"kubectl": "exit 0"})
    assert result.returncode == 2
    assert "helm is not on PATH" in result.stderr


def test_images_must_be_named(tmp_path):
    config = tmp_path / "kubeconfig"
    config.write_text("apiVersion: v1\nkind: Config\n")
    result = run(tmp_path, {"KUBECONFIG": str(config)}, {"kubectl": "exit 0", "helm": "exit 0"})
    assert result.returncode == 2
    assert "set COMMONS_IMAGE_REGISTRY" in result.stderr


def test_an_unreachable_cluster_is_an_error(tmp_path):
    config = tmp_path / "kubeconfig"
    config.write_text("apiVersion: v1\nkind: Config\n")
    result = run(
        tmp_path,
        {"KUBECONFIG": str(config), "COMMONS_IMAGE_REGISTRY": "r.example/x"},
        {"kubectl": 'if [ "$1" = version ]; then exit 1; fi; echo ctx', "helm": "exit 0"},
    )
    assert result.returncode == 2
    assert "does not answer" in result.stderr


def test_makefile_target_runs_the_script():
    makefile = (k8s.DEPLOY_DIR.parents[1] / "Makefile").read_text()
    assert "k8s-smoke:\n\t./deploy/kubernetes/smoke.sh\n" in makefile
    assert os.access(SMOKE, os.X_OK)
