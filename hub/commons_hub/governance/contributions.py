"""Contributed data: an upload that passes every check becomes a pending version; a steward approves or rejects it.

    submit(...)   checks (commons_kernel.upload_checks) → pending file + quality report + ``contribute`` entry,
                  in one transaction
    approve(...)  approval, version number and ``approve-contribution`` entry in one transaction; then the
                  version is published (contribution_files: crash-safe, repeatable) and its metadata
                  saved as datasets/<name>/metadata.yaml, which puts it in the catalogue
    reject(...)   rejection and its entry in one transaction; then the pending file is deleted, the report kept

Pending files live under ``datasets/<name>/pending/`` (never read by the data-api: a dataset is only what its
manifest lists). A blocked upload stores nothing: it raises ValidationFailed with the report and leaves one
``deny`` audit entry. Withdrawal is in commons_hub.governance.withdrawals.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pyarrow as pa
import sqlalchemy as sa

from commons_hub.audit import AuditEvent, refusal
from commons_hub.governance import contribution_files as files
from commons_hub.governance import permissions
from commons_hub.governance.organisations import organisation_of
from commons_hub.policy import Caller
from commons_hub.store import Store, atomic_write_json
from commons_hub.tables.contributions import contributions
from commons_kernel import tiers
from commons_kernel.catalog import DatasetMetadata
from commons_kernel.disclosure.thresholds import approved_block, review_request
from commons_kernel.exceptions import ConfigurationError, GovernanceError, ValidationFailed
from commons_kernel.standard.validator import new_report
from commons_kernel.upload_checks import check_upload

NAME = re.compile(r"[a-z][a-z0-9_]{2,63}")


def _now() -> datetime:
    return datetime.now(UTC)


def _refuse_upload(code: str, message: str, fix: str, filename: str, tier: str) -> ValidationFailed:
    report = new_report(filename or "upload", tier if tiers.find(tier) else tiers.DEFAULT)
    report.error("metadata", code, message, fix, file="metadata")
    report.finish()
    return ValidationFailed(f"metadata: {message}. Fix: {fix}. Nothing was stored.", report=report)


def _approved_contributors(conn, name: str) -> set[str]:
    return set(
        conn.execute(
            sa.select(contributions.c.contributor).where(
                contributions.c.dataset == name, contributions.c.status == "approved"
            )
        ).scalars()
    )


def _check_name(conn, caller: Caller, name: str, tier: str, filename: str, store: Store, catalogue: dict) -> None:
    """A new name, or the caller's own contributed dataset (then this upload is its next version)."""
    if not NAME.fullmatch(name or ""):
        suggestion = re.sub(r"[^a-z0-9]+", "_", str(name or "").lower()).strip("_") or "my_dataset"
        if not suggestion[0].isalpha():
            suggestion = f"data_{suggestion}"
        raise _refuse_upload(
            "bad-name",
            f"the dataset name `{name}` is not 3-64 lower-case letters, digits and _ "
            "starting with a letter (no paths, dots or spaces)",
            f"name it `{suggestion[:64]}`",
            filename,
            tier,
        )
    exists = name in catalogue or name in store.names()
    contributors = _approved_contributors(conn, name)
    if exists and not contributors:
        raise _refuse_upload(
            "name-taken",
            f"a dataset called `{name}` is already in the catalogue (not a contribution you can add a version to)",
            f"choose another name, e.g. `{name}_2`",
            filename,
            tier,
        )
    if contributors and caller.name not in contributors:
        raise _refuse_upload(
            "name-taken",
            f"`{name}` was contributed by another member; only they add versions",
            f"choose another name, e.g. `{name}_{caller.name.lower()}`"[:200],
            filename,
            tier,
        )
    if exists:
        manifest = store.manifest(name)
        if manifest.get("withdrawn"):
            raise _refuse_upload(
                "name-withdrawn",
                f"`{name}` was withdrawn and cannot take new versions",
                f"choose a new name, e.g. `{name}_v2`",
                filename,
                tier,
            )
        current = catalogue.get(name)
        if current is not None and current.tier != tier:
            raise _refuse_upload(
                "tier-change",
                f"`{name}` is in the {current.tier} tier; an upload cannot move it to {tier}",
                "upload with the same tier, or ask a steward to change it",
                filename,
                tier,
            )
    waiting = conn.execute(
        sa.select(contributions.c.id, contributions.c.contributor).where(
            contributions.c.dataset == name, contributions.c.status == "pending"
        )
    ).first()
    if waiting:
        mine = waiting.contributor == caller.name
        raise _refuse_upload(
            "name-pending",
            f"contribution {waiting.id} of `{name}` is waiting for a steward"
            + ("" if mine else " (from another member)"),
            "wait for the steward's decision, then upload again" if mine else "choose another name",
            filename,
            tier,
        )


