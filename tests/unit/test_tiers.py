"""The access-tier registry (commons_kernel/tiers/): the built-in tiers load through their entry points like a third
party's, in rank order; an unknown tier teaches; and a new tier is one module and an entry point: registered by a
third-party-style distribution in a subprocess, it is accepted by the catalogue, decided by the policy (describe and
read agree, through the real data-api app), offered on the upload form and explained by the access advice."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import date
from importlib.metadata import entry_points
from pathlib import Path

import pytest
import yaml

from commons_hub.policy import Caller, decide_read
from commons_kernel import plugins, tiers
from commons_kernel.catalog import parse_metadata
from commons_kernel.exceptions import ValidationFailed
from commons_kernel.tiers import community, open, restricted  # noqa: A004 - the open tier's module

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
BUILT_IN = {"open": open, "community": community, "restricted": restricted}

EMBARGOED = '''
"""A third party's tier: readable by the commons' stewards only, until the embargo lifts."""

from types import MappingProxyType

from commons_kernel.read_decision import STEWARDS_GROUP, Decision
from commons_kernel.tiers import Tier, project_of

WAIT = "An embargo lifts on its own date: the stewards say when (ask one); until then only they may read it."


def read_rule(caller, dataset, project, today):
    if STEWARDS_GROUP in caller.groups:
        return Decision(True, "embargoed data: you are a steward.", project=project_of(project), rule="embargoed")
    return Decision(
        False,
        f"{dataset} is embargoed: only stewards may read it until the embargo lifts.",
        "Wait for the embargo to lift.",
        rule="embargoed",
        why="not-a-steward",
    )


TIER = Tier(
    name="embargoed",
    rank=40,
    label="Embargoed",
    meaning="only the commons' stewards may read it, until its embargo lifts",
    summary="embargoed data: only stewards may read it until the embargo lifts.",
    access_statement="Embargoed: only the commons' stewards may read it until its embargo lifts.",
    access_right="http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC",
    read_rule=read_rule,
    how_to_read="Wait for its embargo to lift, then read it with `ck.read('{name}')`.",
    open_licence=False,
    advice=MappingProxyType({"not-a-steward": ("wait-for-embargo", WAIT)}),
)
'''

# Run in the subprocess: the catalogue, the policy, the upload form and the advice, each as it runs in the commons.
CHECK_REGISTRY = r"""
import shutil, sys
from datetime import date
from pathlib import Path

import yaml

from commons_hub.access_advice import advise
from commons_hub.policy import Caller, decide_read_request
from commons_hub.services.data_api.upload_form import merge, tier_choices
from commons_kernel import tiers
from commons_kernel.catalog import TIERS, load_metadata
from commons_kernel.exceptions import ValidationFailed

out = Path(sys.argv[1])
assert tiers.names() == ("open", "community", "restricted", "embargoed"), tiers.names()
assert TIERS == tiers.names()

folder = out / "datasets"
folder.mkdir()
meta = yaml.safe_load((Path(sys.argv[2]) / "datasets" / "synthetic_foodbank_visits.yaml").read_text())
meta.update(name="embargoed_notes", tier="embargoed")
(folder / "embargoed_notes.yaml").write_text(yaml.safe_dump(meta))
assert load_metadata(out)["embargoed_notes"].tier == "embargoed"

steward = Caller("sam", groups=frozenset({"members", "stewards"}))
member = Caller("ana", groups=frozenset({"members"}))
ask = dict(named=None, project=None, purpose=None, today=date(2026, 12, 1))
assert decide_read_request(steward, "embargoed_notes", "embargoed", **ask).allowed
refused = decide_read_request(member, "embargoed_notes", "embargoed", **ask)
assert (refused.allowed, refused.why) == (False, "not-a-steward"), refused

assert ("embargoed", "only the commons' stewards may read it, until its embargo lifts") in tier_choices()
try:
    merge({}, "", {"name": "x"})
except ValidationFailed as exc:
    assert "embargoed: only the commons' stewards may read it" in exc.report.errors[0].fix, exc.report.errors[0]
else:
    raise AssertionError("a form without a tier was accepted")

