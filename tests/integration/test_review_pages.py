"""The review pages on the real hub, as a steward, a contributor and an output checker use them in a browser
(signed in with their password, XSRF token taken from the page): a contribution's review (first rows with the
flagged column masked, the quality report, approve / reject with a reason), a dataset's withdrawal (two steps, no
JavaScript), and a release's review (files, previews, the disclosure report)."""

from __future__ import annotations

import io
import json
from datetime import date

import pandas as pd
import pyarrow.ipc as ipc
import pytest

from commons_kernel.releases import to_outputs
from tests.integration.governance_client import (
    FIXTURES,
    audit_entries,
    browser_session,
    form_xsrf,
    good_metadata,
    post,
    unique,
    upload,
)

pytestmark = pytest.mark.integration

API = "services/data-api"
GOOD = (FIXTURES / "good.csv").read_bytes()
EMAILS = ("amy.jones@example.org", "bob.smith@example.org", "cat.lee@example.org")
WITH_CONTACTS = b"ward22_code,month,visits,contact\n" + b"".join(
    f"{code},{month},{visits},{email}\n".encode()
    for code, month, visits, email in zip(
        ("E05000910", "E05000911", "E05000912"), ("2022-01", "2022-01", "2022-02"), (25, 31, 18), EMAILS, strict=False
    )
)
PROJECT = "review-pages-test"


def page_url(hub, path: str) -> str:
    return f"{hub.url}/{API}/{path}"


def contacts_contribution(hub) -> tuple[str, dict]:
    """A restricted upload whose `contact` column holds e-mail addresses: the scan flags it (a warning there)."""
    name = unique("contacts")
    metadata = good_metadata(
        name, tier="restricted", description="Visits with the contact of each food bank, for the review-page tests."
    )
    metadata["columns"] = metadata["columns"] + [
        {"name": "contact", "description": "who to ask", "unit": None, "type": "string"}
    ]
    response = upload(hub, "analyst1", WITH_CONTACTS, "contacts.csv", metadata, tier="restricted")
    assert response.status_code == 201, response.text
    return name, response.json()


def read_table(hub, name: str, user: str = "analyst2"):
    response = hub.data_api(f"api/datasets/{name}/data", user=user)
    assert response.status_code == 200, response.text
    return ipc.open_stream(io.BytesIO(response.content)).read_all()


def test_the_steward_sees_the_rows_with_the_flagged_column_masked_and_the_whole_report(hub):
    name, record = contacts_contribution(hub)
    assert [w["column"] for w in record["report"]["warnings"] if w["code"] == "personal-data-email"] == ["contact"]
    steward = browser_session(hub, "steward")
    page = steward.get(page_url(hub, f"contributions/{record['id']}"), timeout=60)
    assert page.status_code == 200, page.text[-2000:]
    assert page.text.count("<h1") == 1
    for email in EMAILS:
        assert email not in page.text and email.split("@")[0] not in page.text
    assert page.text.count('<td class="masked">•••</td>') == 3 and "contact (masked)" in page.text
    assert "E05000911" in page.text and "<td>31</td>" in page.text  # the other columns are shown
    assert "Visits with the contact of each food bank" in page.text  # the description
    assert "Test fixture, no real data." in page.text and "2022-01/2022-02" in page.text  # attribution, period
    assert f"Quality report: score {record['score']}/100" in page.text
    assert "holds e-mail addresses" in page.text and "How the score is made" in page.text
    assert 'class="table-scroll"' in page.text and 'for="reason"' in page.text
    seen = [e for e in audit_entries(hub) if e["dataset"] == name and e["action"] == "read"]
    assert [(e["actor"], e["rows"], json.loads(e["detail"])["masked"]) for e in seen] == [("steward", 3, ["contact"])]

    no_reason = steward.post(
        page_url(hub, f"contributions/{record['id']}"),
        timeout=60,
        data={"action": "reject", "reason": "  ", "_xsrf": form_xsrf(page.text)},
    )
    assert no_reason.status_code == 409 and "Say why the contribution is rejected" in no_reason.text
    assert hub.data_api(f"api/contributions/{record['id']}", user="steward").json()["status"] == "pending"

    other = browser_session(hub, "analyst2").get(page_url(hub, f"contributions/{record['id']}"), timeout=60)
    assert other.status_code == 403 and "neither a steward nor the contributor" in other.text
    assert "E05000911" not in other.text

    rejected = steward.post(
        page_url(hub, f"contributions/{record['id']}"),
        timeout=60,
        data={
            "action": "reject",
            "reason": "Remove the contact column: it is personal data.",
            "_xsrf": form_xsrf(page.text),
        },
    )
    assert rejected.status_code == 200 and "is now rejected" in rejected.text
    decided = hub.data_api(f"api/contributions/{record['id']}", user="analyst1").json()
    assert (decided["status"], decided["reason"]) == ("rejected", "Remove the contact column: it is personal data.")


