"""Projects and their members and datasets, in the governance database.

Proposals, votes and decisions (which change a project's status) live in ``commons_hub.governance.decisions``; this
module only stores and reads projects and turns them into the ``ProjectView`` the policy decides on.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import UTC, date, datetime

import sqlalchemy as sa

from commons_hub.db import engine, project_datasets, project_members, projects
from commons_hub.policy import ProjectView
from commons_kernel.exceptions import GovernanceError


def create_project(
    slug: str,
    title: str,
    purpose: str,
    proposer: str,
    end_date: date,
    *,
    datasets: list[str],
    members: dict[str, str],
    public_benefit: str = "",
    organisation: str = "",
    status: str = "proposed",
    start_date: date | None = None,
    eng=None,
    conn=None,
) -> int:
    """Store a project; ``members`` maps user name → organisation. Returns the project id.

    With ``conn``, on the caller's transaction (``decisions.propose_project``: the project, its proposal and the
    ``propose`` entry commit together); without, in a transaction of its own, outside any vote (the demonstration
    project of `commons init`, and tests).
    """
    now = datetime.now(UTC)
    with nullcontext(conn) if conn is not None else (eng or engine()).begin() as conn:
        if conn.execute(sa.select(projects.c.id).where(projects.c.slug == slug)).first():
            raise GovernanceError(f"A project called {slug!r} already exists; choose another short name.")
        project_id = conn.execute(
            projects.insert().values(
                slug=slug,
                title=title,
                purpose=purpose,
                public_benefit=public_benefit,
                organisation=organisation,
                proposer=proposer,
                status=status,
                start_date=start_date,
                end_date=end_date,
                created_at=now,
                decided_at=now if status == "approved" else None,
            )
        ).inserted_primary_key[0]
        for username, org in members.items():
            conn.execute(project_members.insert().values(project_id=project_id, username=username, organisation=org))
        for name in datasets:
            conn.execute(project_datasets.insert().values(project_id=project_id, dataset=name))
    return project_id


def members_of(conn, project_id: int) -> set[str]:
    """The user names of a project's members."""
    return set(
        conn.execute(sa.select(project_members.c.username).where(project_members.c.project_id == project_id)).scalars()
    )


def datasets_of(conn, project_id: int) -> list[str]:
    """The datasets a project names, sorted."""
    return sorted(
        conn.execute(sa.select(project_datasets.c.dataset).where(project_datasets.c.project_id == project_id)).scalars()
    )


def _view(conn, row) -> ProjectView:
    members, datasets = frozenset(members_of(conn, row.id)), frozenset(datasets_of(conn, row.id))
    return ProjectView(row.slug, row.status, row.end_date, members, datasets, row.start_date)


def project_view(slug: str, eng=None) -> ProjectView | None:
    eng = eng or engine()
    with eng.connect() as conn:
        row = conn.execute(sa.select(projects).where(projects.c.slug == slug)).first()
        return _view(conn, row) if row else None


def list_projects(eng=None) -> list[dict]:
    """Every project with members (and their organisations), datasets, status and dates: public information."""
    eng = eng or engine()
    with eng.connect() as conn:
        rows = conn.execute(sa.select(projects).order_by(projects.c.id)).all()
        result = []
        for row in rows:
            members = conn.execute(
                sa.select(project_members.c.username, project_members.c.organisation).where(
                    project_members.c.project_id == row.id
                )
            ).all()
            datasets = datasets_of(conn, row.id)
            result.append(
                {
                    "slug": row.slug,
                    "title": row.title,
                    "purpose": row.purpose,
                    "public_benefit": row.public_benefit,
                    "organisation": row.organisation,
                    "proposer": row.proposer,
                    "status": row.status,
                    "start_date": row.start_date.isoformat() if row.start_date else None,
                    "end_date": row.end_date.isoformat(),
                    "active": _active(row),
                    "members": [{"username": m.username, "organisation": m.organisation} for m in members],
                    "datasets": datasets,
                }
            )
    return result


def projects_of(username: str, eng=None) -> list[str]:
    eng = eng or engine()
    with eng.connect() as conn:
        return list(
            conn.execute(
                sa.select(projects.c.slug)
                .join(project_members, project_members.c.project_id == projects.c.id)
                .where(project_members.c.username == username)
                .order_by(projects.c.slug)
            ).scalars()
        )


def _active(row) -> bool:
    today = date.today()
    return row.status == "approved" and row.end_date >= today and (row.start_date is None or row.start_date <= today)


DEMO_PROJECT = "early-help-demand"


def seed_demo_project(analyst: str, eng=None) -> None:
    """One approved project over the synthetic restricted dataset, so the demo shows both allow and deny."""
    if project_view(DEMO_PROJECT, eng):
        return
    today = date.today()
    create_project(
        DEMO_PROJECT,
        "Early help demand and deprivation (demonstration, synthetic data)",
        "Understand how demand for early-help referrals varies with neighbourhood deprivation across the City "
        "Region, to plan outreach. Uses SYNTHETIC referral data.",
        proposer=analyst,
        end_date=date(today.year + 1, 12, 31),
        start_date=date(today.year - 1, 1, 1),
        datasets=["synthetic_referrals", "imd2019_lsoa11", "population_mid2019_lsoa11"],
        members={analyst: "Demo Borough Council data team"},
        public_benefit="Earlier support for families in the most deprived neighbourhoods.",
        organisation="Demo Borough Council",
        status="approved",
        eng=eng,
    )
