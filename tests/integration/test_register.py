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
    body = {
        "kind": "project",
        "title": f"Study {XSS}",
        "purpose": f"Purpose {XSS}",
        "public_benefit": f"Benefit {XSS}",
        "datasets": ["synthetic_referrals"],
        "members": ["analyst2"],
        "end_date": (date.today() + timedelta(days=60)).isoformat(),
        "slug": unique("xss").replace("_", "-"),
    }
    proposal = post(hub, "analyst2", "api/proposals", body).json()
    for user in ("analyst1", "checker", "steward"):  # the proposer (analyst2) may not vote
        voted = post(hub, user, f"api/proposals/{proposal['id']}/votes", {"choice": "approve", "comment": f"ok {XSS}"})
        assert voted.status_code == 201, voted.text
    read = hub.data_api(
        "api/datasets/synthetic_referrals/data",
        user="analyst2",
        params={"project": proposal["project"], "columns": "reason", "purpose": f"check the register {XSS}"},
    )
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
    assert (
        page.count("&lt;script&gt;alert(&#x27;register&#x27;)&lt;/script&gt;") >= 6
    )  # title x2, purpose, benefit, 3 comments
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
    assert (
        "Audit log head: entry" in register(hub).text and "commons audit verify --head" in register(hub, "audit").text
    )
    entries = {e["id"]: e for e in audit_entries(hub)}
    assert (entries[head["id"]]["hash"], entries[head["id"]]["time"]) == (head["hash"], head["time"])
    proved = subprocess.run(
        [sys.executable, "-m", "commons_hub.cli", "audit", "verify", "--head", f"{head['id']}:{head['hash']}"],
        env=hub.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proved.returncode == 0 and "1 head(s) kept earlier, unchanged" in proved.stdout, proved.stderr
    forged = subprocess.run(
        [sys.executable, "-m", "commons_hub.cli", "audit", "verify", "--head", f"{head['id']}:{'0' * 64}"],
        env=hub.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert forged.returncode == 1 and f"BROKEN at entry {head['id']}" in forged.stderr


# Downloads, filters, paging, the story-refresh table and the audit entries ----------------------------------------

FORMULA = '=HYPERLINK("http://evil.example/","ward rates for the board")'


def csv_of(hub, path: str) -> tuple[requests.Response, list[dict]]:
    import csv
    import io

    response = register(hub, path)
    assert response.status_code == 200, response.text
    return response, list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture(scope="module")
def formula_read(hub) -> None:
    """A read whose stated purpose a spreadsheet would run as a formula."""
    read = hub.data_api(
        "api/datasets/imd2019_lsoa11/data", user="analyst1", params={"columns": "imd_score", "purpose": FORMULA}
    )
    assert read.status_code == 200, read.text


def test_every_table_downloads_as_csv_and_json(hub, xss_project):
    from commons_hub.services.register.tables import TABLES

    for name, table in TABLES.items():
        as_csv, rows = csv_of(hub, f"{name}.csv")
        as_json = register(hub, f"{name}.json")
        assert as_csv.headers["Content-Type"] == "text/csv; charset=utf-8", name
        assert as_json.headers["Content-Type"] == "application/json; charset=utf-8", name
        assert as_csv.headers["Content-Disposition"].startswith(f'attachment; filename="register-{name}-')
        document = as_json.json()
        assert document["columns"] == list(table.columns) and len(document["rows"]) == len(rows), name
    _, datasets = csv_of(hub, "datasets.csv")
    assert len(datasets) == len(register(hub, "api/datasets").json())
    for page, table in (
        ("uses", "uses"),
        ("audit", "audit"),
        ("stories", "stories"),
        ("datasets", "datasets"),
        ("projects", "votes"),
        ("contributions", "withdrawals"),
        (f"projects/{xss_project}", "uses"),
    ):
        assert f"/services/register/{table}.csv" in register(hub, page).text, (page, table)


def test_formulas_in_what_people_wrote_are_inert_in_csv(hub, formula_read):
    _, rows = csv_of(hub, "uses.csv?dataset=imd2019_lsoa11")
    cells = [p for r in rows for p in r["purposes"].split("; ")]
    assert "'" + FORMULA in cells and FORMULA not in cells
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r.values())
    stated = [p for r in register(hub, "uses.json?dataset=imd2019_lsoa11").json()["rows"] for p in r["purposes"]]
    assert FORMULA in stated  # JSON keeps the text as written


def test_uses_filtered_by_project_dataset_and_dates_equal_the_audit_log(hub, xss_project):
    entries = audit_entries(hub)
    page = register(hub, f"api/uses?project={xss_project}").json()
    reads, _ = reads_up_to([e for e in entries if e["project"] == xss_project], page["as_of_entry"])
    assert {(u["dataset"], u["project"], u["month"]): u["reads"] for u in page["uses"]} == dict(reads)
    assert page["reads"] == sum(reads.values()) >= 1
    _, rows = csv_of(hub, f"uses.csv?project={xss_project}&dataset=synthetic_referrals")
    assert {(r["dataset"], r["project"]) for r in rows} == {("synthetic_referrals", xss_project)}
    html = register(hub, f"uses?project={xss_project}").text
    assert f'<option value="{xss_project}" selected>' in html and "early-help-demand</td>" not in html
    assert f"uses.csv?project={xss_project}" in html
    today = date.today()
    assert register(hub, f"api/uses?from={today + timedelta(days=1)}").json()["uses"] == []
    assert csv_of(hub, f"uses.csv?to={today - timedelta(days=400)}")[1] == []
    bad = register(hub, "uses?from=1/2/2026")
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.text


def test_uses_and_audit_are_paged(hub, xss_project):
    everything = register(hub, "api/uses?per_page=500").json()
    first, second = (register(hub, f"api/uses?per_page=1&page={n}").json() for n in (1, 2))
    assert first["paging"]["total"] == len(everything["uses"]) >= 2
    assert first["uses"] + second["uses"] == everything["uses"][:2]
    recent = register(hub, "api/audit?per_page=5&page=2").json()["recent"]
    ids = [e["id"] for e in recent["rows"]]
    assert ids == list(range(ids[0], ids[0] - 5, -1)) and recent["paging"]["page"] == 2


def test_audit_page_lists_recent_entries_with_public_fields_only(hub, xss_project):
    page = register(hub, "audit").text
    status = register(hub, "api/audit").json()
    shown = status["recent"]["rows"]
    assert shown[0]["id"] == status["head"]["id"] and set(shown[0]) == {
        "id",
        "time",
        "action",
        "dataset",
        "project",
        "outcome",
        "hash",
    }
    entries = {e["id"]: e for e in audit_entries(hub)}
    assert all(entries[e["id"]]["hash"] == e["hash"] and entries[e["id"]]["action"] == e["action"] for e in shown)
    assert f'<code class="hash">{status["head"]["hash"]}</code>' in page and "audit/head.json" in page
    assert "check the register" not in page and "analyst2" not in page  # no purpose text, no user names
    votes = register(hub, f"api/audit?action=vote&project={xss_project}").json()["recent"]["rows"]
    assert len(votes) == 3 and {e["action"] for e in votes} == {"vote"}
    _, rows = csv_of(hub, f"audit.csv?project={xss_project}")
    assert {r["project"] for r in rows} == {xss_project} and "actor" not in rows[0] and "purpose" not in rows[0]


def test_story_refreshes_are_an_html_table(hub):
    import subprocess
    import sys

    for places in (["--place", "E08000012"], []):  # a real refresh, then one skipped because nothing changed
        done = subprocess.run(
            [sys.executable, "-m", "commons_hub.cli", "stories", "refresh", "crime-by-area", *places],
            env=hub.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    page = register(hub, "stories").text
    assert "<table" in page and "{&quot;" not in page and '{"' not in page  # no raw JSON
    runs = register(hub, "api/stories").json()["rows"]
    crime = [r for r in runs if r["story"] == "crime-by-area"]
    assert {"published", "skipped"} <= {r["status"] for r in crime}
    published = next(r for r in crime if r["status"] == "published")
    assert "crime: December 2021" in published["data_period"] and published["duration_s"] > 0
    assert "crime: December 2021" in page and "crime-by-area" in page
    _, rows = csv_of(hub, "stories.csv")
    assert len(rows) == len(runs) and "actor" not in rows[0]
