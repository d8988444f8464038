"""The one entry-point loader: every extension point's built-ins load from the entry points pyproject.toml declares
(as a third party's would), an unknown group is refused, and a plugin that does not import is named, not skipped."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from commons_kernel import plugins

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]


def declared() -> dict[str, dict[str, str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {group: points for group, points in project["entry-points"].items() if group in plugins.GROUPS}


def test_every_extension_point_is_declared_and_loads_its_built_ins():
    groups = declared()
    assert set(groups) == set(plugins.GROUPS)
    for group, points in groups.items():
        assert set(plugins.load(group)) >= set(points), group


def test_an_unknown_group_is_refused():
    with pytest.raises(ValueError, match="unknown extension point"):
        plugins.load("lcr_data_commons.nothing")


def test_a_plugin_that_does_not_import_is_named(tmp_path):
    dist = tmp_path / "broken_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(f"[{plugins.OUTPUT_FORMATS}]\nbroken = no_such_module:FORMAT\n")
    check = (
        "from commons_kernel import plugins\n"
        "try:\n    plugins.load(plugins.OUTPUT_FORMATS)\n"
        "except plugins.PluginError as exc:\n    print(exc)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", check], env=env, capture_output=True, text=True, timeout=120)
    assert "'broken' (no_such_module:FORMAT) does not load" in out.stdout, out.stdout + out.stderr
    assert "pip show" in out.stdout
