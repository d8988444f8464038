"""The release workflow on a real governance database, audit log and state directory (no servers)."""

from __future__ import annotations

import json
import subprocess
from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from commons_hub.audit import AuditLog
from commons_hub.cli import main as cli_main
from commons_hub.db import engine
from commons_hub.governance.projects import create_project
from commons_hub.policy import Caller
from commons_hub.releases import files as release_files
from commons_hub.releases.service import ReleaseService, all_releases, sweep
from commons_hub.tables.releases import release_files as files_table
from commons_hub.tables.releases import release_reviews, releases
from commons_kernel.exceptions import (
    AccessDenied,
    CommonsError,
    DisclosureRisk,
    GovernanceError,
    ReleaseNotFound,
    ValidationFailed,
)
from commons_kernel.releases import to_outputs

pytestmark = pytest.mark.unit

ANALYST = Caller("analyst1", groups=frozenset({"members"}))
CHECKER = Caller("checker", groups=frozenset({"members", "checkers"}))
CHECKER2 = Caller("checker2", groups=frozenset({"members", "checkers"}))
OUTSIDER = Caller("analyst2", groups=frozenset({"members"}))
PROJECT = "early-help-demand"


def approved_project(eng, members: dict[str, str]) -> None:
    """PROJECT, approved and running, over synthetic_referrals, with ``members``."""
    today = date.today()
    create_project(
        PROJECT,
        "Early help demand (synthetic)",
        "Plan outreach.",
        "analyst1",
        date(today.year + 1, 12, 31),
        start_date=date(today.year - 1, 1, 1),
        status="approved",
        datasets=["synthetic_referrals"],
        members=members,
        eng=eng,
    )


