"""Output releases end to end: real hub, real tokens, the data-api's checks, two checkers, downloads, audit."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import date

import pandas as pd
import pytest
import requests

from commons_hub.governance.projects import DEMO_PROJECT
from commons_kernel.releases import to_outputs

pytestmark = pytest.mark.integration

PROJECT = "release-workflow-test"


@pytest.fixture(scope="module")
def hub_with_project(hub):
    """An approved project with analyst1 and checker as members (so a checker can try to approve their own)."""
    from commons_hub.db import engine
    from commons_hub.governance.projects import create_project, project_view

    eng = engine(f"sqlite:///{hub.home / 'governance.sqlite'}")
    if project_view(PROJECT, eng) is None:
        today = date.today()
        create_project(
            PROJECT,
            "Release workflow test (synthetic data)",
            "Exercise the release workflow.",
            "analyst1",
            date(today.year + 1, 12, 31),
            start_date=date(today.year - 1, 1, 1),
            datasets=["synthetic_referrals"],
            status="approved",
            members={"analyst1": "Demo Borough Council data team", "checker": "Output checkers"},
            eng=eng,
        )
    return hub


def post(hub, user, path, body):
    return requests.post(
        f"{hub.url}/services/data-api/{path}",
        json=body,
        timeout=60,
        headers={"Authorization": f"token {hub.token(user)}"},
    )


def request_body(counts=(38, 105, 102), project=PROJECT, **extra):
    table = pd.DataFrame({"referrals": list(counts)}, index=pd.Index(["Halton", "Knowsley", "Wirral"], name="borough"))
    outputs, _ = to_outputs({"referrals_by_borough": table, "note": "Counts of SYNTHETIC referrals, Feb 2024."})
    return {
        "project": project,
        "title": "Referrals by borough, February 2024 (synthetic)",
        "description": "Referrals by borough from the synthetic referrals dataset, for the outreach plan.",
        "outputs": [o.to_payload() for o in outputs],
        **extra,
    }


def ask(hub, user="analyst1", **kwargs) -> dict:
    response = post(hub, user, "api/releases", request_body(**kwargs))
    assert response.status_code == 201, response.text
    return response.json()


def review(hub, user, release_id, decision, comment="Checked the cells and the description."):
    return post(hub, user, f"api/releases/{release_id}/reviews", {"decision": decision, "comment": comment})


def audit_entries(hub):
    result = subprocess.run(
        [sys.executable, "-m", "commons_hub.cli", "audit", "tail", "-n", "1000", "--json"],
        env=hub.env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def release_entries(hub, release_id):
    return [
        (e["action"], e["outcome"], e["actor"])
        for e in audit_entries(hub)
        if json.loads(e["detail"] or "{}").get("release") == release_id
    ]


def test_only_members_of_the_project_may_ask(hub_with_project):
    response = post(hub_with_project, "analyst2", "api/releases", request_body(project=DEMO_PROJECT))
    assert response.status_code == 403 and response.json()["error"] == "access-denied"
    assert "not a member of project" in response.json()["reason"]
    denied = [e for e in audit_entries(hub_with_project) if e["action"] == "release-request"][-1]
    assert (denied["actor"], denied["outcome"]) == ("analyst2", "denied")


def test_the_data_api_checks_again_and_refuses_small_counts(hub_with_project):
    # sent straight to the data-api, as a kernel that skipped its own checks would
    response = post(hub_with_project, "analyst1", "api/releases", request_body(counts=(38, 3, 102)))
    assert response.status_code == 422 and response.json()["error"] == "disclosure-risk"
    assert "(Knowsley, referrals): fewer than 10 records" in response.json()["reason"]
    assert "3" not in response.json()["reason"].split("records")[0].split(")")[0]


def test_self_approval_is_refused_and_non_checkers_cannot_review(hub_with_project):
    mine = ask(hub_with_project, user="checker")
    own = review(hub_with_project, "checker", mine["id"], "approve")
    assert own.status_code == 403 and "no self-approval" in own.json()["reason"]
    outsider = review(hub_with_project, "analyst2", mine["id"], "approve")
    assert outsider.status_code == 403 and "checkers group" in outsider.json()["reason"]
    assert release_entries(hub_with_project, mine["id"]) == [
        ("release-request", "ok", "checker"),
        ("release-review", "denied", "checker"),
        ("release-review", "denied", "analyst2"),
    ]


def test_one_approval_is_not_enough_and_two_checkers_release_it(hub_with_project):
    hub = hub_with_project
    release_id = ask(hub)["id"]
    first = review(hub, "checker", release_id, "approve").json()
    assert first["status"] == "pending" and first["approvals"] == 1 and "1 more approval" in first["next_step"]
    twice = review(hub, "checker", release_id, "approve").json()
    assert twice["status"] == "pending" and twice["approvals"] == 1
    early = hub.data_api(f"api/releases/{release_id}/files/note.txt", user="analyst1")
    assert early.status_code == 409 and "once two checkers" in early.json()["reason"]
    released = review(hub, "checker2", release_id, "approve").json()
    assert released["status"] == "released" and released["checkers"] == ["checker", "checker2"]

    csv = hub.data_api(f"api/releases/{release_id}/files/referrals_by_borough.csv", user="analyst1")
    assert csv.status_code == 200 and csv.text.splitlines()[:2] == ["borough,referrals", "Halton,38"]
    listed = {f["name"]: f["sha256"] for f in released["files"]}
    assert hashlib.sha256(csv.content).hexdigest() == listed["referrals_by_borough.csv"]
    assert csv.headers["X-Commons-Sha256"] == listed["referrals_by_borough.csv"]
    outsider = hub.data_api(f"api/releases/{release_id}/files/note.txt", user="analyst2")
    assert outsider.status_code == 403
    assert hub.data_api(f"api/releases/{release_id}/files/other.csv", user="analyst1").status_code == 404
    public = hub.data_api(f"api/releases/{release_id}", user="analyst2").json()
    assert public["status"] == "released" and "files" not in public and public["checkers"] == ["checker", "checker2"]
    assert release_entries(hub, release_id) == [
        ("release-request", "ok", "analyst1"),
        ("release-review", "ok", "checker"),
        ("release-review", "ok", "checker"),
        ("release-download", "denied", "analyst1"),
        ("release-review", "ok", "checker2"),
        ("release", "ok", "checker2"),
        ("release-download", "ok", "analyst1"),
        ("release-download", "denied", "analyst2"),
        ("release-download", "denied", "analyst1"),
    ]


def test_a_rejection_ends_the_request(hub_with_project):
    hub = hub_with_project
    release_id = ask(hub)["id"]
    without_reason = review(hub, "checker2", release_id, "reject", comment="")
    assert without_reason.status_code == 422 and "Say why" in without_reason.json()["reason"]
    assert (
        review(hub, "checker2", release_id, "reject", "Differencing risk with release 1.").json()["status"]
        == "rejected"
    )
    late = review(hub, "checker", release_id, "approve")
    assert late.status_code == 409 and "only pending releases" in late.json()["reason"]


def test_request_changes_then_the_requester_resubmits_a_new_version(hub_with_project):
    hub = hub_with_project
    first = ask(hub)["id"]
    sent_back = review(hub, "checker", first, "request-changes", "Round the counts to 5.").json()
    assert sent_back["status"] == "changes-requested" and "replaces=id" in sent_back["next_step"]
    second = ask(hub, replaces=first)
    assert (second["version"], second["replaces"], second["status"]) == (2, first, "pending")
    again = post(hub, "analyst1", "api/releases", request_body(replaces=first))
    assert again.status_code == 409 and f"release {second['id']}" in again.json()["reason"]
    review(hub, "checker", second["id"], "approve")
    assert review(hub, "checker2", second["id"], "approve").json()["status"] == "released"


def test_release_through_the_kernel_then_download_as_a_member(hub_with_project):
    hub = hub_with_project
    hub.spawn("analyst1")
    asked = hub.execute(
        "analyst1",
        f"""