def submit(
    caller: Caller,
    data: bytes,
    filename: str,
    metadata: dict,
    *,
    store: Store,
    eng,
    audit,
    catalogue: dict,
    name: str | None = None,
    tier: str | None = None,
    max_bytes: int | None = None,
) -> dict:
    """Check an upload; if it passes, store it as a pending version with its quality report. Returns the record."""
    permissions.check_can_contribute(caller, audit)
    metadata = dict(metadata or {})
    name = str(name or metadata.get("name") or "")
    tier = str(tier or metadata.get("tier") or tiers.DEFAULT)
    metadata.setdefault("name", name)
    metadata.setdefault("tier", tier)
    try:
        with eng.connect() as conn:
            if metadata["name"] != name:
                raise _refuse_upload(
                    "name-mismatch",
                    f"the upload is named `{name}` but its metadata says `{metadata['name']}`",
                    "make them the same",
                    filename,
                    tier,
                )
            _check_name(conn, caller, name, tier, filename, store, catalogue)
        result = check_upload(data, filename, tier, max_bytes, metadata=metadata)
        if len(result.tables) != 1:
            raise _refuse_upload(
                "one-table",
                f"the file holds {len(result.tables)} tables ({', '.join(result.tables)})",
                "upload one table per dataset (one CSV, one sheet, or a zip of one file)",
                filename,
                tier,
            )
    except ValidationFailed as blocked:
        codes = sorted({issue.code for issue in getattr(blocked.report, "errors", [])})
        audit.append(
            refusal(
                caller.name,
                "the upload did not pass its checks",
                actor_kind=caller.kind,
                dataset=name or None,
                bytes=len(data),
                detail={"attempted": "contribute", "filename": str(filename)[:200], "errors": codes},
            )
        )
        raise
    ((table_name, frame),) = result.tables.items()
    table = pa.Table.from_pandas(frame.rename(columns=str), preserve_index=False)
    report = result.report.to_dict()
    with audit.transaction() as conn:  # the row, its pending files and its audit entry: all or nothing
        organisation = organisation_of(caller.name, conn)
        contribution_id = conn.execute(
            contributions.insert().values(
                dataset=name,
                contributor=caller.name,
                organisation=organisation,
                title=str(metadata.get("title", "")),
                tier=tier,
                licence=str(metadata.get("licence", "")),
                publisher=str(metadata.get("publisher", "")),
                filename=result.filename,
                file_type=result.file_type,
                sha256=result.sha256,
                size_bytes=result.size_bytes,
                rows=table.num_rows,
                score=result.report.score,
                status="pending",
                created_at=_now(),
                metadata_json=json.dumps(metadata, default=str),
            )
        ).inserted_primary_key[0]
        try:  # a failure before the commit takes the pending files with it (after a crash, the sweep does)
            files.write_parquet(store.pending_upload(name, contribution_id), table)
            atomic_write_json(store.pending_report(name, contribution_id), report)
            audit.append(
                AuditEvent(
                    actor=caller.name,
                    action="contribute",
                    dataset=name,
                    rows=table.num_rows,
                    bytes=result.size_bytes,
                    detail={
                        "contribution": contribution_id,
                        "tier": tier,
                        "filename": result.filename,
                        "sha256": result.sha256,
                        "score": result.report.score,
                        "table": table_name,
                    },
                ),
                conn=conn,
            )
        except BaseException:
            files.remove_pending(store, name, contribution_id)
            raise
    return {**contribution(contribution_id, eng), "report": report}


def _row(conn, contribution_id: int):
    row = conn.execute(sa.select(contributions).where(contributions.c.id == int(contribution_id))).first()
    if row is None:
        raise GovernanceError(f"There is no contribution {contribution_id}; `ck.contributions()` lists them.")
    return row


def _check_pending(row) -> None:
    if row.status != "pending":
        raise GovernanceError(
            f"Contribution {row.id} was already {row.status} by {row.decided_by} ({row.reason or 'no reason given'})."
        )


