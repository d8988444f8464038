"""Output releases: request, review, release and download, each checked, written and audited in one call.

A member of an approved project asks for outputs made from its data to be released; the data-api checks the
outputs again (it does not trust the kernel), stores them with checksums under ``$COMMONS_HOME/releases/<id>/``
and the request waits for two different output checkers, neither the requester (``commons_hub.releases.rules``).

Order of each call: check (rules) → write and audit in ONE database transaction (``AuditLog.transaction``; files
renamed into place inside it, the entry written once the transaction has decided the new state), so a crash leaves
the change with its entry or neither; a release folder whose transaction never committed is never served (downloads
go through the database rows) and ``sweep`` removes it at start. Data leaving is audited first: a download's entry
is written before any byte is sent, as with reads. A refused request, review or download is audited as ``denied``
before the error is raised.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from commons_hub.audit import AuditEvent, AuditLog, refusal
from commons_hub.governance.projects import project_view, projects_of
from commons_hub.policy import Caller
from commons_hub.releases import files as release_files
from commons_hub.releases import rules
from commons_hub.tables.releases import release_files as files_table
from commons_hub.tables.releases import release_reviews, releases
from commons_kernel.disclosure import resolve_thresholds
from commons_kernel.exceptions import (
    AccessDenied,
    CommonsError,
    DisclosureRisk,
    GovernanceError,
    ReleaseNotFound,
    ValidationFailed,
)
from commons_kernel.release_outputs import FAIL, Output, check_file, worst

MAX_OUTPUTS = 40
MAX_OUTPUT_BYTES = 20 * 1024 * 1024  # all outputs of one request together, decoded
MAX_TITLE = 200


__all__ = ["ReleaseNotFound", "ReleaseRequest", "ReleaseService", "all_releases", "sweep"]


@dataclass
class ReleaseRequest:
    project: str
    title: str
    description: str
    outputs: list[Output]
    replaces: int | None = None
    acro: object | None = None

    @classmethod
    def from_payload(cls, payload) -> ReleaseRequest:
        if not isinstance(payload, dict):
            raise ValidationFailed("A release request is a JSON object with project, title, description and outputs.")
        given = {k: payload.get(k) for k in ("project", "title", "description")}
        missing = [k for k, v in given.items() if not isinstance(v, str) or not v.strip()]
        if missing:
            raise ValidationFailed(
                f"A release request needs {', '.join(missing)}: say which project the outputs "
                f"come from and, in plain words, what they are and why they should leave."
            )
        text = {k: v for k, v in given.items() if isinstance(v, str)}
        if len(text["title"]) > MAX_TITLE:
            raise ValidationFailed(f"The title has {len(text['title'])} characters; keep it under {MAX_TITLE}.")
        items = payload.get("outputs")
        if not isinstance(items, list) or not items:
            raise ValidationFailed("A release request needs at least one output.")
        if len(items) > MAX_OUTPUTS:
            raise ValidationFailed(f"{len(items)} outputs in one request; at most {MAX_OUTPUTS}. Split it.")
        outputs = [Output.from_payload(item) for item in items]
        names = [o.name for o in outputs]
        if len(set(names)) != len(names):
            raise ValidationFailed("Two outputs have the same name; give each its own.")
        size = sum(len(o.content) for o in outputs)
        if size > MAX_OUTPUT_BYTES:
            raise ValidationFailed(
                f"The outputs add up to {size:,} bytes; at most {MAX_OUTPUT_BYTES:,}. Release summaries, not data."
            )
        replaces = payload.get("replaces")
        if replaces is not None and (not isinstance(replaces, int) or isinstance(replaces, bool)):
            raise ValidationFailed("replaces must be the id (a whole number) of the release sent back for changes.")
        return cls(
            text["project"].strip(),
            text["title"].strip(),
            text["description"].strip(),
            outputs,
            replaces,
            payload.get("acro"),
        )


def _now() -> datetime:
    return datetime.now(UTC)


def _view(row) -> rules.ReleaseView:
    return rules.ReleaseView(row.id, row.project, row.requester, row.status, row.version)


def _review_views(reviews) -> list[rules.ReviewView]:
    return [rules.ReviewView(r.checker, r.decision) for r in reviews]


def _review_dict(review) -> dict:
    return {
        "checker": review.checker,
        "decision": review.decision,
        "comment": review.comment,
        "created_at": review.created_at,
    }


def _event(caller: Caller, action: str, project: str | None, outcome: str = "ok", **fields) -> AuditEvent:
    """An audit entry of ``caller``'s ``action`` on a release of ``project``: the one shape every entry here has."""
    return AuditEvent(
        actor=caller.name, actor_kind=caller.kind, action=action, outcome=outcome, project=project, **fields
    )


