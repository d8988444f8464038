"""Every table of the register as flat rows with fixed columns: what its CSV and JSON downloads hold.

A table is registered once (``TABLES``) with its columns, the filters it accepts and a function giving its rows
for a query; the downloads (downloads.py) and the pages' download links both read this registry. The rows are
the same public values the pages show (people as organisations), never more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from commons_hub.services.register import audit_entries, story_table, uses
from commons_hub.services.register.query import Query


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: tuple[str, ...]
    filters: tuple[str, ...]
    rows: Callable  # rows(data: RegisterData, query: Query) -> Iterable[dict]


def _matches(query: Query, row: dict, *names: str) -> bool:
    return all(not getattr(query, n) or row.get(n) == getattr(query, n) for n in names)


def _datasets(data, query: Query) -> Iterable[dict]:
    for d in data.datasets():
        yield {
            **d,
            "versions": len(d["versions"]),
            "latest_version": d["versions"][-1]["version"] if d["versions"] else None,
            "status": "withdrawn" if d["withdrawn"] else "available",
        }


def _versions(data, query: Query) -> Iterable[dict]:
    for d in data.datasets():
        if _matches(query, {"dataset": d["name"]}, "dataset"):
            yield from ({"dataset": d["name"], **v} for v in d["versions"])


def _projects(data, query: Query) -> Iterable[dict]:
    for p in data.projects():
        if _matches(query, {"project": p["slug"]}, "project"):
            yield {**p, "decisions": len(p["decisions"])}


def _proposals(data, query: Query) -> Iterable[tuple[str, dict]]:
    for p in data.projects():
        if _matches(query, {"project": p["slug"]}, "project"):
            yield from ((p["slug"], d) for d in p["decisions"])


def _decisions(data, query: Query) -> Iterable[dict]:
    for slug, d in _proposals(data, query):
        counts = {choice: d["counts"].get(choice, 0) for choice in ("approve", "reject", "abstain")}
        yield {**d, "project": slug, "proposal": d["id"], **counts}


def _votes(data, query: Query) -> Iterable[dict]:
    for slug, d in _proposals(data, query):
        yield from ({**v, "project": slug, "proposal": d["id"]} for v in d["votes"])


def _uses(data, query: Query) -> Iterable[dict]:
    return uses.iter_uses(data.engine, data.last_entry(), query)


def _contributions(data, query: Query) -> Iterable[dict]:
    return (c for c in data.contributions()["contributions"] if _matches(query, c, "dataset"))


def _withdrawals(data, query: Query) -> Iterable[dict]:
    return (w for w in data.withdrawals() if _matches(query, w, "dataset"))


def _releases(data, query: Query) -> Iterable[dict]:
    for r in data.releases()["releases"]:
        if _matches(query, r, "project"):
            yield {**r, "files": len(r.get("files", [])), "reviews": len(r.get("reviews", []))}


def _release_parts(key: str) -> Callable:
    def rows(data, query: Query) -> Iterable[dict]:
        for r in data.releases()["releases"]:
            if _matches(query, r, "project"):
                yield from ({"release": r["id"], "project": r["project"], **part} for part in r.get(key, []))

    return rows


def _stories(data, query: Query) -> Iterable[dict]:
    return story_table.iter_story_runs(data.engine, data.periods())


def _audit(data, query: Query) -> Iterable[dict]:
    return audit_entries.iter_entries(data.engine, data.last_entry(), query)


TABLES = {
    t.name: t
    for t in (
        Table(
            "datasets",
            "Datasets",
            (
                "name",
                "title",
                "tier",
                "licence",
                "licence_url",
                "publisher",
                "attribution",
                "owner",
                "synthetic",
                "quality_score",
                "contributed_by",
                "versions",
                "latest_version",
                "reads",
                "status",
                "withdrawn_at",
                "withdrawn_reason",
                "as_of_entry",
            ),
            (),
            _datasets,
        ),
        Table("versions", "Dataset versions", ("dataset", "version", "rows", "added"), ("dataset",), _versions),
        Table(
            "projects",
            "Projects",
            (
                "slug",
                "title",
                "status",
                "active",
                "organisation",
                "members",
                "datasets",
                "start_date",
                "end_date",
                "purpose",
                "public_benefit",
                "decisions",
            ),
            ("project",),
            _projects,
        ),
        Table(
            "decisions",
            "Decisions",
            (
                "project",
                "proposal",
                "kind",
                "member",
                "status",
                "proposed_by",
                "proposed_at",
                "decided_at",
                "decision",
                "standing",
                "rule",
                "approve",
                "reject",
                "abstain",
                "reason",
            ),
            ("project",),
            _decisions,
        ),
        Table(
            "votes",
            "Votes",
            ("project", "proposal", "by", "steward", "choice", "veto_for", "comment", "cast_at"),
            ("project",),
            _votes,
        ),
        Table("uses", "Data uses", uses.COLUMNS, ("dataset", "project", "from", "to"), _uses),
        Table(
            "contributions",
            "Contributions",
            (
                "id",
                "dataset",
                "title",
                "by",
                "tier",
                "licence",
                "rows",
                "quality_score",
                "status",
                "version",
                "submitted_at",
                "decided_at",
                "steward_reason",
            ),
            ("dataset",),
            _contributions,
        ),
        Table(
            "withdrawals",
            "Withdrawals",
            ("dataset", "by", "withdrawn_at", "reason", "stories"),
            ("dataset",),
            _withdrawals,
        ),
        Table(
            "releases",
            "Output releases",
            (
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
                "files",
                "reviews",
            ),
            ("project",),
            _releases,
        ),
        Table(
            "release-files",
            "Released files",
            ("release", "project", "name", "kind", "bytes", "check", "sha256"),
            ("project",),
            _release_parts("files"),
        ),
        Table(
            "release-reviews",
            "Output checkers' reviews",
            ("release", "project", "by", "decision", "comment", "at"),
            ("project",),
            _release_parts("reviews"),
        ),
        Table("stories", "Story refresh history", story_table.COLUMNS + ("ended_at",), (), _stories),
        Table(
            "audit", "Audit log entries", audit_entries.COLUMNS, ("dataset", "project", "action", "from", "to"), _audit
        ),
    )
}
