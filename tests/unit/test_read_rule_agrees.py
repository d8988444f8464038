"""``describe`` and ``read`` ask one read rule, so they agree: every demo person (and a signed-in non-member) x
an open, a community and a restricted dataset x no project, their project, someone else's project and one that
does not exist x no purpose and a real one, through the real data-api app (no hub: tokens map to people)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pyarrow as pa
import pytest
from tornado.testing import AsyncHTTPTestCase

from commons_hub.governance.projects import create_project
from commons_hub.install import DEMO_USERS
from commons_hub.services.data_api.state import ServiceState
from tests.unit import test_data_api_walls as walls

pytestmark = pytest.mark.unit

PREFIX = "/services/data-api/"
CATALOG = Path(__file__).resolve().parents[2] / "catalog"
PEOPLE = {**{name: info["groups"] for name, info in DEMO_USERS.items()}, "resident": []}
DATASETS = ["imd2019_lsoa11", "synthetic_foodbank_visits", "synthetic_referrals"]  # open, community, restricted
PROJECTS = [None, "referrals-study", "other-work", "no-such-project"]
PURPOSES = [None, "weekly demand by borough for the outreach plan"]


class ReadRuleCase(walls.TableAuthApp, AsyncHTTPTestCase):
    def get_app(self):
        home = self.temporary_home()
        self.state = ServiceState(home, CATALOG, f"sqlite:///{home / 'governance.sqlite'}")
        for name in DATASETS:
            table = pa.table({"lsoa11_code": ["E01006512", "E01006513"], "count": [1, 2]})
            self.state.store.commit(self.state.store.stage(name, table, {"ingested_at": "2026-12-01"}))
        ends = date.today() + timedelta(days=90)
        create_project(
            "referrals-study",
            "Referrals",
            "Plan outreach",
            "analyst1",
            ends,
            datasets=DATASETS,
            members={"analyst1": "Demo", "steward": "Demo"},
            status="approved",
            eng=self.state.engine,
        )
        create_project(
            "other-work",
            "Other",
            "Something else",
            "analyst2",
            ends,
            datasets=["imd2019_lsoa11"],
            members={"analyst2": "Demo", "checker": "Demo"},
            status="approved",
            eng=self.state.engine,
        )
        walls.USERS.update(
            {
                f"{name}-token": {"name": name, "kind": "user", "groups": groups, "scopes": []}
                for name, groups in PEOPLE.items()
            }
        )
        return self.serve(self.state)

    def call(self, path: str, person: str):
        return self.fetch(f"{PREFIX}{path}", headers={"Authorization": f"token {person}-token"}, raise_error=False)

    def test_describe_and_read_agree_on_every_person_dataset_project_and_purpose(self):
        disagreements, seen = [], set()
        for person in PEOPLE:
            for dataset in DATASETS:
                for project in PROJECTS:
                    for purpose in PURPOSES:
                        query = urlencode({k: v for k, v in (("project", project), ("purpose", purpose)) if v})
                        described = self.call(f"api/datasets/{dataset}?{query}", person)
                        assert described.code == 200, described.body
                        access = json.loads(described.body)["access"]
                        read = self.call(f"api/datasets/{dataset}/data?{query}", person)
                        assert read.code in (200, 403), read.body
                        why = "" if read.code == 200 else json.loads(read.body)["why"]
                        seen.add((read.code == 200, why))
                        if (access["allowed"], access.get("why", "")) != (read.code == 200, why):
                            disagreements.append(
                                (
                                    person,
                                    dataset,
                                    project,
                                    purpose,
                                    access["allowed"],
                                    access.get("why"),
                                    read.code,
                                    why,
                                )
                            )
        assert not disagreements, "\n".join(map(str, disagreements))
        # The matrix reaches every kind of answer, so the agreement above is not agreement on one answer.
        assert {why for _, why in seen} >= {
            "",
            "not-a-member",
            "not-project-member",
            "no-project-named",
            "project-does-not-list",
            "unknown-project",
            "purpose-missing",
        }