class ReleaseService:
    """The release workflow over the governance database, the audit log and ``$COMMONS_HOME/releases``.

    ``metadata_of(name)`` returns a dataset's catalogue metadata as a dict (for its disclosure thresholds).
    """

    def __init__(self, engine: sa.Engine, audit: AuditLog, home: Path, metadata_of: Callable[[str], dict | None]):
        self.engine, self.audit, self.home, self.metadata_of = engine, audit, Path(home), metadata_of

    # -- request ---------------------------------------------------------------------------------------------
    def request(self, caller: Caller, payload) -> dict:
        named = payload.get("project") if isinstance(payload, dict) else None
        with self._refusal_audited(caller, "release-request", named if isinstance(named, str) else None):
            request = ReleaseRequest.from_payload(payload)
            view = project_view(request.project, self.engine)
            rules.check_can_request(caller, request.project, view)
            version = 1
            if request.replaces is not None:
                old = self._row(request.replaces)
                rules.check_can_resubmit(caller, _view(old), self._replaced_by(old.id), request.project)
                version = old.version + 1
            datasets = sorted(view.datasets) if view else []
            thresholds = resolve_thresholds(None, [m for m in map(self.metadata_of, datasets) if m])
            checked = [(output, check_file(output, thresholds)) for output in request.outputs]
            self._refuse_failing(checked)
        staging = release_files.stage(self.home, checked, request.acro)
        try:
            release_id = self._store(caller, request, staging, version, thresholds)
        finally:
            release_files.discard(staging)  # a no-op once renamed into place
        return self.details(caller, release_id, audit_access=False)

    def _refuse_failing(self, checked) -> None:
        failing = [(o, c) for o, c in checked if c.status == FAIL and not o.exception]
        if failing:
            lines = "; ".join(f"{o.name}: {c.failing[:3] or c.summary}" for o, c in failing)
            raise DisclosureRisk(
                f"The data-api's own checks fail {len(failing)} output(s): {lines}. Release the suppressed copy "
                f"(disclosure.suppress_small_counts, or check_output(table).suppressed), combine small groups, or, if "
                f"it must go out as it is, give a reason with exceptions={{'name': 'why'}} for the checkers to judge."
            )

    def _store(self, caller, request: ReleaseRequest, staging, version: int, thresholds) -> int:
        status = worst(f.check.status for f in staging.files)
        release_id = None
        try:
            with self.audit.transaction() as conn:  # rows, files in place and the audit entry: all or nothing
                if request.replaces is not None:
                    again = conn.execute(
                        sa.select(releases.c.id).where(releases.c.replaces == request.replaces)
                    ).first()
                    if again:
                        raise GovernanceError(
                            f"release {request.replaces} was already resubmitted as release "
                            f"{again.id}; resubmit that one instead."
                        )
                release_id = conn.execute(
                    releases.insert()
                    .values(
                        project=request.project,
                        title=request.title,
                        description=request.description,
                        requester=caller.name,
                        status=rules.PENDING,
                        created_at=_now(),
                        replaces=request.replaces,
                        version=version,
                        checks_status=status,
                    )
                    .returning(releases.c.id)
                ).scalar_one()
                for stored in staging.files:
                    conn.execute(files_table.insert().values(**stored.row(release_id)))
                manifest = {
                    "release": release_id,
                    "project": request.project,
                    "title": request.title,
                    "requester": caller.name,
                    "version": version,
                    "replaces": request.replaces,
                    "created_at": _now().isoformat(),
                    "thresholds": thresholds.to_dict(),
                    "files": [{**stored.row(release_id), "check": stored.check.to_dict()} for stored in staging.files],
                }
                release_files.unpublish(self.home, release_id)  # a folder left by a crash before its commit
                release_files.publish(self.home, staging, release_id, manifest)
                self.audit.append(
                    _event(
                        caller,
                        "release-request",
                        request.project,
                        purpose=request.description,
                        detail={
                            "release": release_id,
                            "title": request.title,
                            "version": version,
                            "replaces": request.replaces,
                            "checks_status": status,
                            "acro_results": request.acro is not None,
                            "files": [
                                {"name": f.name, "sha256": f.sha256, "check": f.check.status}
                                for f in sorted(staging.files, key=lambda f: f.name)
                            ],
                        },
                    ),
                    conn=conn,
                )
        except BaseException:
            if release_id is not None and not self._exists(release_id):
                release_files.unpublish(self.home, release_id)
            raise
        return release_id

    # -- review ----------------------------------------------------------------------------------------------
    def review(self, caller: Caller, release_id: int, decision: str, comment: str = "") -> dict:
        comment = (comment or "").strip()
        with self._refusal_audited(caller, "release-review", release=release_id, decision=decision):
            row = self._row(release_id)
            rules.check_can_review(caller, _view(row), decision)
            if decision != rules.APPROVE and not comment:
                raise ValidationFailed(
                    f"Say why in the comment: the requester needs it to {decision.replace('-', ' ')}"
                    f" well (which output, which cells, what to change)."
                )
            with self.audit.transaction() as conn:  # the review, any release it makes and their entries together
                current = conn.execute(sa.select(releases).where(releases.c.id == release_id)).first()
                rules.check_can_review(caller, _view(current), decision)  # again, under the write lock
                conn.execute(
                    release_reviews.insert().values(
                        release_id=release_id,
                        checker=caller.name,
                        decision=decision,
                        comment=comment,
                        created_at=_now(),
                    )
                )
                reviews = _review_views(self._reviews(conn, release_id))
                status = rules.status_after(reviews, row.requester)
                if status != rules.PENDING:
                    now = _now()
                    conn.execute(
                        releases.update()
                        .where(releases.c.id == release_id)
                        .values(status=status, decided_at=now, released_at=now if status == rules.RELEASED else None)
                    )
                self.audit.append(
                    _event(
                        caller,
                        "release-review",
                        row.project,
                        detail={"release": release_id, "decision": decision, "comment": comment, "status": status},
                    ),
                    conn=conn,
                )
                if status == rules.RELEASED:
                    self.audit.append(
                        _event(
                            caller,
                            "release",
                            row.project,
                            detail={
                                "release": release_id,
                                "title": row.title,
                                "requester": row.requester,
                                "checkers": rules.approvals(reviews, row.requester),
                            },
                        ),
                        conn=conn,
                    )
        return self.details(caller, release_id, audit_access=False)

    # -- reading ---------------------------------------------------------------------------------------------
    def details(self, caller: Caller, release_id: int, audit_access: bool = True) -> dict:
        """Everything about one release, for checkers and the project's members; the public part for others
        once released."""
        row = self._row(release_id)
        with self.engine.connect() as conn:
            reviews = self._reviews(conn, release_id)
            files = _files(conn, release_id)
        members = self._members(row.project)
        approved = rules.approvals(_review_views(reviews), row.requester)
        public = {
            "id": row.id,
            "project": row.project,
            "title": row.title,
            "status": row.status,
            "version": row.version,
            "created_at": row.created_at,
            "released_at": row.released_at,
            "checkers": approved,
        }
        if not rules.can_see_details(caller, _view(row), members):
            if row.status == rules.RELEASED:
                return public
            try:
                rules.check_can_download(caller, _view(row), members)  # refuses: neither checker nor member
            except AccessDenied as exc:
                if audit_access:
                    self._audit_refusal(caller, "deny", row.project, exc.reason, "", release=release_id, what="details")
                raise
        return {
            **public,
            "description": row.description,
            "requester": row.requester,
            "replaces": row.replaces,
            "replaced_by": self._replaced_by(row.id),
            "decided_at": row.decided_at,
            "checks_status": row.checks_status,
            "approvals": len(approved),
            "approvals_needed": rules.APPROVALS_NEEDED,
            "next_step": rules.next_step(row.status, approved),
            "files": [
                {
                    k: f[k]
                    for k in (
                        "name",
                        "output",
                        "kind",
                        "media_type",
                        "sha256",
                        "bytes",
                        "check_status",
                        "check_summary",
                        "exception",
                    )
                }
                for f in files
            ],
            "reviews": [_review_dict(r) for r in reviews],
        }

    def visible(self, caller: Caller) -> list[dict]:
        """Releases ``caller`` may see: all for checkers; their projects' and every released one for members."""
        mine = set(projects_of(caller.name, self.engine))
        query = sa.select(releases).order_by(releases.c.id)
        if not rules.can_check_outputs(caller):
            query = query.where(
                sa.or_(
                    releases.c.project.in_(mine),
                    releases.c.status == rules.RELEASED,
                    releases.c.requester == caller.name,
                )
            )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
            approvers = self._approvers(conn, [r.id for r in rows])
        return [
            {
                "id": r.id,
                "project": r.project,
                "title": r.title,
                "status": r.status,
                "version": r.version,
                "requester": r.requester if (rules.can_check_outputs(caller) or r.project in mine) else None,
                "created_at": r.created_at,
                "released_at": r.released_at,
                "approvals": len(approvers.get(r.id, [])),
                "checkers": approvers.get(r.id, []),
            }
            for r in rows
        ]

    # -- download --------------------------------------------------------------------------------------------
    def open_download(self, caller: Caller, release_id: int, name: str) -> tuple[Path, dict]:
        """Decide, verify the checksum, audit; only then return the file to send."""
        with self._refusal_audited(caller, "release-download", release=release_id, file=name):
            row = self._row(release_id)
            with self.engine.connect() as conn:
                stored = (
                    conn.execute(
                        sa.select(files_table).where(files_table.c.release_id == release_id, files_table.c.name == name)
                    )
                    .mappings()
                    .first()
                )
            rules.check_can_download(caller, _view(row), self._members(row.project))
            if stored is None:
                raise ReleaseNotFound(release_id, name)
        path = release_files.file_path(self.home, release_id, name)
        if not path.is_file() or release_files.sha256_of(path) != stored["sha256"]:
            self.audit.append(
                _event(
                    caller,
                    "release-download",
                    row.project,
                    "error",
                    detail={"release": release_id, "file": name, "reason": "checksum mismatch"},
                )
            )
            raise CommonsError(
                f"files/{name} of release {release_id} is missing or changed since it was stored, so it "
                f"is not sent. Tell the operators (`commons releases verify {release_id}`)."
            )
        self.audit.append(  # before the first byte leaves, as with reads
            _event(
                caller,
                "release-download",
                row.project,
                bytes=stored["bytes"],
                detail={"release": release_id, "file": name, "sha256": stored["sha256"], "status": row.status},
            )
        )
        return path, dict(stored)

    # -- helpers ---------------------------------------------------------------------------------------------
    def _row(self, release_id: int):
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(releases).where(releases.c.id == release_id)).first()
        if row is None:
            raise ReleaseNotFound(release_id)
        return row

    def _members(self, project: str) -> frozenset[str]:
        view = project_view(project, self.engine)
        return view.members if view else frozenset()

    def _exists(self, release_id: int) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(releases.c.id).where(releases.c.id == release_id)).first() is not None

    def _replaced_by(self, release_id: int) -> int | None:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(releases.c.id).where(releases.c.replaces == release_id)).scalar()

    @staticmethod
    def _reviews(conn, release_id: int) -> list:
        return conn.execute(
            sa.select(release_reviews).where(release_reviews.c.release_id == release_id).order_by(release_reviews.c.id)
        ).all()

    @staticmethod
    def _approvers(conn, ids: list[int]) -> dict[int, list[str]]:
        if not ids:
            return {}
        rows = conn.execute(
            sa.select(
                release_reviews.c.release_id,
                release_reviews.c.checker,
                release_reviews.c.decision,
                releases.c.requester,
            )
            .join(releases, releases.c.id == release_reviews.c.release_id)
            .where(release_reviews.c.release_id.in_(ids))
            .order_by(release_reviews.c.id)
        ).all()
        by_release: dict[int, list] = {}
        for r in rows:
            by_release.setdefault(r.release_id, []).append(r)
        return {rid: rules.approvals(_review_views(rs), rs[0].requester) for rid, rs in by_release.items()}

    @contextmanager
    def _refusal_audited(self, caller: Caller, action: str, project: str | None = None, **detail) -> Iterator[None]:
        """A CommonsError raised inside (a rule's refusal, a bad request, no such release) is audited as
        ``denied`` before it goes on to the caller; the write it stopped was never made."""
        try:
            yield
        except CommonsError as exc:
            self._audit_refusal(caller, action, project, str(exc), type(exc).__name__, **detail)
            raise

    def _audit_refusal(self, caller: Caller, action: str, project: str | None, reason: str, error: str, **detail):
        self.audit.append(
            refusal(
                caller.name,
                reason,
                action=action,
                actor_kind=caller.kind,
                project=project,
                detail={**detail, "error": error},
            )
        )


