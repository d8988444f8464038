"""Run by tests/unit/test_migrations.py with PYTHONPATH on a checkout of the release before migrations (e3107dc):
that release's own code creates the governance database at COMMONS_DB_URL and writes real rows into it (a
project with members and datasets, a proposal and votes, a contribution, audit entries). Prints a JSON summary.

Run as a script (not ``-m``), so the project root is not on sys.path and the old ``commons_hub`` is the one imported.
"""

import json
import os
import sys
from datetime import UTC, date, datetime

import sqlalchemy as sa

import commons_hub
from commons_hub import db, tables
from commons_hub.audit import AuditEvent, AuditLog
from commons_hub.governance.projects import create_project

release = sys.argv[1]
if not commons_hub.__file__.startswith(release):
    sys.exit(f"imported {commons_hub.__file__}, not the release under {release}")
eng = db.engine()  # that release's create_all
tables.import_all()
from commons_hub.tables.contributions import contributions  # noqa: E402  (after import_all, as that code did)
from commons_hub.tables.votes import proposals, votes  # noqa: E402

audit = AuditLog(eng)
now = datetime.now(UTC)
project_id = create_project(
    "flood-risk",
    "Flood risk and deprivation",
    "Link flood zones to deprivation by LSOA",
    "amira",
    date(2027, 12, 31),
    datasets=["imd2019", "flood-zones"],
    members={"amira": "Sefton Council", "ben": "Wirral CVS"},
    status="approved",
    start_date=date(2026, 1, 1),
    organisation="Sefton Council",
    eng=eng,
)
with eng.begin() as conn:
    proposal_id = conn.execute(
        proposals.insert().values(
            kind="project",
            project_id=project_id,
            organisation="Sefton Council",
            reason="",
            proposer="amira",
            status="approved",
            created_at=now,
            decided_at=now,
            decision_reason="quorum reached",
        )
    ).inserted_primary_key[0]
    for voter, steward in (("carol", True), ("dev", False), ("erin", False)):
        conn.execute(
            votes.insert().values(
                proposal_id=proposal_id,
                voter=voter,
                organisation="LCR",
                steward=steward,
                owner_of="[]",
                choice="approve",
                comment="ok",
                cast_at=now,
            )
        )
    conn.execute(
        contributions.insert().values(
            dataset="food-banks",
            contributor="ben",
            organisation="Wirral CVS",
            title="Food banks",
            tier="open",
            licence="OGL-UK-3.0",
            publisher="Wirral CVS",
            filename="food.csv",
            file_type="csv",
            sha256="0" * 64,
            size_bytes=120,
            rows=3,
            score=90,
            status="pending",
            created_at=now,
            reason="",
            metadata_json="{}",
        )
    )
audit.append(AuditEvent(actor="amira", action="propose", project="flood-risk", detail={"proposal": proposal_id}))
for voter in ("carol", "dev", "erin"):
    audit.append(AuditEvent(actor=voter, action="vote", project="flood-risk", detail={"choice": "approve"}))
audit.append(AuditEvent(actor="system", actor_kind="service", action="decide", project="flood-risk"))
audit.append(AuditEvent(actor="ben", action="contribute", dataset="food-banks", rows=3))
audit.append(
    AuditEvent(
        actor="amira",
        action="read",
        project="flood-risk",
        purpose="flood and deprivation",
        dataset="imd2019",
        version=1,
        rows=1000,
        bytes=52000,
        detail={"tier": "restricted"},
    )
)
audit.append(
    AuditEvent(actor="ben", action="deny", dataset="imd2019", outcome="denied", detail={"reason": "not a member"})
)
with eng.connect() as conn:
    counts = {
        name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()
        for name, table in sorted(db.METADATA.tables.items())
    }
print(json.dumps({"counts": counts, "url": os.environ["COMMONS_DB_URL"].split("@")[-1]}))
