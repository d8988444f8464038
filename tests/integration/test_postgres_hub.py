"""The whole commons on PostgreSQL: a real hub of its own whose governance and audit database (COMMONS_DB_URL) and
JupyterHub database (COMMONS_HUB_DB_URL) are on the throwaway server (``postgres_server``). One representative
path: spawn, open and restricted reads through a kernel, a vote, the register, `commons audit verify`.
The kernel's environment holds neither database URL nor its password."""

from __future__ import annotations

import os
from datetime import date, timedelta

import pytest
import requests
import sqlalchemy as sa

from commons_hub.governance.projects import DEMO_PROJECT
from tests.integration.governance_client import audit_entries, cli, post, unique
from tests.integration.hubfixture import RunningHub

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def pg_hub(postgres_server, tmp_path_factory):
    governance = postgres_server.create_database("hub_governance")
    hub_db = postgres_server.create_database("hub_jupyterhub")
    running = RunningHub.in_temporary_home(tmp_path_factory.mktemp("pg-hub") / "hub.log")
    running.env.update({"COMMONS_DB_URL": governance, "COMMONS_HUB_DB_URL": hub_db})
    saved = {name: os.environ.get(name) for name in ("COMMONS_DB_URL", "COMMONS_HUB_DB_URL")}
    os.environ.update({"COMMONS_DB_URL": governance, "COMMONS_HUB_DB_URL": hub_db})  # demo accounts, made here
    try:
        running.start()
        running.governance_url, running.hub_db_url = governance, hub_db
        yield running
    finally:
        running.stop()
        running.remove_home()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        from commons_hub import db

        db.dispose_all()


def test_everything_runs_on_postgresql(pg_hub, postgres_server):
    hub = pg_hub
    hub.spawn("analyst1")
    out = hub.execute(
        "analyst1",
        """
import os
import commons_kernel as ck
imd = ck.read("imd2019_lsoa11", columns=["lsoa11_code", "imd_score"])
ref = ck.read("synthetic_referrals", project="early-help-demand", purpose="the PostgreSQL integration run")
print("open", len(imd), "restricted", len(ref))
print("env", sorted(k for k, v in os.environ.items() if "postgres" in v.lower() or "DB_URL" in k))
print("password", any(PASSWORD in v for v in os.environ.values()))
""".replace("PASSWORD", repr(postgres_server.password)),
    )
    assert out["error"] is None, out
    assert "open 989 restricted" in out["stdout"]
    assert "env []" in out["stdout"] and "password False" in out["stdout"]

    # A vote decides a proposal; the decision takes effect at once.
    end = (date.today() + timedelta(days=90)).isoformat()
    proposal = post(
        hub,
        "analyst2",
        "api/proposals",
        {
            "kind": "project",
            "title": f"Referrals on PostgreSQL {unique('pg')}",
            "purpose": "Plan outreach in wards.",
            "public_benefit": "Earlier help for families.",
            "datasets": ["synthetic_referrals"],
            "members": ["analyst2"],
            "end_date": end,
        },
    )
    assert proposal.status_code == 201, proposal.text
    proposal = proposal.json()
    for voter in ("analyst1", "checker"):
        assert post(hub, voter, f"api/proposals/{proposal['id']}/votes", {"choice": "approve"}).status_code == 201
    decided = post(hub, "steward", f"api/proposals/{proposal['id']}/votes", {"choice": "approve"})
    assert decided.status_code == 201 and decided.json()["status"] == "approved", decided.text
    read = hub.data_api(
        "api/datasets/synthetic_referrals/data",
        user="analyst2",
        params={"project": proposal["project"], "columns": "lsoa11_code", "purpose": "check the decision took effect"},
    )
    assert read.status_code == 200, read.text

    # The register is computed from the same PostgreSQL store, and the chain verifies there.
    uses = requests.get(f"{hub.url}/services/register/api/uses", timeout=60).json()
    assert any(u["project"] == DEMO_PROJECT and u["dataset"] == "synthetic_referrals" for u in uses["uses"])
    audit_page = requests.get(f"{hub.url}/services/register/api/audit", timeout=60).json()
    assert audit_page["ok"] is True, audit_page
    verify = cli(hub, None, "audit", "verify")
    assert "Audit chain intact" in verify.stdout
    entries = audit_entries(hub)
    actions = [e["action"] for e in entries if e["project"] == proposal["project"]]
    assert actions[:5] == ["propose", "vote", "vote", "vote", "decide"] and "read" in actions

    # And it is all really in PostgreSQL: the audit log, the project, the hub's users; no SQLite governance file.
    governance = sa.create_engine(hub.governance_url, poolclass=sa.pool.NullPool)
    with governance.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM audit_log")).scalar() == len(entries)
        assert (
            conn.execute(sa.text("SELECT count(*) FROM votes WHERE proposal_id = :p"), {"p": proposal["id"]}).scalar()
            == 3
        )
    hub_db = sa.create_engine(hub.hub_db_url, poolclass=sa.pool.NullPool)
    with hub_db.connect() as conn:
        names = {row[0] for row in conn.execute(sa.text("SELECT name FROM users"))}
    assert {"analyst1", "analyst2", "steward"} <= names
    assert not (hub.home / "governance.sqlite").exists()
    current = cli(hub, None, "db", "current")
    assert "***" in current.stdout and postgres_server.password not in current.stdout
