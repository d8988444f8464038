"""The governance pages on the real hub, signed in with the hub's login form (real cookie, real XSRF token): a
member proposes a project in the browser form and it is stored, audited and shown on the register exactly as an
API proposal; a steward sees the whole proposal and votes; a forged POST is refused; someone who is not a member
of the cooperative cannot propose; the owner's steward is warned that a reject is a veto and must confirm it;
the hub's navigation bar links the Commons page."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
import requests

from tests.integration.governance_client import audit_entries, browser_session, form_xsrf, post, unique

pytestmark = pytest.mark.integration

PAGES = "/services/data-api/"
END = (date.today() + timedelta(days=150)).isoformat()


def project_form(slug: str, **changes) -> dict:
    form = {
        "title": f"Outreach study {slug}",
        "purpose": "Plan outreach where referrals rise.",
        "public_benefit": "Earlier help for families.",
        "datasets": ["synthetic_referrals"],
        "members": "analyst2",
        "end_date": END,
        "start_date": "",
        "organisation": "",
        "slug": slug,
    }
    form.update(changes)
    return form


def propose_in_browser(hub, session: requests.Session, slug: str, **changes) -> requests.Response:
    page = session.get(f"{hub.url}{PAGES}propose", timeout=30)
    assert page.status_code == 200 and "<h1>Propose a project</h1>" in page.text
    return session.post(
        f"{hub.url}{PAGES}propose", timeout=60, data={**project_form(slug, **changes), "_xsrf": form_xsrf(page.text)}
    )


def proposal_id(response: requests.Response) -> int:
    assert response.status_code == 200, response.text[-2000:]
    assert "?proposed=1" in response.url and "Your proposal is open for votes" in response.text
    return int(response.url.split("/decisions/")[1].split("?")[0])


def comparable(entry: dict) -> dict:
    detail = json.loads(entry["detail"])
    return {
        "actor": entry["actor"],
        "action": entry["action"],
        "purpose": entry["purpose"],
        "detail": {key: value for key, value in detail.items() if key not in ("proposal", "title")},
    }


def test_form_proposal_is_stored_audited_and_public_like_an_api_proposal(hub):
    form_slug, api_slug = unique("form").replace("_", "-"), unique("api").replace("_", "-")
    session = browser_session(hub, "analyst2")
    ident = proposal_id(propose_in_browser(hub, session, form_slug))
    api = post(
        hub,
        "analyst2",
        "api/proposals",
        {
            "kind": "project",
            "slug": api_slug,
            **{k: v for k, v in project_form(api_slug).items() if k not in ("slug", "start_date", "organisation")},
            "members": ["analyst2"],
        },
    )
    assert api.status_code == 201, api.text
    from_form = hub.data_api(f"api/proposals/{ident}", user="steward").json()
    from_api = api.json()
    skip = {"id", "project", "project_title", "created_at"}
    assert {k: v for k, v in from_form.items() if k not in skip} == {k: v for k, v in from_api.items() if k not in skip}
    entries = {e["project"]: e for e in audit_entries(hub) if e["action"] == "propose"}
    assert comparable(entries[form_slug]) == comparable(entries[api_slug])
    assert json.loads(entries[form_slug]["detail"])["proposal"] == ident
    register = requests.get(f"{hub.url}/services/register/api/projects/{form_slug}", timeout=60)
    assert register.status_code == 200 and register.json()["title"] == f"Outreach study {form_slug}"


def test_refusal_is_shown_beside_the_field_and_nothing_is_stored(hub):
    slug = unique("bad").replace("_", "-")
    session = browser_session(hub, "analyst1")
    refused = propose_in_browser(hub, session, slug, end_date="2020-01-01", purpose="Keep <b>this</b>")
    assert refused.status_code == 409
    assert '<p class="field-error" id="end_date-error">The end date must be after today' in refused.text
    assert "Keep &lt;b&gt;this&lt;/b&gt;" in refused.text  # what was typed comes back, escaped
    assert not [p for p in hub.data_api("api/proposals", user="analyst1").json() if p["project"] == slug]


def test_forged_post_without_xsrf_is_refused(hub):
    slug = unique("forged").replace("_", "-")
    session = browser_session(hub, "analyst1")
    session.get(f"{hub.url}{PAGES}propose", timeout=30)  # the cookies a real visit sets, but no token in the form
    forged = session.post(f"{hub.url}{PAGES}propose", data=project_form(slug), timeout=30)
    assert forged.status_code == 403 and "_xsrf" in forged.text.lower()
    wrong = session.post(f"{hub.url}{PAGES}propose", data={**project_form(slug), "_xsrf": "2|00|00|00"}, timeout=30)
    assert wrong.status_code == 403
    assert not [p for p in hub.data_api("api/proposals", user="analyst1").json() if p["project"] == slug]


def test_someone_outside_the_cooperative_cannot_propose(hub):
    outsider = unique("visitor")
    hub.hub_api("POST", f"users/{outsider}")  # a hub account in no group: not a member of the cooperative
    token = hub.token(outsider)
    slug = unique("outsider").replace("_", "-")
    refused = requests.post(
        f"{hub.url}{PAGES}propose",
        data=project_form(slug, members=outsider),
        timeout=30,
        headers={"Authorization": f"token {token}"},
    )
    assert refused.status_code == 403 and "not a member of the cooperative" in refused.text
    change = requests.post(
        f"{hub.url}{PAGES}propose-member",
        timeout=30,
        headers={"Authorization": f"token {token}"},
        data={"project": "early-help-demand", "change": "add", "username": outsider},
    )
    assert change.status_code == 403 and "not a member of the cooperative" in change.text
    denials = [e for e in audit_entries(hub) if e["actor"] == outsider and e["action"] == "deny"]
    assert [json.loads(e["detail"])["attempted"] for e in denials] == ["propose", "propose"]
    commons = requests.get(f"{hub.url}{PAGES}commons", headers={"Authorization": f"token {token}"}, timeout=30)
    assert commons.status_code == 200 and "Propose a project</a>" not in commons.text


def test_steward_sees_the_whole_proposal_and_confirms_a_veto(hub):
    slug = unique("veto").replace("_", "-")
    ident = proposal_id(
        propose_in_browser(
            hub,
            browser_session(hub, "analyst2"),
            slug,
            datasets=["synthetic_referrals", "imd2019_lsoa11"],
            members="analyst2: Sefton CVS (demo)",
            start_date=date.today().isoformat(),
        )
    )
    checker = browser_session(hub, "checker")
    awaiting = checker.get(f"{hub.url}{PAGES}commons", timeout=30)
    assert f'href="{PAGES}decisions/{ident}"' in awaiting.text
    page = checker.get(f"{hub.url}{PAGES}decisions/{ident}", timeout=30)
    voted = checker.post(
        f"{hub.url}{PAGES}decisions/{ident}",
        timeout=30,
        data={"choice": "approve", "comment": "fine", "_xsrf": form_xsrf(page.text)},
    )
    assert voted.status_code == 200 and "Your vote on proposal" in voted.text
    steward = browser_session(hub, "steward")
    page = steward.get(f"{hub.url}{PAGES}decisions/{ident}", timeout=30)
    for text in (
        "Plan outreach where referrals rise.",
        "Earlier help for families.",
        "<code>synthetic_referrals</code>",
        "restricted, owned by demo-council-owners",
        "imd2019_lsoa11",
        "analyst2 (Sefton CVS (demo))",
        f"from {date.today().isoformat()} until {END}",
        "Votes: 1 of the 3 needed (1 approve, 0 reject",
        "Steward votes: 0 of the 1 needed.",
        "The owner of synthetic_referrals (demo-council-owners) has not voted",
        "checker (",
        "<strong>approve</strong>: “fine”",
        "Your reject is a veto: it ends this proposal.",
    ):
        assert text in page.text, text
    first = steward.post(
        f"{hub.url}{PAGES}decisions/{ident}",
        timeout=30,
        data={"choice": "reject", "comment": "not this data", "_xsrf": form_xsrf(page.text)},
    )
    assert first.status_code == 200 and "<h1>Confirm your veto</h1>" in first.text
    assert len(hub.data_api(f"api/proposals/{ident}", user="analyst1").json()["votes"]) == 1  # not counted yet
    confirmed = steward.post(
        f"{hub.url}{PAGES}decisions/{ident}",
        timeout=30,
        data={"choice": "reject", "confirm": "veto", "comment": "not this data", "_xsrf": form_xsrf(first.text)},
    )
    assert confirmed.status_code == 200 and "It is now rejected" in confirmed.text
    vote = [e for e in audit_entries(hub) if e["project"] == slug and e["action"] == "vote"][-1]
    assert json.loads(vote["detail"])["veto_for"] == ["synthetic_referrals"]
    # Not the owner's steward: no veto warning, a reject counts at once.
    other = unique("noveto").replace("_", "-")
    ident = proposal_id(propose_in_browser(hub, browser_session(hub, "analyst2"), other))
    page = checker.get(f"{hub.url}{PAGES}decisions/{ident}", timeout=30)
    assert "Your reject is a veto" not in page.text
    rejected = checker.post(
        f"{hub.url}{PAGES}decisions/{ident}", timeout=30, data={"choice": "reject", "_xsrf": form_xsrf(page.text)}
    )
    assert rejected.status_code == 200 and "Your vote on proposal" in rejected.text


def test_hub_navigation_links_the_commons_page(hub):
    session = browser_session(hub, "analyst1")
    home = session.get(f"{hub.url}/hub/home", timeout=30)
    assert f'<a class="nav-link" href="{PAGES}commons">Commons</a>' in home.text
    commons = session.get(f"{hub.url}{PAGES}commons", timeout=30)
    assert commons.status_code == 200 and "<h1>Commons</h1>" in commons.text
    for link in ("propose", "propose-member", "decisions", "contributions", "releases", "contribute"):
        assert f'href="{PAGES}{link}"' in commons.text, link
