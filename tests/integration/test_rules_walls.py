"""Rules nobody can loosen and web safety, on the real hub: a bogus Authorization header beside a signed-in
browser's cookie cannot vote; a read names only a project its caller is in; a purpose has real words; a
contributor's looser disclosure threshold is ignored; an internal error is JSON with an error id, logged and
audited."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta

import pytest

from commons_hub.governance.projects import DEMO_PROJECT
from tests.integration.governance_client import (
    FIXTURES,
    audit_entries,
    browser_session,
    good_metadata,
    post,
    unique,
    upload,
)

pytestmark = pytest.mark.integration

GOOD = (FIXTURES / "good.csv").read_bytes()
OPEN_READ = "api/datasets/imd2019_lsoa11/data"
PURPOSE = "integration test of the read rules"


def propose(hub, user: str) -> dict:
    body = {
        "kind": "project",
        "title": f"Walls study {unique('t')}",
        "purpose": "Plan outreach where referrals rise.",
        "public_benefit": "Earlier help for families.",
        "datasets": ["synthetic_referrals"],
        "members": [user],
        "end_date": (date.today() + timedelta(days=60)).isoformat(),
    }
    response = post(hub, user, "api/proposals", body)
    assert response.status_code == 201, response.text
    return response.json()


def votes_on(hub, proposal: dict) -> list[dict]:
    return hub.data_api(f"api/proposals/{proposal['id']}", user="steward").json()["votes"]


def test_a_bogus_basic_header_beside_a_signed_in_cookie_cannot_vote(hub):
    proposal = propose(hub, "analyst1")
    session = browser_session(hub, "checker2")
    page = session.get(f"{hub.url}/services/data-api/decisions", timeout=30)  # OAuth: the data-api's own cookie
    assert page.status_code == 200 and f'value="{proposal["id"]}"' in page.text
    url = f"{hub.url}/services/data-api/api/proposals/{proposal['id']}/votes"
    basic = session.post(
        url, json={"choice": "approve"}, timeout=30, headers={"Authorization": "Basic Y2hlY2tlcjI6bm90LWEtcGFzc3dvcmQ="}
    )
    assert basic.status_code == 403 and "_xsrf" in basic.json()["reason"], basic.text[:300]
    forged = session.post(
        url, json={"choice": "approve"}, timeout=30, headers={"Authorization": "token 00000000000000000000000000000000"}
    )
    assert forged.status_code == 401 and forged.json()["error"] == "not-authenticated", forged.text[:300]
    assert votes_on(hub, proposal) == []
    # the same person with a real API token votes: the check is about how a request is authenticated
    assert post(hub, "checker2", f"api/proposals/{proposal['id']}/votes", {"choice": "approve"}).status_code == 201


def test_the_proposer_cannot_vote_on_their_own_proposal(hub):
    proposal = propose(hub, "analyst2")
    own = post(hub, "analyst2", f"api/proposals/{proposal['id']}/votes", {"choice": "approve"})
    assert own.status_code == 403 and "analyst2 proposed proposal" in own.json()["reason"]
    assert votes_on(hub, proposal) == []
    denied = [e for e in audit_entries(hub) if e["action"] == "deny" and e["project"] == proposal["project"]]
    assert denied and denied[-1]["actor"] == "analyst2" and json.loads(denied[-1]["detail"])["attempted"] == "vote"


def test_reading_in_the_name_of_a_project_you_are_not_in_is_refused_and_audited(hub):
    refused = hub.data_api(OPEN_READ, user="analyst2", params={"project": DEMO_PROJECT, "purpose": PURPOSE})
    assert refused.status_code == 403
    assert f"analyst2 is not a member of project '{DEMO_PROJECT}'" in refused.json()["reason"]
    entry = [e for e in audit_entries(hub) if e["actor"] == "analyst2" and e["project"] == DEMO_PROJECT][-1]
    assert (entry["action"], entry["outcome"]) == ("deny", "denied")
    assert json.loads(entry["detail"])["rule"] == "project-member"
    assert hub.data_api(OPEN_READ, user="analyst2", params={"purpose": PURPOSE}).status_code == 200
    assert (
        hub.data_api(OPEN_READ, user="analyst1", params={"project": DEMO_PROJECT, "purpose": PURPOSE}).status_code
        == 200
    )


@pytest.mark.parametrize("purpose", [".", "\u200b", "test"])
def test_a_purpose_without_real_words_is_refused(hub, purpose):
    refused = hub.data_api(OPEN_READ, user="analyst1", params={"purpose": purpose})
    assert refused.status_code == 403
    assert "at least 3 words" in refused.json()["reason"]
    entry = [e for e in audit_entries(hub) if e["actor"] == "analyst1" and e["action"] == "deny"][-1]
    assert entry["purpose"] == purpose and json.loads(entry["detail"])["rule"] == "purpose"


def test_a_contributors_looser_threshold_does_not_publish_small_counts(hub):
    name = unique("walls_visits")
    small = b"ward22_code,month,visits\nE05000910,2022-01,1\nE05000911,2022-01,6\nE05000912,2022-02,18\n"
    response = upload(hub, "analyst1", small, "visits.csv", good_metadata(name, disclosure={"threshold": 1}))
    assert response.status_code == 422, response.text[:500]
    report = response.json()["report"]
    assert [e["line"] for e in report["errors"] if e["code"] == "small-cell"] == [2, 3]
    assert any(
        w["message"] == "requested threshold 1: looser than the commons' 10, ignored" for w in report["warnings"]
    )


def test_an_internal_error_is_json_with_an_error_id_logged_and_audited(hub):
    name = unique("walls_broken")
    record = upload(hub, "analyst1", GOOD, "good.csv", good_metadata(name, disclosure={"threshold": 1}))
    assert record.status_code == 201, record.text[:500]
    assert [r["verdict"] for r in record.json()["disclosure_request"]] == ["looser"]
    approved = post(hub, "steward", f"api/contributions/{record.json()['id']}/approve", {"reason": "checked"})
    assert approved.status_code == 200, approved.text
    folder = hub.home / "datasets" / name
    manifest = json.loads((folder / "manifest.json").read_text())
    latest = manifest["versions"][-1]
    broken = b"PAR1 this is not a parquet file"
    (folder / latest["file"]).write_bytes(broken)  # bytes the manifest lists (the integrity check passes) that
    latest["sha256"] = hashlib.sha256(broken).hexdigest()  # are no Parquet file: an internal error, not a denial
    latest.pop("arrow_sha256", None)  # served from the Parquet file itself
    (folder / "manifest.json").write_text(json.dumps(manifest))  # in place: the service account's file still
    failed = hub.data_api(f"api/datasets/{name}/data", user="analyst2", params={"format": "csv", "purpose": PURPOSE})
    assert failed.status_code == 500 and failed.headers["Content-Type"].startswith("application/json")
    body = failed.json()
    assert body["error"] == "internal-error" and body["error_id"] in body["reason"]
    entry = [e for e in audit_entries(hub) if e["dataset"] == name][-1]
    assert (entry["action"], entry["outcome"], entry["actor"]) == ("deny", "error", "analyst2")
    assert json.loads(entry["detail"])["error_id"] == body["error_id"]
    assert body["error_id"] in hub.log_tail(400)