def test_approving_on_the_page_is_the_same_as_approving_through_the_api(hub):
    by_api, by_page = unique("api_visits"), unique("page_visits")
    first = upload(hub, "analyst1", GOOD, "good.csv", good_metadata(by_api)).json()
    second = upload(hub, "analyst1", GOOD, "good.csv", good_metadata(by_page)).json()
    assert post(hub, "steward", f"api/contributions/{first['id']}/approve", {"reason": "checked"}).status_code == 200
    steward = browser_session(hub, "steward")
    page = steward.get(page_url(hub, f"contributions/{second['id']}"), timeout=60)
    assert "The personal-data scan flagged no column" in page.text
    forged = steward.post(
        page_url(hub, f"contributions/{second['id']}"), timeout=60, data={"action": "approve", "reason": "checked"}
    )
    assert forged.status_code == 403 and "_xsrf" in forged.text
    assert hub.data_api(f"api/contributions/{second['id']}", user="steward").json()["status"] == "pending"
    approved = steward.post(
        page_url(hub, f"contributions/{second['id']}"),
        timeout=60,
        data={"action": "approve", "reason": "checked", "_xsrf": form_xsrf(page.text)},
    )
    assert approved.status_code == 200 and "is now approved (version 1" in approved.text

    assert read_table(hub, by_page).equals(read_table(hub, by_api))
    listing = {d["name"]: d for d in hub.data_api("api/datasets", user="analyst2").json()}
    same = ("tier", "licence", "title", "publisher", "attribution")
    assert {k: listing[by_page].get(k) for k in same} == {k: listing[by_api].get(k) for k in same}
    shown = {n: hub.data_api(f"api/datasets/{n}", user="analyst2").json() for n in (by_api, by_page)}
    assert [v["rows"] for v in shown[by_page]["versions"]] == [v["rows"] for v in shown[by_api]["versions"]] == [3]
    entries = {e["dataset"]: e for e in audit_entries(hub) if e["action"] == "approve-contribution"}
    assert [
        (entries[n]["actor"], entries[n]["version"], entries[n]["rows"], json.loads(entries[n]["detail"])["reason"])
        for n in (by_api, by_page)
    ] == [("steward", 1, 3, "checked")] * 2


def test_a_contributor_withdraws_their_own_dataset_and_another_member_cannot(hub):
    name = unique("withdraw_visits")
    record = upload(hub, "analyst1", GOOD, "good.csv", good_metadata(name)).json()
    assert post(hub, "steward", f"api/contributions/{record['id']}/approve", {}).status_code == 200
    url = page_url(hub, f"datasets/{name}/withdraw")

    other = browser_session(hub, "analyst2")
    refused_page = other.get(url, timeout=60)
    assert refused_page.status_code == 200 and "You cannot withdraw" in refused_page.text
    assert "analyst1" in refused_page.text and 'name="reason"' not in refused_page.text
    token = form_xsrf(other.get(page_url(hub, "contribute"), timeout=60).text)  # a form of another page
    tried = other.post(url, timeout=60, data={"reason": "not mine", "confirm": "yes", "_xsrf": token})
    assert tried.status_code == 403 and f"did not contribute {name}" in tried.text
    read_table(hub, name)

    owner = browser_session(hub, "analyst1")
    form = owner.get(url, timeout=60)
    assert form.status_code == 200 and 'for="reason"' in form.text
    empty = owner.post(url, timeout=60, data={"reason": "", "_xsrf": form_xsrf(form.text)})
    assert empty.status_code == 422 and "Say why the dataset is withdrawn" in empty.text
    confirm = owner.post(url, timeout=60, data={"reason": "Consent was withdrawn.", "_xsrf": form_xsrf(form.text)})
    assert confirm.status_code == 200 and "Are you sure?" in confirm.text
    assert 'name="confirm" value="yes"' in confirm.text and 'value="Consent was withdrawn."' in confirm.text
    read_table(hub, name)  # the first step changes nothing
    forged = owner.post(url, timeout=60, data={"reason": "Consent was withdrawn.", "confirm": "yes"})
    assert forged.status_code == 403
    read_table(hub, name)
    done = owner.post(
        url, timeout=60, data={"reason": "Consent was withdrawn.", "confirm": "yes", "_xsrf": form_xsrf(confirm.text)}
    )
    assert done.status_code == 200 and "is withdrawn: every read is refused" in done.text
    refused = hub.data_api(f"api/datasets/{name}/data", user="analyst2")
    assert refused.status_code == 403 and "withdrawn" in refused.json()["reason"]
    entries = [
        (e["action"], e["actor"], e["outcome"])
        for e in audit_entries(hub)
        if e["dataset"] == name and e["action"] in ("withdraw", "deny")
    ]
    assert entries[:2] == [("deny", "analyst2", "denied"), ("withdraw", "analyst1", "ok")]