advised = advise(refused, "ana", "embargoed_notes", "embargoed", [])
assert advised.details["advice"] == "wait-for-embargo", advised
assert advised.how_to_get_access.startswith("An embargo lifts on its own date"), advised
print("registry ok")
"""

# Run in the subprocess under unittest: describe and read of an embargoed dataset through the real data-api app.
CHECK_APP = r"""
import json, os, shutil, unittest
from pathlib import Path

import pyarrow as pa
import yaml

from commons_hub.services.data_api.state import ServiceState
from tests.unit import test_data_api_walls as walls
from tornado.testing import AsyncHTTPTestCase

PREFIX = "/services/data-api/"
PEOPLE = {"steward": ["members", "stewards"], "analyst1": ["members"], "resident": []}


class EmbargoedCase(walls.TableAuthApp, AsyncHTTPTestCase):
    def get_app(self):
        home = self.temporary_home()
        shutil.copytree(os.environ["CATALOG"], home / "catalog")
        meta = yaml.safe_load((home / "catalog" / "datasets" / "synthetic_foodbank_visits.yaml").read_text())
        meta.update(name="embargoed_notes", tier="embargoed")
        (home / "catalog" / "datasets" / "embargoed_notes.yaml").write_text(yaml.safe_dump(meta))
        self.state = ServiceState(home, home / "catalog", f"sqlite:///{home / 'governance.sqlite'}")
        table = pa.table({"lsoa11_code": ["E01006512", "E01006513"], "count": [1, 2]})
        self.state.store.commit(self.state.store.stage("embargoed_notes", table, {"ingested_at": "2026-12-01"}))
        walls.USERS.update(
            {f"{n}-token": {"name": n, "kind": "user", "groups": g, "scopes": []} for n, g in PEOPLE.items()}
        )
        return self.serve(self.state)

    def call(self, path, person):
        return self.fetch(f"{PREFIX}{path}", headers={"Authorization": f"token {person}-token"}, raise_error=False)

    def test_describe_and_read_agree_and_only_stewards_read(self):
        answers = {}
        for person in PEOPLE:
            described = self.call("api/datasets/embargoed_notes", person)
            self.assertEqual(described.code, 200, described.body)
            access = json.loads(described.body)["access"]
            read = self.call("api/datasets/embargoed_notes/data", person)
            why = "" if read.code == 200 else json.loads(read.body)["why"]
            self.assertEqual((access["allowed"], access.get("why", "")), (read.code == 200, why), person)
            answers[person] = (read.code, why)
        self.assertEqual(
            answers,
            {"steward": (200, ""), "analyst1": (403, "not-a-steward"), "resident": (403, "not-a-steward")},
        )
        refused = json.loads(self.call("api/datasets/embargoed_notes/data", "analyst1").body)
        self.assertEqual(refused["advice"], "wait-for-embargo", refused)

    def test_the_upload_form_offers_the_tier(self):
        page = self.call("contribute", "analyst1")
        self.assertEqual(page.code, 200, page.body[:300])
        self.assertIn(b'<option value="embargoed"', page.body)
        self.assertIn(b"<strong>embargoed</strong>, only the commons&#x27; stewards may read it", page.body)


if __name__ == "__main__":
    unittest.main()
"""


def third_party(tmp_path: Path, module: str, source: str, entry: str) -> dict[str, str]:
    """A distribution on sys.path, as pip would leave one: the tier's module and its dist-info with the entry point.
    Returns the environment that puts it on a subprocess's path."""
    (tmp_path / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    info = tmp_path / "fake_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-plugin\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[{plugins.ACCESS_TIERS}]\n{entry}\n", encoding="utf-8")
    path = os.pathsep.join([str(tmp_path), str(ROOT)])
    return {**os.environ, "PYTHONPATH": path, "CATALOG": str(ROOT / "catalog")}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def test_the_built_in_tiers_load_through_their_entry_points_like_a_third_partys():
    declared = {point.name: point.value for point in entry_points(group=plugins.ACCESS_TIERS)}
    assert declared == {name: f"commons_kernel.tiers.{name}:TIER" for name in BUILT_IN}
    for name, module in BUILT_IN.items():
        assert tiers.get(name) is module.TIER
        assert module.TIER.name == name