def _check_reviewer(caller: Caller, audit, row, action: str) -> None:
    permissions.check_can_review_contributions(
        caller, audit, action=action, dataset=row.dataset, contribution_id=row.id, contributor=row.contributor
    )


def _claim(conn, row, caller: Caller, status: str, reason: str, **values) -> None:
    """Mark pending contribution ``row`` as decided (``status``) on ``conn``, unless another review got there first."""
    claimed = conn.execute(
        contributions.update()
        .where(contributions.c.id == row.id, contributions.c.status == "pending")
        .values(status=status, decided_at=_now(), decided_by=caller.name, reason=reason[:2000], **values)
    ).rowcount
    if not claimed:
        raise GovernanceError(f"Contribution {row.id} was reviewed by someone else a moment ago.")


def catalogue_entry(metadata: dict, row, table: pa.Table) -> dict:
    """The contributor's metadata as a catalogue metadata file (commons_kernel.catalog.DatasetMetadata fields)."""
    known = set(DatasetMetadata.__dataclass_fields__)
    entry = {key: value for key, value in metadata.items() if key in known and value is not None}
    entry.update(
        name=row.dataset,
        tier=row.tier,
        title=str(metadata.get("title") or row.dataset),
        description=str(metadata.get("description") or ""),
        publisher=str(metadata.get("publisher") or ""),
        licence=str(metadata.get("licence") or ""),
    )
    entry.setdefault("attribution", f"{entry['publisher']}, {entry['licence']}")
    entry["geography"] = metadata.get("geography") if isinstance(metadata.get("geography"), dict) else {}
    described = {str(c.get("name")): c for c in metadata.get("columns") or [] if isinstance(c, dict)}
    entry["columns"] = [
        described.get(name)
        or {"name": name, "description": "", "unit": None, "type": str(table.schema.field(name).type)}
        for name in table.column_names
    ]
    tags = metadata.get("tags") or []
    entry["tags"] = [t.strip() for t in tags.split(",")] if isinstance(tags, str) else [str(t) for t in tags]
    entry["source"] = {
        "files": [row.filename],
        "official_url": "",
        "sha256": row.sha256,
        "from": f"contributed by {row.organisation or 'a member'} through the commons (contribution {row.id})",
    }
    notes = [str(n) for n in metadata.get("quality_notes") or []]
    if metadata.get("methodology"):
        notes.append(f"Methodology: {metadata['methodology']}")
    entry["quality_notes"] = notes + [f"Quality score {row.score}/100 at upload (contribution {row.id})."]
    tier = tiers.find(row.tier)
    if tier is not None and tier.owner_veto and not entry.get("owner"):
        entry["owner"] = row.organisation or None  # the contributing organisation may veto projects that use it
    entry["synthetic"] = bool(metadata.get("synthetic", False))
    # The contributor's disclosure block was a request: the steward's approval keeps only its stricter values.
    entry["disclosure"] = approved_block(metadata)
    return entry


def approve(caller: Caller, contribution_id: int, reason: str = "", *, store: Store, eng, audit) -> dict:
    """Make the pending version the dataset's next version and put its metadata in the catalogue.

    Crash-safe: the version is staged under hidden names; ONE transaction marks the row approved with its version
    number and writes the ``approve-contribution`` entry; only then does ``finish`` make it readable (the manifest
    lists it). A crash before the commit leaves it pending with nothing readable; after it, approved and audited,
    and ``finish`` (a retry, or the start-up sweep) completes it. Approving it again returns the same version.
    """
    with eng.connect() as conn:
        row = _row(conn, contribution_id)
    _check_reviewer(caller, audit, row, "approve-contribution")  # who, then what the state allows
    if row.status == "approved":  # a retry, perhaps after a crash: finish that publication, never a second version
        finish(store, row)
        return contribution(row.id, eng)
    _check_pending(row)
    if row.dataset in store.names() and store.manifest(row.dataset).get("withdrawn"):
        raise GovernanceError(f"{row.dataset} was withdrawn; reject this contribution instead.")
    for earlier in files.approved(eng, row.dataset):  # an approval a crash left unpublished comes first
        finish(store, earlier)
    staged, table = files.stage(store, row)
    try:
        with audit.transaction() as conn:
            version = files.next_version(conn, store, row.dataset)
            _claim(conn, row, caller, "approved", str(reason or ""), version=version)
            audit.append(
                AuditEvent(
                    actor=caller.name,
                    action="approve-contribution",
                    dataset=row.dataset,
                    version=version,
                    rows=table.num_rows,
                    detail={"contribution": row.id, "contributor": row.contributor, "reason": reason or ""},
                ),
                conn=conn,
            )
    except BaseException:
        store.discard(staged)
        raise
    with eng.connect() as conn:
        approved = _row(conn, row.id)
    try:
        finish(store, approved, (staged, table))  # no connection held: SQLite lets one writer in at a time
    except Exception as exc:
        raise GovernanceError(
            f"Contribution {row.id} is approved as version {version} of {row.dataset}, but publishing "
            f"it failed ({exc}). Approve it again to finish (it will not be approved twice); the "
            f"data-api also finishes it when it restarts."
        ) from exc
    return contribution(row.id, eng)