def request_release(hub) -> dict:
    """A pending release of project PROJECT (analyst1 a member): one table that passes, one with a small count
    sent with an exception, and a note."""
    from commons_hub.db import engine
    from commons_hub.governance.projects import create_project, project_view

    eng = engine(f"sqlite:///{hub.home / 'governance.sqlite'}")
    if project_view(PROJECT, eng) is None:
        today = date.today()
        create_project(
            PROJECT,
            "Review pages test (synthetic data)",
            "Exercise the release review page.",
            "analyst1",
            date(today.year + 1, 12, 31),
            start_date=date(today.year - 1, 1, 1),
            datasets=["synthetic_referrals"],
            status="approved",
            members={"analyst1": "Demo Borough Council data team"},
            eng=eng,
        )
    boroughs = pd.Index(["Halton", "Knowsley", "Wirral"], name="borough")
    outputs, _ = to_outputs(
        {
            "referrals_by_borough": pd.DataFrame({"referrals": [38, 105, 102]}, index=boroughs),
            "small_groups": pd.DataFrame({"referrals": [3, 105, 102]}, index=boroughs),
            "note": "Counts of SYNTHETIC referrals, Feb 2024.",
        },
        exceptions={"small_groups": "The 3 is a published figure already."},
    )
    response = post(
        hub,
        "analyst1",
        "api/releases",
        {
            "project": PROJECT,
            "title": "Referrals by borough (synthetic)",
            "outputs": [o.to_payload() for o in outputs],
            "description": "Referrals by borough from the synthetic referrals dataset, for the review-page test.",
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture(scope="module")
def release(hub):
    return request_release(hub)


def test_the_checker_sees_the_files_previews_and_disclosure_report_and_reviews(hub, release):
    checker = browser_session(hub, "checker")
    listing = checker.get(page_url(hub, "releases"), timeout=60)
    assert listing.status_code == 200 and f'href="/{API}/releases/{release["id"]}"' in listing.text
    page = checker.get(page_url(hub, f"releases/{release['id']}"), timeout=60)
    assert page.status_code == 200, page.text[-2000:]
    sizes = {f["name"]: f["bytes"] for f in release["files"]}
    for name, size in sizes.items():
        assert f"<td>{name}</td>" in page.text and f"{size:,} bytes" in page.text
    assert "<td>Knowsley</td><td>105</td>" in page.text  # a table's first rows
    assert "Rules checked on small_groups" in page.text
    assert '<td>threshold</td><td class="status-failed">failed</td><td>1</td>' in page.text
    assert '<td>threshold</td><td class="status-passed">passed</td><td>0</td>' in page.text
    assert "(Halton, referrals): fewer than 10 records" in page.text
    assert "The 3 is a published figure already." in page.text  # the requester's exception
    assert "No automatic rule applies to a text" in page.text
    downloads = [
        json.loads(e["detail"])["file"]
        for e in audit_entries(hub)
        if e["action"] == "release-download"
        and e["actor"] == "checker"
        and json.loads(e["detail"]).get("release") == release["id"]
    ]
    assert sorted(downloads) == ["referrals_by_borough.parquet", "small_groups.parquet"]  # previews are audited

    outsider = browser_session(hub, "analyst2").get(page_url(hub, f"releases/{release['id']}"), timeout=60)
    assert outsider.status_code == 403 and "is not one of its members" in outsider.text
    assert "Knowsley" not in outsider.text

    url = page_url(hub, f"releases/{release['id']}")
    unexplained = checker.post(
        url, timeout=60, data={"decision": "reject", "comment": "", "_xsrf": form_xsrf(page.text)}
    )
    assert unexplained.status_code == 422 and "Say why in the comment" in unexplained.text
    forged = checker.post(url, timeout=60, data={"decision": "approve", "comment": ""})
    assert forged.status_code == 403
    approved = checker.post(
        url,
        timeout=60,
        data={"decision": "approve", "comment": "Cells and exception checked.", "_xsrf": form_xsrf(page.text)},
    )
    assert approved.status_code == 200 and "Your review is recorded" in approved.text
    details = hub.data_api(f"api/releases/{release['id']}", user="analyst1").json()
    assert [(r["checker"], r["decision"]) for r in details["reviews"]] == [("checker", "approve")]
    assert details["status"] == "pending" and details["approvals"] == 1

    own = browser_session(hub, "analyst1").get(url, timeout=60)
    assert own.status_code == 200 and "Two output checkers other than you" in own.text
    assert 'name="decision"' not in own.text and "Knowsley" not in own.text  # no preview before it is released