@pytest.fixture
def service(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMONS_HOME", str(tmp_path))
    eng = engine(f"sqlite:///{tmp_path / 'governance.sqlite'}")
    approved_project(eng, {"analyst1": "Council", "checker": "Checkers"})
    metadata = {"synthetic_referrals": {"name": "synthetic_referrals", "disclosure": {"threshold": 10}}}
    return ReleaseService(eng, AuditLog(eng, anchor=tmp_path / "audit.anchor"), tmp_path, metadata.get)


def payload(counts=(38, 105, 102), **extra):
    table = pd.DataFrame({"referrals": list(counts)}, index=pd.Index(["Halton", "Knowsley", "Wirral"], name="borough"))
    outputs, _ = to_outputs({"referrals_by_borough": table, "note": "Counts of SYNTHETIC referrals."})
    return {
        "project": PROJECT,
        "title": "Referrals by borough (synthetic)",
        "description": "Weekly referrals by borough, from synthetic data, for the outreach plan.",
        "outputs": [o.to_payload() for o in outputs],
        **extra,
    }


def actions(service):
    return [(e["action"], e["outcome"], e["actor"]) for e in service.audit.entries()]


def test_a_request_is_stored_atomically_with_checksums(service, tmp_path):
    details = service.request(ANALYST, payload())
    assert details["status"] == "pending" and details["approvals"] == 0 and details["version"] == 1
    names = {f["name"] for f in details["files"]}
    assert names == {"referrals_by_borough.parquet", "referrals_by_borough.csv", "note.txt"}
    folder = release_files.release_dir(tmp_path, details["id"])
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["thresholds"]["threshold"] == 10 and len(manifest["files"]) == 3
    assert (folder / "files" / "referrals_by_borough.csv").read_text().splitlines()[:2] == [
        "borough,referrals",
        "Halton,38",
    ]
    assert not [p for p in release_files.releases_root(tmp_path).iterdir() if p.name.startswith(".staging")]
    assert actions(service) == [("release-request", "ok", "analyst1")]


def test_the_server_refuses_a_failing_table_whatever_the_kernel_said(service, tmp_path):
    with pytest.raises(DisclosureRisk, match=r"\(Knowsley, referrals\): fewer than 10 records"):
        service.request(ANALYST, payload(counts=(38, 4, 102)))
    assert actions(service) == [("release-request", "denied", "analyst1")]
    assert not release_files.releases_root(tmp_path).exists() or not list(
        release_files.releases_root(tmp_path).iterdir()
    )


def test_only_project_members_request(service):
    with pytest.raises(AccessDenied, match="not a member of project"):
        service.request(OUTSIDER, payload())
    with pytest.raises(ValidationFailed, match="needs description"):
        service.request(ANALYST, {**payload(), "description": " "})


def test_two_different_checkers_release_it_and_then_members_download(service):
    release_id = service.request(ANALYST, payload())["id"]
    with pytest.raises(AccessDenied, match="no self-approval"):
        service.review(Caller("analyst1", groups=frozenset({"checkers"})), release_id, "approve")
    assert service.review(CHECKER, release_id, "approve", "fine")["status"] == "pending"
    again = service.review(CHECKER, release_id, "approve", "still fine")
    assert again["status"] == "pending" and again["approvals"] == 1  # a checker counts once
    with pytest.raises(GovernanceError, match="once two checkers"):
        service.open_download(ANALYST, release_id, "note.txt")
    released = service.review(CHECKER2, release_id, "approve")
    assert released["status"] == "released" and released["checkers"] == ["checker", "checker2"]
    assert released["released_at"] is not None
    path, stored = service.open_download(ANALYST, release_id, "note.txt")
    assert path.read_bytes() == b"Counts of SYNTHETIC referrals." and stored["kind"] == "text"
    with pytest.raises(AccessDenied, match="not one of its members"):
        service.open_download(OUTSIDER, release_id, "note.txt")
    with pytest.raises(GovernanceError, match="only pending releases"):
        service.review(CHECKER2, release_id, "reject", "too late")
    assert [r["id"] for r in all_releases(service.engine, status="released")] == [release_id]
    assert service.details(OUTSIDER, release_id).keys() == {
        "id",
        "project",
        "title",
        "status",
        "version",
        "created_at",
        "released_at",
        "checkers",
    }
    log = actions(service)
    assert ("release", "ok", "checker2") in log and log[-3:] == [
        ("release-download", "ok", "analyst1"),
        ("release-download", "denied", "analyst2"),
        ("release-review", "denied", "checker2"),
    ]


def test_rejection_ends_it_and_request_changes_lets_the_requester_resubmit(service):
    rejected = service.request(ANALYST, payload())["id"]
    with pytest.raises(ValidationFailed, match="Say why"):
        service.review(CHECKER, rejected, "reject")
    assert service.review(CHECKER, rejected, "reject", "Differencing risk with table 2.")["status"] == "rejected"
    sent_back = service.request(ANALYST, payload())["id"]
    assert service.review(CHECKER2, sent_back, "request-changes", "Round to 5.")["status"] == "changes-requested"
    with pytest.raises(AccessDenied, match="only they may resubmit"):
        service.request(Caller("checker", groups=frozenset({"members"})), payload(replaces=sent_back))
    version2 = service.request(ANALYST, payload(replaces=sent_back))
    assert version2["version"] == 2 and version2["replaces"] == sent_back and version2["status"] == "pending"
    with pytest.raises(GovernanceError, match=f"already resubmitted as release {version2['id']}"):
        service.request(ANALYST, payload(replaces=sent_back))
    with pytest.raises(GovernanceError, match="only a release sent back"):
        service.request(ANALYST, payload(replaces=rejected))
    assert service.details(ANALYST, sent_back)["replaced_by"] == version2["id"]


def test_pending_details_are_for_checkers_and_the_project(service):
    release_id = service.request(ANALYST, payload())["id"]
    assert service.details(CHECKER2, release_id)["files"]
    with pytest.raises(AccessDenied):
        service.details(OUTSIDER, release_id)
    with pytest.raises(ReleaseNotFound):
        service.details(ANALYST, 999)
    with pytest.raises(ReleaseNotFound, match="has no file 'secrets.json'"):
        service.open_download(CHECKER2, release_id, "secrets.json")
    assert [r["id"] for r in service.visible(OUTSIDER)] == []
    assert [r["id"] for r in service.visible(CHECKER2)] == [release_id]


def test_a_changed_file_is_not_sent_and_verify_names_it(service, tmp_path, capsys):
    release_id = service.request(ANALYST, payload())["id"]
    service.review(CHECKER, release_id, "approve")
    service.review(CHECKER2, release_id, "approve")
    target = release_files.file_path(tmp_path, release_id, "note.txt")
    target.write_text("something else")
    with pytest.raises(CommonsError, match="changed since it was stored"):
        service.open_download(ANALYST, release_id, "note.txt")
    assert actions(service)[-1] == ("release-download", "error", "analyst1")
    expected = {f["name"]: f["sha256"] for f in service.details(ANALYST, release_id)["files"]}
    assert release_files.verify(tmp_path, release_id, expected) == [
        f"release {release_id}: files/note.txt changed after it was stored (sha256 differs)"
    ]
    assert cli_main(["releases", "verify"]) == 1
    assert "note.txt changed" in capsys.readouterr().err


def test_a_failed_store_leaves_no_release_and_no_folder(service, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(release_files, "publish", broken)
    with pytest.raises(OSError):
        service.request(ANALYST, payload())
    assert service.visible(CHECKER) == []
    assert list(release_files.releases_root(tmp_path).iterdir()) == []


def test_cli_lists_and_shows_releases(service, capsys):
    release_id = service.request(ANALYST, payload())["id"]
    service.review(CHECKER, release_id, "approve", "Counts all at least 10.")
    assert cli_main(["releases", "list"]) == 0
    listing = capsys.readouterr().out
    assert f"{release_id:>5}  pending" in listing and "approved by: checker" in listing
    assert cli_main(["releases", "show", str(release_id)]) == 0
    shown = capsys.readouterr().out
    assert "referrals_by_borough.csv" in shown and "Counts all at least 10." in shown
    assert cli_main(["releases", "verify"]) == 0
    assert "1 release(s) intact" in capsys.readouterr().out


# -- each write and its audit entry in one transaction ----------------------------------------------------------


def failing_chain(monkeypatch, action):
    """Make the audit log fail to append an entry of ``action`` (inside the write's transaction)."""
    chain = AuditLog._chain

    def failing(conn, entry):
        if entry["action"] == action:
            raise OSError("disk full")
        return chain(conn, entry)

    monkeypatch.setattr(AuditLog, "_chain", staticmethod(failing))
    return lambda: monkeypatch.setattr(AuditLog, "_chain", staticmethod(chain))


def counts(service) -> dict:
    with service.engine.connect() as conn:
        return {
            table.name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()
            for table in (releases, files_table, release_reviews)
        }


def test_a_request_whose_entry_cannot_be_written_leaves_no_release(service, tmp_path, monkeypatch):
    restore = failing_chain(monkeypatch, "release-request")
    with pytest.raises(OSError, match="disk full"):
        service.request(ANALYST, payload())
    restore()
    assert counts(service) == {"releases": 0, "release_files": 0, "release_reviews": 0}
    assert list(release_files.releases_root(tmp_path).iterdir()) == []  # renamed into place, then taken back
    assert actions(service) == []
    assert service.request(ANALYST, payload())["id"] == 1  # nothing left behind blocks the next one


def test_a_review_whose_entry_cannot_be_written_is_not_made(service, monkeypatch):
    release_id = service.request(ANALYST, payload())["id"]
    restore = failing_chain(monkeypatch, "release-review")
    with pytest.raises(OSError, match="disk full"):
        service.review(CHECKER, release_id, "approve", "fine")
    restore()
    assert counts(service)["release_reviews"] == 0
    assert actions(service) == [("release-request", "ok", "analyst1")]


def test_the_approval_that_releases_is_undone_with_its_release_entry(service, monkeypatch):
    release_id = service.request(ANALYST, payload())["id"]
    service.review(CHECKER, release_id, "approve", "fine")
    restore = failing_chain(monkeypatch, "release")
    with pytest.raises(OSError, match="disk full"):
        service.review(CHECKER2, release_id, "approve", "fine too")
    restore()
    assert counts(service)["release_reviews"] == 1
    assert service.details(CHECKER, release_id)["status"] == "pending"
    assert [a for a in actions(service) if a[0] == "release-review"] == [("release-review", "ok", "checker")]
    with pytest.raises(GovernanceError, match="once two checkers"):
        service.open_download(ANALYST, release_id, "note.txt")


def test_a_download_whose_entry_cannot_be_written_sends_nothing(service, monkeypatch):
    release_id = service.request(ANALYST, payload())["id"]
    restore = failing_chain(monkeypatch, "release-download")
    with pytest.raises(OSError, match="disk full"):
        service.open_download(CHECKER, release_id, "note.txt")
    restore()
    assert [a for a in actions(service) if a[0] == "release-download"] == []


def test_refusals_are_audited_with_their_reason_and_error(service):
    release_id = service.request(ANALYST, payload())["id"]
    with pytest.raises(AccessDenied):
        service.request(OUTSIDER, payload())
    with pytest.raises(ReleaseNotFound):
        service.review(CHECKER, 999, "approve")
    with pytest.raises(ReleaseNotFound):
        service.open_download(CHECKER, release_id, "secrets.json")
    with pytest.raises(AccessDenied):
        service.details(OUTSIDER, release_id)
    denied = [e for e in service.audit.entries() if e["outcome"] == "denied"]
    got = [(e["action"], e["project"], json.loads(e["detail"])) for e in denied]
    assert [(action, project) for action, project, _ in got] == [
        ("release-request", PROJECT),
        ("release-review", None),
        ("release-download", None),
        ("deny", PROJECT),
    ]
    assert got[0][2]["error"] == "AccessDenied" and "not a member of project" in got[0][2]["reason"]
    assert got[1][2] == {
        "release": 999,
        "decision": "approve",
        "reason": "No release 999. List the releases you can see with ck.releases().",
        "error": "ReleaseNotFound",
    }
    assert got[2][2]["file"] == "secrets.json" and got[2][2]["error"] == "ReleaseNotFound"
    assert got[3][2]["what"] == "details" and "not one of its members" in got[3][2]["reason"]


def test_sweep_removes_only_release_folders_no_committed_row_owns(service, tmp_path):
    release_id = service.request(ANALYST, payload())["id"]
    root = release_files.releases_root(tmp_path)
    for leftover in (".staging-abc", str(release_id + 1)):
        (root / leftover / "files").mkdir(parents=True)
    (root / "notes").mkdir()  # not a release folder: left alone
    done = sweep(tmp_path, service.engine)
    assert done == [
        "removed releases/.staging-abc (a release that never committed)",
        f"removed releases/{release_id + 1} (a release that never committed)",
    ]
    assert sorted(p.name for p in root.iterdir()) == [str(release_id), "notes"]
    assert sweep(tmp_path, service.engine) == []


def test_cli_lists_only_the_approvals_that_count(service, capsys):
    release_id = service.request(ANALYST, payload())["id"]
    service.review(CHECKER, release_id, "approve", "fine")
    service.review(CHECKER, release_id, "reject", "on second thoughts, differencing with table 2")
    assert cli_main(["releases", "list"]) == 0
    listing = capsys.readouterr().out
    assert f"{release_id:>5}  rejected" in listing and "approved by: -" in listing
