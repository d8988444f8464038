"""What a steward sees of a pending contribution before deciding: its first rows, with every column that the
personal-data scan flagged (commons_kernel.pii, through the quality report) masked as "•••".

``preview_contribution`` checks who is asking, reads the rows, writes the ``read`` entry, and only then returns
them: the page shows data only after the entry is written, like any other read. Only a *pending* contribution has
a preview here: once approved its rows are a dataset version (read it through the catalogue); once rejected they
are deleted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pyarrow.parquet as pq
import sqlalchemy as sa

from commons_hub.audit import AuditEvent
from commons_hub.governance import permissions
from commons_hub.policy import Caller
from commons_hub.store import Store
from commons_hub.tables.contributions import contributions

MASK = "•••"
PREVIEW_ROWS = 20
PERSONAL_DATA = "personal-data-"


@dataclass
class Preview:
    columns: list[str]
    rows: list[list[str]]
    masked: list[str] = field(default_factory=list)  # columns shown as MASK
    total_rows: int = 0


def flagged_columns(report: dict | None) -> list[str]:
    """The columns the quality report says hold personal data (errors or warnings of the privacy checks)."""
    report = report or {}
    issues = [*(report.get("errors") or []), *(report.get("warnings") or [])]
    return sorted(
        {
            str(issue["column"])
            for issue in issues
            if str(issue.get("code") or "").startswith(PERSONAL_DATA) and issue.get("column")
        }
    )


def _shown(value) -> str:
    return "" if value is None else str(value)


def read_preview(path, masked: list[str], limit: int = PREVIEW_ROWS) -> Preview:
    """The first ``limit`` rows of the Parquet file at ``path`` as text, the ``masked`` columns replaced."""
    parquet = pq.ParquetFile(path)
    columns = list(parquet.schema_arrow.names)
    batch = next(parquet.iter_batches(batch_size=max(1, limit)), None)
    records = batch.to_pylist()[:limit] if batch is not None else []
    hidden = set(masked)
    rows = [[MASK if column in hidden else _shown(record.get(column)) for column in columns] for record in records]
    return Preview(columns, rows, [c for c in columns if c in hidden], parquet.metadata.num_rows)


def preview_contribution(
    caller: Caller, record: dict, report: dict | None, *, store: Store, audit, limit: int = PREVIEW_ROWS
) -> Preview | None:
    """Check, read, audit, return: the first rows of pending contribution ``record`` (None when not pending)."""
    permissions.check_can_preview_contribution(
        caller, audit, contribution_id=record["id"], dataset=record["dataset"], contributor=record["contributor"]
    )
    path = store.pending_upload(record["dataset"], record["id"])
    if record["status"] != "pending" or not path.is_file():
        return None
    preview = read_preview(path, flagged_columns(report), limit)
    audit.append(
        AuditEvent(
            actor=caller.name,
            actor_kind=caller.kind,
            action="read",
            dataset=record["dataset"],
            rows=len(preview.rows),
            purpose=f"review of contribution {record['id']}",
            detail={"contribution": record["id"], "preview": True, "masked": preview.masked},
        )
    )
    return preview


def submitted_metadata(eng, contribution_id: int) -> dict:
    """The metadata the contributor sent with the upload (description, attribution, period, columns...)."""
    with eng.connect() as conn:
        text = conn.execute(
            sa.select(contributions.c.metadata_json).where(contributions.c.id == int(contribution_id))
        ).scalar()
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
