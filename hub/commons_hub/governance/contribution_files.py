"""A contribution's files, and how an approved one becomes a readable version without a crash ever showing more.

    datasets/<name>/pending/<id>.parquet        the upload, until its version is published (or it is rejected)
    datasets/<name>/pending/<id>.report.json    its quality report; kept as reports/contribution-<id>.json after

(the Store owns these paths: ``pending_upload``, ``pending_report``, ``kept_report``, ``metadata_path``).

Publishing (``contributions.approve``): the table is staged under hidden names; ONE transaction marks
the row approved with its version number and writes its audit entry; then ``finish`` writes the catalogue
metadata, renames the files into place and adds the version to the manifest (the switch readers see), and drops
the pending data. Readers resolve versions only through the manifest, so a readable version is always approved and
audited. A crash before the commit leaves hidden leftovers and a pending row; after it, an approved, audited row
whose version may not be listed yet: ``finish`` completes it from the pending file (kept until then), on a retried
approval or in the start-up sweep (``commons_hub.recovery``). Every step can run twice.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa
import yaml

from commons_hub.store import StagedVersion, Store, atomic_write_bytes
from commons_hub.tables.contributions import contributions
from commons_kernel.exceptions import GovernanceError

Describe = Callable[[object, pa.Table], dict]  # (contribution row, table) -> its catalogue metadata


def write_parquet(path: Path, table: pa.Table) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, path)


def remove_pending(store: Store, name: str, contribution_id: int, keep_report: bool = False) -> None:
    folder = store.pending_dir(name)
    store.pending_upload(name, contribution_id).unlink(missing_ok=True)
    report = store.pending_report(name, contribution_id)
    if keep_report and report.exists():
        target = store.kept_report(name, contribution_id)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(report, target)
    report.unlink(missing_ok=True)
    for leftover in (folder, folder.parent):
        if leftover.is_dir() and not any(leftover.iterdir()):
            leftover.rmdir()


def next_version(conn, store: Store, name: str) -> int:
    """One past every version listed or already promised to an approved contribution."""
    promised = (
        conn.execute(sa.select(sa.func.max(contributions.c.version)).where(contributions.c.dataset == name)).scalar()
        or 0
    )
    listed = store.manifest(name)["versions"][-1]["version"] if name in store.names() else 0
    return max(promised, listed) + 1


def stage(store: Store, row) -> tuple[StagedVersion, pa.Table]:
    """The pending table staged as a hidden version (not readable), with the table itself."""
    pending = store.pending_upload(row.dataset, row.id)
    if not pending.exists():
        raise GovernanceError(
            f"The data of contribution {row.id} ({pending}) are missing, so it cannot be published. "
            f"Tell the operators; the contributor can upload it again."
        )
    table = pq.read_table(pending)
    staged = store.stage(
        row.dataset,
        table,
        {
            "ingested_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "sources": [{"file": row.filename, "sha256": row.sha256}],
            "notes": [f"contribution {row.id} by {row.organisation or 'a member'}, approved by a steward"],
            "contribution": row.id,
        },
    )
    return staged, table


def is_listed(store: Store, row) -> bool:
    """Whether the manifest lists this contribution's version: then readers see it."""
    if row.dataset not in store.names():
        return False
    return any(
        v["version"] == row.version and v.get("contribution") == row.id for v in store.manifest(row.dataset)["versions"]
    )


def finish(store: Store, row, describe: Describe, prepared: tuple[StagedVersion, pa.Table] | None = None) -> bool:
    """Publish an approved contribution: its metadata, its files, then its version in the manifest (the switch);
    then drop its pending data. Repeatable at every step. Returns whether anything was left to do."""
    if row.status != "approved" or row.version is None:
        return False
    if is_listed(store, row):
        left = store.pending_upload(row.dataset, row.id).exists()
        remove_pending(store, row.dataset, row.id, keep_report=True)
        return left
    staged, table = prepared or stage(store, row)
    try:
        atomic_write_bytes(
            store.metadata_path(row.dataset),
            yaml.safe_dump(describe(row, table), sort_keys=False, allow_unicode=True).encode(),
        )
        try:
            store.publish(staged, row.version)
        except FileNotFoundError:  # the staged copy was swept meanwhile (an ingest starting): stage it again
            staged, table = stage(store, row)
            store.publish(staged, row.version)
    except BaseException:
        store.discard(staged)
        raise
    remove_pending(store, row.dataset, row.id, keep_report=True)
    return True


def approved(eng, name: str | None = None) -> list:
    """Approved contributions (of ``name``, or all) in the order their versions must be published."""
    query = sa.select(contributions).where(contributions.c.status == "approved")
    if name is not None:
        query = query.where(contributions.c.dataset == name)
    with eng.connect() as conn:
        return conn.execute(query.order_by(contributions.c.dataset, contributions.c.version)).all()


def sweep(store: Store, eng, describe: Describe) -> list[str]:
    """At start: finish approvals a crash interrupted; drop pending data of rejected contributions and pending files
    no committed contribution owns (an upload that crashed before its commit). One line per thing done."""
    done = []
    for row in approved(eng):
        try:
            if finish(store, row, describe):
                done.append(f"published contribution {row.id} (approved before a crash)")
        except GovernanceError as exc:  # one broken contribution must not keep the data-api from starting
            done.append(f"could not publish contribution {row.id}: {exc}")
    with eng.connect() as conn:
        status = dict(conn.execute(sa.select(contributions.c.id, contributions.c.status)).all())
    for path in store.pending_files():
        ident = path.name.split(".")[0]
        state = status.get(int(ident)) if ident.isdigit() else None
        if state == "pending":
            continue
        if state is None:
            path.unlink(missing_ok=True)
            done.append(f"removed {path.relative_to(store.home)} (an upload that never committed)")
        elif path.suffix == ".parquet":
            remove_pending(store, path.parent.parent.name, int(ident), keep_report=True)
            done.append(f"removed the pending data of {state} contribution {ident}")
    for folder in store.pending_dirs():
        for leftover in (folder, folder.parent):
            if leftover.is_dir() and not any(leftover.iterdir()):
                leftover.rmdir()
    return done
