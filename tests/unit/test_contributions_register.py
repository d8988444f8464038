"""The public register over a temporary state directory: its numbers are the audit log's, everything members
wrote is escaped, people appear as organisations unless configured, and the database is opened read-only."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
import yaml
from tornado.testing import AsyncHTTPTestCase

from commons_hub.audit import AuditEvent, AuditLog
from commons_hub.db import engine
from commons_hub.governance import contributions, decisions, withdrawals
from commons_hub.policy import Caller
from commons_hub.services.register.app import make_app
from commons_hub.services.register.data import RegisterData
from commons_hub.services.register.extra_tables import public_releases, public_rows
from commons_hub.services.register.readonly import readonly_engine
from commons_hub.store import Store
from commons_kernel.catalog import load_metadata

pytestmark = pytest.mark.unit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bad_uploads"
XSS = "<script>alert('xss')</script>"
ANALYST = Caller("analyst1", groups=frozenset({"members"}))
OTHER = Caller("analyst2", groups=frozenset({"members"}))
STEWARD = Caller("steward", groups=frozenset({"members", "stewards"}))
CHECKER = Caller("checker", groups=frozenset({"members", "checkers"}))  # proposes: a proposer does not vote


def build_state(home: Path) -> SimpleNamespace:
    """A contribution (approved, then withdrawn), a project decided by vote with script tags in what members
    wrote, and reads in the audit log over two months and two projects."""
    eng = engine(f"sqlite:///{home / 'governance.sqlite'}")
    store, audit = Store(home), AuditLog(eng, anchor=home / "audit.anchor")
    cat = load_metadata()
    meta = yaml.safe_load((FIXTURES / "metadata.yaml").read_text())
    meta["title"] = f"Visits {XSS}"
    record = contributions.submit(
        ANALYST,
        (FIXTURES / "good.csv").read_bytes(),
        "good.csv",
        meta,
        store=store,
        eng=eng,
        audit=audit,
        catalogue=cat,
    )
    contributions.approve(STEWARD, record["id"], f"ok {XSS}", store=store, eng=eng, audit=audit)
    proposal = decisions.propose_project(
        CHECKER,
        title=f"Project {XSS}",
        purpose=f"Purpose {XSS}",
        public_benefit="Benefit",
        datasets=["synthetic_referrals"],
        end_date=date.today() + timedelta(days=30),
        catalogue=cat,
        eng=eng,
        audit=audit,
    )
    for caller, choice in ((ANALYST, "approve"), (OTHER, "reject"), (STEWARD, "approve")):
        decisions.vote(caller, proposal["id"], choice, f"comment {XSS}", eng=eng, audit=audit, catalogue=cat)
    reads = [
        ("foodbank_visits_ward22", None, 3),
        ("foodbank_visits_ward22", None, 3),
        ("synthetic_referrals", proposal["project"], 100),
        ("imd2019_lsoa11", "early-help-demand", 989),
    ]
    for dataset, project, rows in reads:
        audit.append(AuditEvent(actor="analyst1", action="read", dataset=dataset, project=project, rows=rows))
    audit.append(AuditEvent(actor="analyst2", action="deny", outcome="denied", dataset="synthetic_referrals"))
    withdrawals.withdraw(ANALYST, "foodbank_visits_ward22", f"consent {XSS}", store=store, eng=eng, audit=audit)
    return SimpleNamespace(eng=eng, store=store, audit=audit, slug=proposal["project"])


@pytest.fixture
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMONS_HOME", str(tmp_path))
    return build_state(tmp_path)


@pytest.fixture
def register(state, tmp_path):
    return RegisterData(readonly_engine(f"sqlite:///{tmp_path / 'governance.sqlite'}"), state.store)


def audit_counts(audit: AuditLog, up_to: int) -> Counter:
    return Counter(
        (e["dataset"], e["project"], e["time"][:7])
        for e in audit.entries()
        if e["action"] == "read" and e["outcome"] == "ok" and e["id"] <= up_to
    )


def test_uses_equal_the_audit_log(register, state):
    uses = register.uses()
    counted = Counter({(u["dataset"], u["project"], u["month"]): u["reads"] for u in uses["uses"]})
    assert counted == audit_counts(state.audit, uses["as_of_entry"])
    assert sum(counted.values()) == 4
    rows = {(u["dataset"], u["project"]): u["rows"] for u in uses["uses"]}
    assert rows[("foodbank_visits_ward22", None)] == 6
    datasets = {d["name"]: d for d in register.datasets()}
    assert datasets["foodbank_visits_ward22"]["reads"] == 2 and datasets["foodbank_visits_ward22"]["withdrawn"]


def test_uses_stop_at_the_entry_named(register, state):
    first_read = next(e["id"] for e in state.audit.entries() if e["action"] == "read")
    assert sum(u["reads"] for u in register.uses(as_of=first_read)["uses"]) == 1


def strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []


def test_people_are_organisations_unless_configured(register, state):
    shown = strings(
        json.loads(json.dumps([register.projects(), register.contributions(), register.datasets()], default=str))
    )
    assert not [s for s in shown if s in ("analyst1", "analyst2", "steward") or "analyst1" in s]
    assert "Demo Borough Council data team" in shown
    project = register.project(state.slug)
    assert [v["by"] for v in project["decisions"][0]["votes"]] == [
        "Demo Borough Council data team",
        "Merseyside Community Voluntary Services (demo)",
        "LCR Data Cooperative stewards (demo)",
    ]
    named = RegisterData(register.engine, state.store, show_user_names=True)
    assert named.project(state.slug)["decisions"][0]["votes"][0]["by"] == "analyst1 (Demo Borough Council data team)"


def test_audit_status(register, state):
    status = register.audit_status()
    assert status["ok"] and status["entries"] == len(list(state.audit.entries()))


def test_tables_of_other_features_when_missing(tmp_path):
    bare = tmp_path / "bare.sqlite"
    sa.create_engine(f"sqlite:///{bare}").connect().close()
    eng = readonly_engine(f"sqlite:///{bare}")
    assert public_releases(eng, str) == {"exists": False, "releases": []}
    assert public_rows(eng, "story_runs") == {"exists": False, "columns": [], "rows": []}


def test_releases_and_story_runs_show_organisations_not_people(tmp_path, register):
    writable = engine(f"sqlite:///{tmp_path / 'governance.sqlite'}")
    now = datetime.now(UTC)
    with writable.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO releases (id, project, title, description, requester, status, created_at, "
                "version, checks_status) VALUES (1, 'early-help-demand', 'Referral rates', 'by ward', "
                "'analyst1', 'released', :now, 1, 'pass')"
            ),
            {"now": now},
        )
        conn.execute(
            sa.text(
                "INSERT INTO release_reviews (release_id, checker, decision, comment, created_at) "
                "VALUES (1, 'checker', 'approve', 'fine', :now)"
            ),
            {"now": now},
        )
        conn.execute(
            sa.text(
                "INSERT INTO story_runs (run_id, story, parameters, started_at, status, input_versions, "
                "trigger, actor, pid) VALUES ('r1', 'my-ward', '{}', :now, 'published', '{}', "
                "'schedule', 'stories', 4242)"
            ),
            {"now": now},
        )
    release = register.releases()["releases"][0]
    assert (release["title"], release["status"]) == ("Referral rates", "released") and "requester" not in release
    assert release["reviews"][0]["by"] == "LCR Data Cooperative output checkers (demo)"
    runs = register.story_runs()
    assert runs["rows"][0]["story"] == "my-ward" and "actor" not in runs["columns"] and "pid" not in runs["columns"]


def test_register_connection_cannot_write(register):
    with pytest.raises(sa.exc.OperationalError, match="readonly"), register.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM audit_log")


class RegisterPages(AsyncHTTPTestCase):
    """Each page and its JSON twin, over the state above (run by pytest through unittest)."""

    def get_app(self):
        import tempfile

        self._home = Path(tempfile.mkdtemp(prefix="register-unit-"))
        self.state = build_state(self._home)
        data = RegisterData(readonly_engine(f"sqlite:///{self._home / 'governance.sqlite'}"), self.state.store)
        return make_app(data, "/services/register/")

    def test_every_page_answers_escaped_and_without_scripts(self):
        pages = [
            "",
            "datasets",
            "datasets/foodbank_visits_ward22",
            "projects",
            f"projects/{self.state.slug}",
            "uses",
            "releases",
            "contributions",
            "stories",
            "audit",
        ]
        for page in pages:
            response = self.fetch(f"/services/register/{page}")
            body = response.body.decode()
            assert response.code == 200, page
            assert "<script" not in body.lower(), page
            assert "script-src" not in response.headers["Content-Security-Policy"]  # default-src 'none' covers it
            assert response.headers["Content-Type"].startswith("text/html")
            json_twin = self.fetch(f"/services/register/api/{page or 'summary'}")
            assert json_twin.code == 200 and json_twin.headers["Content-Type"].startswith("application/json")
        project = self.fetch(f"/services/register/projects/{self.state.slug}").body.decode()
        assert project.count("&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;") >= 5  # title, purpose, 3 comments
        withdrawn = self.fetch("/services/register/contributions").body.decode()
        assert "consent &lt;script&gt;" in withdrawn and "ok &lt;script&gt;" in withdrawn

    def test_unknown_entries_are_404(self):
        assert self.fetch("/services/register/datasets/no_such").code == 404
        assert self.fetch("/services/register/api/projects/no-such").code == 404


def test_chain_status_is_current_and_catches_tampering(register, state, tmp_path, monkeypatch):
    from commons_hub.services.register import chain

    before = register.audit_status()["entries"]
    state.audit.append(AuditEvent(actor="analyst1", action="read", dataset="imd2019_lsoa11", rows=1))
    status = register.audit_status()
    assert status["ok"] and status["entries"] == before + 1
    writable = engine(f"sqlite:///{tmp_path / 'governance.sqlite'}")
    with writable.begin() as conn:
        conn.exec_driver_sql("UPDATE audit_log SET rows = 999999 WHERE id = 2")
    monkeypatch.setattr(chain, "FULL_EVERY", 0.0)
    status = register.audit_status()
    assert not status["ok"] and status["first_bad_id"] == 2 and "changed" in status["reason"]
