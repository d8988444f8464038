"""Tables other features own that the register shows as they are: ``releases`` (output releases), and any other
table through ``public_rows`` (the story-refresh history has its own table: story_table.py). When a table does not
exist yet, the register shows none.

Columns that name people (requester, checker, actor, user...) are replaced by their organisation when the row
has one, else dropped, unless ``show_user_names`` is set; long text is kept as text (the templates escape it).
"""

from __future__ import annotations

import sqlalchemy as sa

from commons_hub.services.register.readonly import has_table

PERSON_WORDS = (
    "user",
    "requester",
    "requested_by",
    "checker",
    "reviewer",
    "actor",
    "author",
    "analyst",
    "approver",
    "voter",
    "by",
    "username",
    "owner_name",
    "email",
)
SECRET_WORDS = ("token", "secret", "password", "path", "file_path")
HIDDEN_COLUMNS = {"pid"}  # operational detail of no public interest
ORDER_COLUMNS = ("id", "started_at", "created_at", "time")


def _is_person_column(name: str) -> bool:
    lowered = name.lower()
    parts = set(lowered.split("_"))
    return any(word in parts or lowered == word or lowered.endswith(f"_{word}") for word in PERSON_WORDS)


def _is_secret_column(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in SECRET_WORDS)


def public_rows(eng: sa.Engine, name: str, show_user_names: bool = False, limit: int = 500) -> dict:
    """{"exists": bool, "columns": [...], "rows": [{...}]}, newest first, people shown as organisations."""
    if not has_table(eng, name):
        return {"exists": False, "columns": [], "rows": []}
    table = sa.Table(name, sa.MetaData(), autoload_with=eng)
    columns = [
        c.name
        for c in table.columns
        if not _is_secret_column(c.name)
        and c.name not in HIDDEN_COLUMNS
        and (show_user_names or not _is_person_column(c.name))
    ]
    order = next((table.c[c] for c in ORDER_COLUMNS if c in table.c), None)
    query = sa.select(*[table.c[c] for c in columns]).limit(limit)
    if order is not None:
        query = query.order_by(order.desc())
    with eng.connect() as conn:
        rows = [
            {k: (v if isinstance(v, (int, float, bool, type(None))) else str(v)) for k, v in row.items()}
            for row in conn.execute(query).mappings()
        ]
    return {"exists": True, "columns": columns, "rows": rows}


def public_releases(eng: sa.Engine, person, limit: int = 500) -> dict:
    """Output releases (the ``releases``, ``release_files`` and ``release_reviews`` tables), newest first: what
    was asked for, by which project, the checks, each checker's decision and comment (as their organisation)."""
    if not has_table(eng, "releases"):
        return {"exists": False, "releases": []}
    from commons_hub.governance.organisations import organisation_of

    meta = sa.MetaData()
    releases = sa.Table("releases", meta, autoload_with=eng)
    files = sa.Table("release_files", meta, autoload_with=eng) if has_table(eng, "release_files") else None
    reviews = sa.Table("release_reviews", meta, autoload_with=eng) if has_table(eng, "release_reviews") else None
    shown = [
        c
        for c in (
            "id",
            "project",
            "title",
            "description",
            "status",
            "created_at",
            "released_at",
            "decided_at",
            "version",
            "replaces",
            "checks_status",
        )
        if c in releases.c
    ]
    result = []
    with eng.connect() as conn:
        # Only released outputs are public: a pending request's description can say what is being studied in
        # restricted data before any checker has looked at it.
        rows = (
            conn.execute(
                sa.select(*[releases.c[c] for c in shown])
                .where(releases.c.status == "released")
                .order_by(releases.c.id.desc())
                .limit(limit)
            )
            .mappings()
            .all()
        )
        for row in rows:
            entry: dict[str, object] = {
                k: (v if isinstance(v, (int, float, type(None))) else str(v)) for k, v in row.items()
            }
            if files is not None:
                entry["files"] = [
                    {"name": f.name, "kind": f.kind, "bytes": f.bytes, "sha256": f.sha256, "check": f.check_status}
                    for f in conn.execute(
                        sa.select(files).where(files.c.release_id == row["id"]).order_by(files.c.name)
                    )
                ]
            if reviews is not None:
                entry["reviews"] = [
                    {
                        "by": person(r.checker, organisation_of(r.checker, conn)),
                        "decision": r.decision,
                        "comment": r.comment,
                        "at": str(r.created_at),
                    }
                    for r in conn.execute(
                        sa.select(reviews).where(reviews.c.release_id == row["id"]).order_by(reviews.c.id)
                    )
                ]
            result.append(entry)
    return {"exists": True, "releases": result}
