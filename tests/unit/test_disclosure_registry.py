"""The disclosure rules come from entry points (commons_kernel/disclosure/rules.py ``load_rules``): the built-ins in
commons_kernel/disclosure/builtin.py are registered like a third party's and keep today's order whatever order the
entry points come in; a rule another package registers flags cells in ``check_output`` and
``suppress_small_counts`` and is named in their reports. Third-party rules are real entry points in a subprocess
(importlib.metadata finds a ``.dist-info`` on ``PYTHONPATH``; no monkeypatching of the registry)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from commons_kernel import plugins
from commons_kernel.disclosure import RULES, builtin

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
TODAY_S_ORDER = ["threshold", "zeros", "nk", "p-ratio", "dof", "negative", "missing"]


def test_the_built_in_rules_are_registered_as_entry_points_like_a_third_party_s():
    declared = {point.name: point.value for point in entry_points(group=plugins.DISCLOSURE_RULES)}
    constants = {"p-ratio": "P_RATIO"}
    assert declared == {
        name: f"commons_kernel.disclosure.builtin:{constants.get(name, name.upper())}" for name in TODAY_S_ORDER
    }
    for name in TODAY_S_ORDER:
        assert RULES[name] is getattr(builtin, constants.get(name, name.upper()))


def test_the_rules_run_in_today_s_order_not_the_entry_points_order():
    assert list(plugins.load(plugins.DISCLOSURE_RULES)) == sorted(TODAY_S_ORDER)  # what the loader gives
    assert list(RULES)[: len(TODAY_S_ORDER)] == TODAY_S_ORDER  # what the checks and reports use


# -- a third party's rules, in a subprocess -----------------------------------------------------------------------

PLUGIN_MODULE = """
from commons_kernel.disclosure import Rule  # a rule's module may import the package: rules load once it is whole


def odd_counts(sdc_checks, evidence, model):
    mask = evidence.interim_tables["count_table"] % 2 == 1
    return ("fail" if mask.to_numpy().any() else "pass"), "", mask


def census_counts(sdc_checks, evidence, model):
    mask = evidence.interim_tables["count_table"] >= 1000
    return ("review" if mask.to_numpy().any() else "pass"), "", mask


ODD = Rule("odd-count", "fail", "counts", lambda t: "an odd count", odd_counts, rank=15)
CENSUS = Rule("census", "review", "counts", lambda t: "a count of 1000 or more: a census?", census_counts)
NOT_A_RULE = {"name": "odd-count"}
LOOSE_END = Rule("loose-end", "fail", "contributors", lambda t: "", "NKCheck", review_as="no-such-rule")
WARN = Rule("warn", "warn", "counts", lambda t: "", odd_counts)
"""

CHECK_WITH_PLUGINS = """
import json

import pandas as pd

from commons_kernel.disclosure import RULES, check_output, suppress_small_counts

table = pd.DataFrame({"f": [12, 40, 1200], "m": [3, 25, 14]}, index=pd.Index(["a", "b", "c"], name="area"))
report = check_output(table)
suppressed, frame_report = suppress_small_counts(table.reset_index(), ["f", "m"])
print(json.dumps({
    "rules": list(RULES),
    "cells": {f"{c['row']}/{c['column']}": [c["status"], c["rules"], c["reasons"]] for c in report.to_dict()["cells"]},
    "summary": report.summary,
    "suppressed": [None if pd.isna(v) else int(v) for v in report.suppressed["m"]],
    "frame_rules": frame_report.rule_counts(),
    "frame_m": [None if pd.isna(v) else int(v) for v in suppressed["m"]],
}))
"""

LOAD_RULES = """
import commons_kernel.disclosure
"""


def install_fake_plugin(folder: Path, *entries: str) -> None:
    """A module and a .dist-info declaring ``entries`` in the disclosure rules group, as pip would install them."""
    (folder / "census_rules.py").write_text(PLUGIN_MODULE)
    dist = folder / "fake_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(f"[{plugins.DISCLOSURE_RULES}]\n" + "\n".join(entries) + "\n")


def run_python(folder: Path, code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT)]), "COMMONS_HOME": str(folder)}
    for name in ["THRESHOLD", "P_RATIO", "NK_N", "NK_K", "DOF"]:
        env.pop(f"COMMONS_DISCLOSURE_{name}", None)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], env=env, cwd=folder, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def seen(tmp_path_factory) -> dict:
    plugin = tmp_path_factory.mktemp("plugin")
    install_fake_plugin(plugin, "odd-count = census_rules:ODD", "census = census_rules:CENSUS")
    done = run_python(plugin, CHECK_WITH_PLUGINS)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_a_third_party_rule_takes_its_rank_among_the_built_ins(seen):
    assert seen["rules"] == ["threshold", "odd-count", "zeros", "nk", "p-ratio", "dof", "negative", "missing", "census"]


def test_a_third_party_rule_flags_cells_in_check_output_and_is_named_in_the_report(seen):
    cells = seen["cells"]
    assert cells["a/m"] == ["fail", ["threshold", "odd-count"], ["fewer than 10 records", "an odd count"]]
    assert cells["b/m"] == ["fail", ["odd-count"], ["an odd count"]]
    assert cells["c/f"] == ["review", ["census"], ["a count of 1000 or more: a census?"]]
    assert cells["a/f"] == cells["b/f"] == cells["c/m"] == ["pass", [], []]
    assert "flagged by threshold (1), odd-count (2), census (1)" in seen["summary"]
    assert seen["suppressed"] == [None, None, 14]  # its failing cells are blank like the built-ins'


def test_a_third_party_rule_applies_to_suppress_small_counts_too(seen):
    assert seen["frame_rules"] == {"threshold": 1, "odd-count": 2, "census": 1}
    assert seen["frame_m"] == [None, None, 14]


@pytest.mark.parametrize(
    ("entry", "taught"),
    [
        ("odd = census_rules:ODD", "entry point 'odd' names the rule 'odd-count'"),
        ("odd-count = census_rules:NOT_A_RULE", "entry point 'odd-count' names a dict, not a Rule"),
        ("loose-end = census_rules:LOOSE_END", "'loose-end' has review_as='no-such-rule', which is not an installed"),
        ("warn = census_rules:WARN", "entry point 'warn': rule 'warn': status must be 'fail' or 'review'"),
    ],
)
def test_a_malformed_rule_entry_point_is_an_error_that_names_it(tmp_path, entry, taught):
    install_fake_plugin(tmp_path, entry)
    done = run_python(tmp_path, LOAD_RULES)
    assert done.returncode != 0
    assert "PluginError" in done.stderr and taught in done.stderr