def sweep(home: Path, engine: sa.Engine) -> list[str]:
    """At start: remove staging folders and release folders that no committed release owns (a crash before the
    commit). One line per folder removed."""
    root = release_files.releases_root(home)
    if not root.is_dir():
        return []
    with engine.connect() as conn:
        known = {str(i) for i in conn.execute(sa.select(releases.c.id)).scalars()}
    done = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and p.name not in known):
        if folder.name.startswith(".staging-") or folder.name.isdigit():
            shutil.rmtree(folder, ignore_errors=True)
            done.append(f"removed {folder.relative_to(home)} (a release that never committed)")
    return done


def all_releases(engine: sa.Engine, status: str | None = None) -> list[dict]:
    """Every release with its files and reviews, for operators (`commons releases`)."""
    query = sa.select(releases).order_by(releases.c.id)
    if status:
        query = query.where(releases.c.status == status)
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
        return [
            {
                **row,
                "files": [dict(f) for f in _files(conn, row["id"])],
                "reviews": [_review_dict(r) for r in ReleaseService._reviews(conn, row["id"])],
            }
            for row in rows
        ]


def _files(conn: sa.Connection, release_id: int):
    return (
        conn.execute(sa.select(files_table).where(files_table.c.release_id == release_id).order_by(files_table.c.name))
        .mappings()
        .all()
    )