def test_the_registry_orders_the_tiers_from_the_least_guarded_to_the_most():
    assert tiers.names() == ("open", "community", "restricted")
    assert [tier.rank for tier in tiers.all()] == sorted(tier.rank for tier in tiers.all())
    assert tiers.find(tiers.DEFAULT) is open.TIER  # no tier named: checked as open data, the strictest checks


def test_an_unknown_tier_names_the_known_ones_and_the_fix():
    with pytest.raises(ValidationFailed) as raised:
        tiers.get("secret")
    message = str(raised.value)
    assert "'secret' is not a tier of the commons" in message
    assert "open, community, restricted" in message
    assert "lcr_data_commons.access_tiers" in message and "TIER = Tier(" in message
    assert tiers.find("secret") is None and tiers.find(None) is None
    refused = decide_read(Caller("ana", groups=frozenset({"members"})), "imd", "secret", today=date(2026, 12, 1))
    assert (refused.allowed, refused.why) == (False, "unknown-tier")


def test_a_catalogue_file_of_an_uninstalled_tier_is_refused_naming_the_installed_ones(tmp_path):
    meta = yaml.safe_load((ROOT / "catalog" / "datasets" / "synthetic_foodbank_visits.yaml").read_text())
    file = tmp_path / "synthetic_foodbank_visits.yaml"
    file.write_text(yaml.safe_dump({**meta, "tier": "embargoed"}), encoding="utf-8")
    with pytest.raises(ValidationFailed, match="tier 'embargoed' is not one of open, community, restricted"):
        parse_metadata(file)


def test_what_the_call_sites_ask_of_each_built_in_tier():
    """The tier-specific branches that used to name restricted are these properties of the tier."""
    asked = {
        tier.name: (
            tier.open_to_all,
            tier.needs_project,
            tier.owner_veto,
            tier.open_licence,
            tier.personal_data,
            tier.small_counts_checked,
        )
        for tier in tiers.all()
    }
    assert asked == {
        "open": (True, False, False, True, False, True),
        "community": (False, False, False, True, False, True),
        "restricted": (False, True, True, False, True, False),
    }
    assert {tier.name: tier.access_right.rsplit("/", 1)[1] for tier in tiers.all()} == {
        "open": "PUBLIC",
        "community": "RESTRICTED",
        "restricted": "NON_PUBLIC",
    }
    assert community.TIER.advice["not-a-member"][0] == "ask-a-steward"


def test_a_new_tier_is_one_module_and_an_entry_point(tmp_path):
    env = third_party(tmp_path, "embargo_tier", EMBARGOED, "embargoed = embargo_tier:TIER")
    (tmp_path / "check_registry.py").write_text(CHECK_REGISTRY, encoding="utf-8")
    out = tmp_path / "catalog"
    out.mkdir()
    done = run([str(tmp_path / "check_registry.py"), str(out), str(ROOT / "catalog")], env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "registry ok" in done.stdout


def test_a_new_tier_is_decided_alike_by_describe_and_read_and_offered_on_the_upload_form(tmp_path):
    env = third_party(tmp_path, "embargo_tier", EMBARGOED, "embargoed = embargo_tier:TIER")
    (tmp_path / "embargo_app_check.py").write_text(CHECK_APP, encoding="utf-8")
    done = run(["-W", "error::DeprecationWarning", "-m", "unittest", "-v", "embargo_app_check"], env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Ran 2 tests" in done.stderr and "OK" in done.stderr


def test_a_tier_whose_name_is_not_its_entry_points_is_refused_naming_it(tmp_path):
    env = third_party(tmp_path, "embargo_tier", EMBARGOED, "embargo = embargo_tier:TIER")
    done = run(["-c", "from commons_kernel import tiers; tiers.names()"], env)
    assert done.returncode != 0
    assert (
        "entry point 'embargo' names the tier 'embargoed': give the entry point and Tier.name the same name"
        in done.stderr
    )