def _describe(row, table: pa.Table) -> dict:
    return catalogue_entry(json.loads(row.metadata_json), row, table)


def finish(store: Store, row, prepared=None) -> bool:
    """Publish approved contribution ``row`` if a crash interrupted it (contribution_files.finish)."""
    return files.finish(store, row, _describe, prepared)


def sweep(store: Store, eng) -> list[str]:
    """The start-up sweep of contributions (commons_hub.governance.contribution_files.sweep)."""
    return files.sweep(store, eng, _describe)


def reject(caller: Caller, contribution_id: int, reason: str, *, store: Store, eng, audit) -> dict:
    """Refuse a pending version, saying why; its data are deleted, its quality report kept."""
    with eng.connect() as conn:
        row = _row(conn, contribution_id)
    _check_reviewer(caller, audit, row, "reject-contribution")  # who, then what the state allows
    _check_pending(row)
    reason = str(reason or "").strip()
    if not reason:
        raise GovernanceError("Say why the contribution is rejected (reason=...): the contributor reads it.")
    with audit.transaction() as conn:
        _claim(conn, row, caller, "rejected", reason)
        audit.append(
            AuditEvent(
                actor=caller.name,
                action="reject-contribution",
                dataset=row.dataset,
                detail={"contribution": row.id, "contributor": row.contributor, "reason": reason},
            ),
            conn=conn,
        )
    files.remove_pending(store, row.dataset, row.id, keep_report=True)  # after a crash here, the sweep does it
    return contribution(row.id, eng)


def _as_dict(row) -> dict:
    return {
        "id": row.id,
        "dataset": row.dataset,
        "contributor": row.contributor,
        "organisation": row.organisation,
        "title": row.title,
        "tier": row.tier,
        "licence": row.licence,
        "publisher": row.publisher,
        "filename": row.filename,
        "file_type": row.file_type,
        "sha256": row.sha256,
        "size_bytes": row.size_bytes,
        "rows": row.rows,
        "score": row.score,
        "status": row.status,
        "created_at": row.created_at,
        "decided_at": row.decided_at,
        "decided_by": row.decided_by,
        "reason": row.reason,
        "version": row.version,
        "disclosure_request": disclosure_request(row.metadata_json),
    }


def disclosure_request(metadata_json: str | None) -> list[dict]:
    """The disclosure thresholds the contributor asked for, each saying whether approval would apply it."""
    try:
        return [item.to_dict() for item in review_request(json.loads(metadata_json or "{}"))]
    except (ConfigurationError, ValueError, AttributeError) as exc:
        return [
            {
                "name": "disclosure",
                "requested": None,
                "commons": None,
                "verdict": "invalid",
                "applies": False,
                "message": f"the requested disclosure block is not valid ({exc}); it is ignored",
            }
        ]


def contribution(contribution_id: int, eng) -> dict:
    with eng.connect() as conn:
        return _as_dict(_row(conn, contribution_id))


def list_contributions(eng, status: str | None = None, dataset: str | None = None) -> list[dict]:
    query = sa.select(contributions).order_by(contributions.c.id)
    if status:
        query = query.where(contributions.c.status == status)
    if dataset:
        query = query.where(contributions.c.dataset == dataset)
    with eng.connect() as conn:
        return [_as_dict(row) for row in conn.execute(query).all()]


def quality_report(store: Store, record: dict) -> dict | None:
    """The quality report of a contribution (pending, approved or rejected), if it was kept."""
    for path in (
        store.pending_report(record["dataset"], record["id"]),
        store.kept_report(record["dataset"], record["id"]),
    ):
        if path.exists():
            return json.loads(path.read_text())
    return None


def contributors_of(name: str, eng) -> set[str]:
    with eng.connect() as conn:
        return _approved_contributors(conn, name)
