"""The public register on the real hub: public (no login), its numbers equal the audit log's, people shown as
organisations, everything users wrote escaped, and the audit chain's state."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta

import pytest
import requests

from tests.integration.governance_client import FIXTURES, audit_entries, good_metadata, post, unique, upload

pytestmark = pytest.mark.integration

XSS = "<script>alert('register')</script>"


def register(hub, path: str = "") -> requests.Response:
    return requests.get(f"{hub.url}/services/register/{path}", timeout=60)


@pytest.fixture(scope="module")
def xss_project(hub) -> str:
    """A decided project whose title, purpose and vote comments hold script tags."""
    body = {"kind": "project", "title": f"Study {XSS}", "purpose": f"Purpose {XSS}", "public_benefit": f"Benefit {XSS}",
            "datasets": ["synthetic_referrals"], "members": ["analyst2"],
            "end_date": (date.today() + timedelta(days=60)).isoformat(), "slug": unique("xss").replace("_", "-")}
    proposal = post(hub, "analyst2", "api/proposals", body).json()
    for user in ("analyst1", "checker", "steward"):  # the proposer (analyst2) may not vote
        voted = post(hub, user, f"api/proposals/{proposal['id']}/votes", {"choice": "approve", "comment": f"ok {XSS}"})
        assert voted.status_code == 201, voted.text
    read = hub.data_api("api/datasets/synthetic_referrals/data", user="analyst2",
                        params={"project": proposal["project"], "columns": "reason",
                                "purpose": f"check the register {XSS}"})
    assert read.status_code == 200, read.text
    return proposal["project"]


def test_public_without_login_and_plain(hub):
    response = register(hub)
    assert response.status_code == 200 and "Public register" in response.text
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert "<script" not in response.text.lower() and 'lang="en"' in response.text
    for page in ("datasets", "projects", "uses", "releases", "contributions", "stories", "audit"):
        html, twin = register(hub, page), register(hub, f"api/{page}")
        assert html.status_code == 200 and twin.status_code == 200, page
        assert twin.headers["Content-Type"].startswith("application/json")


def reads_up_to(entries: list[dict], as_of: int) -> tuple[Counter, Counter]:
    reads, rows = Counter(), Counter()
    for e in entries:
        if e["action"] == "read" and e["outcome"] == "ok" and e["id"] <= as_of:
            reads[(e["dataset"], e["project"], e["time"][:7])] += 1
            rows[(e["dataset"], e["project"], e["time"][:7])] += e["rows"] or 0
    return reads, rows


def test_uses_equal_the_audit_log(hub, xss_project):
    hub.data_api("api/datasets/imd2019_lsoa11/data", user="analyst1", params={"columns": "imd_score"})
    uses = register(hub, "api/uses").json()
    datasets = register(hub, "api/datasets").json()
    entries = audit_entries(hub)  # read last: it holds every entry the register counted
    reads, rows = reads_up_to(entries, uses["as_of_entry"])
    shown = {(u["dataset"], u["project"], u["month"]): u for u in uses["uses"]}
    assert {k: v["reads"] for k, v in shown.items()} == dict(reads)
    assert {k: v["rows"] for k, v in shown.items()} == dict(rows)
    assert any(k[1] == xss_project for k in shown)
    dataset_reads, _ = reads_up_to(entries, datasets[0]["as_of_entry"])
    per_dataset = Counter()
    for (dataset, _, _), count in dataset_reads.items():
        per_dataset[dataset] += count
    assert {d["name"]: d["reads"] for d in datasets if d["reads"]} == dict(per_dataset)


def test_votes_and_contributions_equal_the_audit_log(hub, xss_project):
    name = unique("register_visits")
    record = upload(hub, "analyst1", (FIXTURES / "good.csv").read_bytes(), "good.csv", good_metadata(name)).json()
    post(hub, "steward", f"api/contributions/{record['id']}/approve", {})
    project = register(hub, f"api/projects/{xss_project}").json()
    votes = [v for d in project["decisions"] for v in d["votes"]]
    entries = audit_entries(hub)
    assert len(votes) == sum(1 for e in entries if e["action"] == "vote" and e["project"] == xss_project)
    public = register(hub, "api/contributions").json()["contributions"]
    assert len(public) == sum(1 for e in entries if e["action"] == "contribute")
    mine = [c for c in public if c["dataset"] == name][0]
    assert mine["status"] == "approved" and mine["quality_score"] == record["score"]
    dataset = register(hub, f"api/datasets/{name}").json()
    assert dataset["quality_score"] == record["score"] and dataset["contributed_by"] == "Demo Borough Council data team"


def test_people_shown_as_organisations(hub, xss_project):
    project = register(hub, f"api/projects/{xss_project}").json()
    assert project["members"] == ["Merseyside Community Voluntary Services (demo)"]
    voters = [v["by"] for v in project["decisions"][0]["votes"]]
    assert "LCR Data Cooperative stewards (demo)" in voters
    text = json.dumps(register(hub, "api/projects").json())
    assert '"analyst1"' not in text and '"analyst2"' not in text and "analyst2 (" not in text


def test_everything_users_wrote_is_escaped(hub, xss_project):
    page = register(hub, f"projects/{xss_project}").text
    assert "<script>alert" not in page
    assert page.count("&lt;script&gt;alert(&#x27;register&#x27;)&lt;/script&gt;") >= 6  # title x2, purpose, benefit, 3 comments
    listing = register(hub, "projects").text
    assert "<script>alert" not in listing and "Study &lt;script&gt;" in listing
    uses = register(hub, "uses").text
    assert "<script>alert" not in uses and "check the register &lt;script&gt;" in uses


def test_audit_chain_state_is_shown(hub):
    status = register(hub, "api/audit").json()
    assert status["ok"] is True and status["entries"] > 0
    assert "The chain verifies" in register(hub, "audit").text


def test_audit_head_is_published_and_proves_the_log(hub):
    import subprocess
    import sys

    head = register(hub, "api/audit/head").json()
    assert head["ok"] is True and head["id"] >= 1 and len(head["hash"]) == 64
    copy = register(hub, "audit/head.json").json()
    assert copy["id"] >= head["id"] and copy["ok"] is True
    assert "Audit log head: entry" in register(hub).text and "commons audit verify --head" in register(hub, "audit").text
    entries = {e["id"]: e for e in audit_entries(hub)}
    assert (entries[head["id"]]["hash"], entries[head["id"]]["time"]) == (head["hash"], head["time"])
    proved = subprocess.run([sys.executable, "-m", "commons_hub.cli", "audit", "verify", "--head",
                             f"{head['id']}:{head['hash']}"], env=hub.env, capture_output=True, text=True, timeout=120)
    assert proved.returncode == 0 and "1 head(s) kept earlier, unchanged" in proved.stdout, proved.stderr
    forged = subprocess.run([sys.executable, "-m", "commons_hub.cli", "audit", "verify", "--head",
                             f"{head['id']}:{'0' * 64}"], env=hub.env, capture_output=True, text=True, timeout=120)
    assert forged.returncode == 1 and f"BROKEN at entry {head['id']}" in forged.stderr