import commons_kernel as ck
from commons_kernel import disclosure
ref = ck.read("synthetic_referrals", project="{PROJECT}", purpose="release workflow test")
session = disclosure.Session()
table = session.crosstab(ref["age_band"], ref["sex"])
result = ck.request_release(session, project="{PROJECT}", title="Referrals by age band and sex (synthetic)",
                            description="A crosstab of SYNTHETIC referrals by age band and sex.")
print("RELEASE", result["id"], result["status"], sorted(f["name"] for f in result["files"]))
""",
        timeout=180,
    )
    assert asked["error"] is None, asked
    line = next(x for x in asked["stdout"].splitlines() if x.startswith("RELEASE"))
    release_id = int(line.split()[1])
    assert "pending" in line and "output_0.csv" in line
    details = hub.data_api(f"api/releases/{release_id}", user="checker").json()
    assert details["files"][0]["check_status"] in ("pass", "review")
    review(hub, "checker", release_id, "approve")
    review(hub, "checker2", release_id, "approve")
    fetched = hub.execute(
        "analyst1",
        f"""
import commons_kernel as ck
paths = ck.download_release({release_id}, "released-{release_id}")
print("FILES", sorted(p.name for p in paths))
print("LISTED", ck.releases().set_index("id").loc[{release_id}, "status"])
""",
    )
    assert fetched["error"] is None, fetched
    assert "FILES ['output_0.csv', 'output_0.parquet']" in fetched["stdout"]
    assert "LISTED released" in fetched["stdout"]


def test_restricted_reads_need_a_purpose(hub_with_project):
    hub = hub_with_project
    response = hub.data_api(
        "api/datasets/synthetic_referrals/data", user="analyst1", headers={"X-Commons-Project": DEMO_PROJECT}
    )
    assert response.status_code == 403 and "records its purpose" in response.json()["reason"]
    assert "purpose=" in response.json()["how_to_get_access"]
    denied = [e for e in audit_entries(hub) if e["action"] == "deny" and e["dataset"] == "synthetic_referrals"][-1]
    assert json.loads(denied["detail"])["rule"] == "purpose"


def test_operators_verify_every_release_file(hub_with_project):
    result = subprocess.run(
        [sys.executable, "-m", "commons_hub.cli", "releases", "verify"],
        env=hub_with_project.env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "intact" in result.stdout
