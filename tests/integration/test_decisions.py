"""Cooperative decisions on the real hub: propose → vote → the restricted read is allowed at once; membership
changes through the same vote; the CLI and the HTML vote page; every step in the audit log."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from tests.integration.governance_client import audit_entries, browser_session, cli, form_xsrf, post, unique

pytestmark = pytest.mark.integration

RESTRICTED = "api/datasets/synthetic_referrals/data"
END = (date.today() + timedelta(days=120)).isoformat()


def propose(hub, user: str, members: list[str], **changes) -> dict:
    body = {
        "kind": "project",
        "title": f"Referrals study {unique('t')}",
        "purpose": "Plan outreach.",
        "public_benefit": "Earlier help for families.",
        "datasets": ["synthetic_referrals"],
        "members": members,
        "end_date": END,
        **changes,
    }
    response = post(hub, user, "api/proposals", body)
    assert response.status_code == 201, response.text
    return response.json()


def vote(hub, user: str, proposal: dict, choice: str, comment: str = "") -> dict:
    response = post(hub, user, f"api/proposals/{proposal['id']}/votes", {"choice": choice, "comment": comment})
    assert response.status_code == 201, response.text
    return response.json()


def read_status(hub, user: str, slug: str) -> int:
    return hub.data_api(
        RESTRICTED,
        user=user,
        params={"project": slug, "columns": "lsoa11_code", "purpose": "integration test of decisions"},
    ).status_code


def test_propose_vote_then_read_is_allowed(hub):
    proposal = propose(hub, "analyst2", ["analyst2"])
    slug = proposal["project"]
    assert read_status(hub, "analyst2", slug) == 403
    vote(hub, "analyst1", proposal, "approve", "they need it for outreach")  # the proposer may not vote
    vote(hub, "checker", proposal, "abstain")
    assert read_status(hub, "analyst2", slug) == 403
    decided = vote(hub, "steward", proposal, "approve", "clear public benefit")
    assert decided["status"] == "approved"
    assert read_status(hub, "analyst2", slug) == 200
    assert read_status(hub, "checker", slug) == 403  # voted, but not a member of the project
    twice = post(hub, "steward", f"api/proposals/{proposal['id']}/votes", {"choice": "reject"})
    assert twice.status_code == 409 and "already decided" in twice.json()["reason"]
    mine = [e for e in audit_entries(hub) if e["project"] == slug]
    assert [e["action"] for e in mine if e["action"] != "deny"] == ["propose", "vote", "vote", "vote", "decide", "read"]
    decide = [e for e in mine if e["action"] == "decide"][0]
    assert json.loads(decide["detail"])["decision"] == "approved"


def test_majority_against_rejects_and_read_stays_refused(hub):
    proposal = propose(hub, "analyst1", ["analyst1"])
    vote(hub, "analyst2", proposal, "reject", "no clear benefit")
    vote(hub, "checker", proposal, "reject")
    assert vote(hub, "steward", proposal, "approve")["status"] == "rejected"
    response = hub.data_api(RESTRICTED, user="analyst1", params={"project": proposal["project"], "purpose": "test"})
    assert response.status_code == 403 and "rejected" in response.json()["reason"]


def test_membership_change_goes_to_a_vote(hub):
    proposal = propose(hub, "analyst1", ["analyst1"])
    for user in ("analyst2", "checker", "steward"):
        vote(hub, user, proposal, "approve")
    slug = proposal["project"]
    assert read_status(hub, "checker2", slug) == 403
    add = post(
        hub,
        "analyst1",
        "api/proposals",
        {"kind": "add-member", "project": slug, "username": "checker2", "reason": "joins the analysis"},
    )
    assert add.status_code == 201, add.text
    for user in ("analyst2", "checker", "steward"):
        post(hub, user, f"api/proposals/{add.json()['id']}/votes", {"choice": "approve"})
    assert read_status(hub, "checker2", slug) == 200
    remove = post(hub, "steward", "api/proposals", {"kind": "remove-member", "project": slug, "username": "checker2"})
    for user in ("analyst1", "analyst2", "admin"):  # not the proposer (steward), not checker2 (named)
        post(hub, user, f"api/proposals/{remove.json()['id']}/votes", {"choice": "approve"})
    assert read_status(hub, "checker2", slug) == 403


def test_bad_proposals_and_votes_say_what_to_do(hub):
    unknown = post(
        hub,
        "analyst1",
        "api/proposals",
        {"title": "x", "purpose": "p", "public_benefit": "b", "datasets": ["no_such"], "end_date": END},
    )
    assert unknown.status_code == 409 and "No dataset called no_such" in unknown.json()["reason"]
    past = post(
        hub,
        "analyst1",
        "api/proposals",
        {
            "title": "x",
            "purpose": "p",
            "public_benefit": "b",
            "datasets": ["synthetic_referrals"],
            "end_date": "2020-01-01",
        },
    )
    assert past.status_code == 409 and "end date must be after today" in past.json()["reason"]
    proposal = propose(hub, "analyst1", ["analyst1"])
    maybe = post(hub, "analyst2", f"api/proposals/{proposal['id']}/votes", {"choice": "maybe"})
    assert maybe.status_code == 409 and "approve, reject, abstain" in maybe.json()["reason"]
    anonymous = hub.data_api("api/proposals")
    assert anonymous.status_code == 401


def test_cli_propose_vote_and_list(hub):
    slug = unique("cli-project").replace("_", "-")
    done = cli(
        hub,
        "analyst2",
        "propose",
        "--title",
        "CLI project",
        "--purpose",
        "Test the CLI.",
        "--benefit",
        "Confidence in the tools.",
        "--dataset",
        "synthetic_referrals",
        "--member",
        "analyst2",
        "--end-date",
        END,
        "--slug",
        slug,
    )
    assert "open" in done.stdout
    for user in ("analyst1", "checker"):
        assert "open" in cli(hub, user, "vote", slug, "approve", "--comment", "yes").stdout
    assert "approved" in cli(hub, "admin", "vote", slug, "approve").stdout
    listed = json.loads(cli(hub, "analyst1", "proposals", "--json").stdout)
    mine = [p for p in listed if p["project"] == slug]
    assert mine[0]["status"] == "approved" and mine[0]["counts"]["stewards"] == 1
    again = cli(hub, "analyst1", "vote", slug, "reject", check=False)
    assert again.returncode == 1 and "already decided" in again.stderr


def test_vote_page_with_hub_login(hub):
    proposal = propose(hub, "analyst1", ["analyst1"])
    session = browser_session(hub, "checker2")
    page = session.get(f"{hub.url}/services/data-api/decisions", timeout=30)
    assert page.status_code == 200 and f'value="{proposal["id"]}"' in page.text
    without = session.post(
        f"{hub.url}/services/data-api/decisions", timeout=30, data={"proposal": proposal["id"], "choice": "approve"}
    )
    assert without.status_code == 403
    voted = session.post(
        f"{hub.url}/services/data-api/decisions",
        timeout=30,
        data={"proposal": proposal["id"], "choice": "approve", "comment": "<b>fine</b>", "_xsrf": form_xsrf(page.text)},
    )
    assert voted.status_code == 200 and "Your vote on proposal" in voted.text
    votes = hub.data_api(f"api/proposals/{proposal['id']}", user="analyst1").json()["votes"]
    assert [(v["voter"], v["comment"]) for v in votes] == [("checker2", "<b>fine</b>")]
