"""validate(): check a table (a DataFrame or a file) and its metadata against the standard; get a QualityReport."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from commons_kernel import tiers
from commons_kernel.exceptions import ValidationFailed
from commons_kernel.pii import scan_personal_data
from commons_kernel.standard.columns import ColumnRoles, column_roles
from commons_kernel.standard.content_checks import check_dates, check_geography
from commons_kernel.standard.layout_checks import check_columns_and_units, check_layout
from commons_kernel.standard.metadata_checks import check_metadata, load_metadata
from commons_kernel.standard.readers import read_tables
from commons_kernel.standard.reading import header_ok
from commons_kernel.standard.report import Issue, QualityReport
from commons_kernel.standard.rules import Standard, load_standard
from commons_kernel.standard.schema_checks import check_schema
from commons_kernel.standard.table import Table, table_from_frame

TABLE_CATEGORIES = ("structure", "geography", "dates", "layout", "units", "privacy")


def resolve_tier(tier: str | None, metadata: dict, standard: Standard) -> str:
    """The tier asked for, else the metadata's ``tier``, else open (the strictest); an unknown one is refused
    (the tiers are those of commons_kernel/tiers/)."""
    chosen = tier or metadata.get("tier") or tiers.DEFAULT
    if tiers.find(chosen) is None:
        raise ValidationFailed(f"Tier {chosen!r} is not a tier of the commons; use one of {', '.join(tiers.names())}.")
    return chosen


def new_report(file: str, tier: str, standard: Standard | None = None) -> QualityReport:
    standard = standard or load_standard()
    return QualityReport(
        file=file,
        tier=tier,
        weights=standard.score_weights,
        per_key_limit=standard.limits["issues_per_rule_and_column"],
    )


def check_privacy(table: Table, roles: ColumnRoles, tier: str, report: QualityReport) -> None:
    """Personal data blocks the open and community tiers; in a tier that may hold it (``Tier.personal_data``:
    restricted) it is a warning to review. A column marked `personal_data: false` with a reason is downgraded to a
    warning for a steward to review."""
    may_hold = tiers.get(tier).personal_data
    reviewed = {
        name
        for name, entry in roles.described.items()
        if entry.get("personal_data") is False and entry.get("personal_data_reason")
    }
    skip = set(roles.codes) | set(roles.dates) | set(roles.numbers)
    findings = scan_personal_data(table.text, skip_columns=skip)
    flagged = {finding.column for finding in findings}
    report.tally("privacy", table.text.shape[1] - len(flagged), table.text.shape[1])
    for finding in findings:
        blocking = not may_hold and finding.column not in reviewed
        severity = "error" if blocking else "warning"
        lines = [table.line_of(p) for p in finding.positions[:5]]
        where = ", ".join(map(str, lines)) + (", ..." if finding.count > len(lines) else "")
        review = " (marked not personal: a steward must review it)" if finding.column in reviewed else ""
        report.add(
            Issue(
                severity,
                "privacy",
                f"personal-data-{finding.kind}",
                f"{finding.describe()}, lines {where}{review}; personal data may not enter the {tier} tier"
                if blocking
                else f"{finding.describe()}, lines {where}{review}",
                finding.fix,
                file=table.name,
                line=lines[0] if lines else None,
                column=finding.column,
            )
        )


def check_table(
    table: Table, metadata: dict, tier: str, report: QualityReport, standard: Standard, metadata_file: str = "metadata"
) -> ColumnRoles | None:
    """Every table rule; returns the column roles (None when the header itself is broken)."""
    if not header_ok(list(table.text.columns), table.name, report):
        report.not_assessed |= set(TABLE_CATEGORIES)
        return None
    if table.text.empty:
        report.error(
            "structure",
            "no-rows",
            "the table has no rows of data",
            "add the data under the header",
            file=table.name,
            line=1,
        )
        report.not_assessed |= set(TABLE_CATEGORIES)
        return None
    roles = column_roles(table.text, metadata, standard, table.dtypes)
    check_schema(table, roles, metadata, report, standard)
    check_columns_and_units(table, roles, report, metadata_file)
    check_geography(table, roles, report, standard)
    check_dates(table, roles, report)
    check_layout(table, roles, report)
    check_privacy(table, roles, tier, report)
    return roles


def validate_tables(
    tables: list[Table],
    metadata: dict,
    tier: str,
    report: QualityReport,
    standard: Standard,
    metadata_file: str = "metadata",
) -> dict[str, ColumnRoles]:
    roles = {}
    if not tables:
        report.not_assessed |= set(TABLE_CATEGORIES)
    for table in tables:
        found = check_table(table, metadata, tier, report, standard, metadata_file)
        if found is not None:
            roles[table.name] = found
    return roles


def validate_bytes(data: bytes, name: str, metadata=None, tier: str | None = None):
    """(report, tables, roles by table name) for a file's bytes. Reading problems are errors in the report."""
    standard = load_standard()
    meta, metadata_file, lines = load_metadata(metadata)
    tier = resolve_tier(tier, meta, standard)
    report = new_report(name, tier, standard)
    check_metadata(meta, tier, report, standard, metadata_file, lines)
    tables = read_tables(data, name, report, standard.limits)
    roles = validate_tables(tables, meta, tier, report, standard, metadata_file)
    return report, tables, roles


def validate_frame(frame: pd.DataFrame, metadata=None, tier: str | None = None, name: str | None = None):
    """(report, tables, roles by table name) for a DataFrame, as ``validate_bytes`` gives them for a file."""
    standard = load_standard()
    meta, metadata_file, lines = load_metadata(metadata)
    tier = resolve_tier(tier, meta, standard)
    label = name or str(meta.get("name") or "table")
    report = new_report(label, tier, standard)
    check_metadata(meta, tier, report, standard, metadata_file, lines)
    tables = [table_from_frame(frame, label)]
    return report, tables, validate_tables(tables, meta, tier, report, standard, metadata_file)


def validate(frame_or_path, metadata=None, tier: str | None = None, *, name: str | None = None) -> QualityReport:
    """Check a table and its metadata exactly as an upload is checked (``commons validate`` and the upload form
    run the same function, commons_kernel.upload_checks.check_upload): the data standard, personal data, small
    counts, file type and size. Nothing is sent or stored.

    ``frame_or_path``: a pandas DataFrame, or the path of a CSV, xlsx, Parquet or zip file (read by content).
    ``metadata``: a dict, or the path of a YAML metadata file. ``tier``: open, community or restricted (default:
    the metadata's tier, else open, the strictest). Returns a QualityReport; call ``.raise_if_blocked()`` to
    raise ValidationFailed when there are errors.
    """
    from commons_kernel.upload_checks import check_frame, check_upload

    if isinstance(frame_or_path, pd.DataFrame):
        return check_frame(frame_or_path, metadata, tier, name=name).report
    path = Path(frame_or_path)
    if not path.is_file():
        raise ValidationFailed(f"{path} is not a file. Give the path of a CSV, xlsx, Parquet or zip file.")
    return check_upload(path, name or path.name, tier, metadata=metadata, raise_on_block=False).report
