"""Shape rules: a tidy layout (one observation per row, no values spread across columns, no totals or notes
inside the data), every column described, and a unit stated for every measured number."""

from __future__ import annotations

import re

import pandas as pd

from commons_kernel.standard.columns import ColumnRoles, snake
from commons_kernel.standard.dates import iso_kind, looks_like_date
from commons_kernel.standard.report import Issue, QualityReport
from commons_kernel.standard.table import Table, matching

YEAR_SUFFIX = re.compile(r"(.*?)[ _\-]*((?:19|20)\d{2})")
TOTAL_WORDS = {"total", "grand total", "totals", "all", "all areas", "sum", "subtotal", "sub-total"}


def _header_is_time(label: str) -> bool:
    return looks_like_date(label) or iso_kind(label) == "year"


def check_layout(table: Table, roles: ColumnRoles, report: QualityReport) -> None:
    text, name = table.text, table.name
    time_headers = [str(column) for column in text.columns if _header_is_time(str(column))]
    stems: dict[str, set[str]] = {}
    for column in text.columns:
        if (match := YEAR_SUFFIX.fullmatch(str(column))) and match[1]:
            stems.setdefault(match[1], set()).add(match[2])
    spread = {stem: years for stem, years in stems.items() if len(years) >= 2}
    report.tally("layout", int(len(time_headers) < 2 and not spread), 1)
    if len(time_headers) >= 2:
        shown = ", ".join(f"`{label}`" for label in time_headers[:6])
        report.error(
            "layout",
            "wide-layout",
            f"the column names {shown} are dates: the values of one measure are spread across columns",
            "put one observation per row: a date column (e.g. `year`) and one value "
            "column; in pandas, `frame.melt(id_vars=[...], var_name='year', value_name='value')`",
            file=name,
            line=1,
        )
    for stem, years in spread.items():
        report.error(
            "layout",
            "wide-layout",
            f"columns `{stem}...` repeat one measure for the years {', '.join(sorted(years))}",
            f"put one observation per row: a `year` column and one `{snake(stem) or 'value'}` column (pandas `melt`)",
            file=name,
            line=1,
        )

    row_hashes = pd.util.hash_pandas_object(text, index=False)
    repeats = row_hashes.duplicated(keep="first")
    report.tally("layout", int(not repeats.any()), 1)
    if repeats.any():
        first_of = pd.Series(row_hashes.index[~repeats], index=row_hashes[~repeats].values)

        def repeat(position) -> Issue:
            original = first_of[row_hashes[position]]
            return Issue(
                "warning",
                "layout",
                "duplicate-row",
                f"line {table.line_of(position)} repeats line {table.line_of(original)} exactly",
                "delete the repeated row, or add the column that tells the two observations apart",
                file=name,
                line=table.line_of(position),
            )

        report.add_many(text.index[repeats], repeat)

    labels = [column for column in text.columns if column not in roles.numbers]
    totals = (
        text[labels].apply(lambda col: matching(col, lambda v: str(v).strip().lower() in TOTAL_WORDS)).any(axis=1)
        if labels
        else None
    )
    report.tally("layout", int(totals is None or not totals.any()), 1)
    if totals is not None and totals.any():
        report.add_many(
            text.index[totals],
            lambda position: Issue(
                "warning",
                "layout",
                "total-row",
                f"line {table.line_of(position)} looks like a total row",
                "remove totals and subtotals: users compute them, and a total inside the data is counted twice",
                file=name,
                line=table.line_of(position),
            ),
        )

    if text.shape[1] >= 3:
        filled = text.ne("")
        only_first = filled.iloc[:, 0] & ~filled.iloc[:, 1:].any(axis=1)
        empty = ~filled.any(axis=1)
        report.tally("layout", int(not only_first.any() and not empty.any()), 1)
        report.add_many(
            text.index[only_first],
            lambda position: Issue(
                "warning",
                "layout",
                "note-row",
                f"line {table.line_of(position)} has a value only in the first column",
                "move notes and footnotes into the metadata (`description` or `methodology`)",
                file=name,
                line=table.line_of(position),
            ),
        )
        report.add_many(
            text.index[empty],
            lambda position: Issue(
                "warning",
                "layout",
                "empty-row",
                f"line {table.line_of(position)} is empty",
                "delete the empty row",
                file=name,
                line=table.line_of(position),
            ),
        )
    for column in text.columns:
        if not text[column].ne("").any():
            report.warning(
                "layout",
                "empty-column",
                f"column `{column}` is empty",
                "delete it, or fill it in",
                file=name,
                column=column,
            )
        if snake(column) != str(column):
            report.warning(
                "layout",
                "column-name-style",
                f"column name `{column}` is not lower snake_case",
                f"rename it `{snake(column) or 'value'}`",
                file=name,
                line=1,
                column=column,
            )
    report.tally("layout", int(all(snake(c) == str(c) for c in text.columns)), 1)


def check_columns_and_units(table: Table, roles: ColumnRoles, report: QualityReport, metadata_file: str) -> None:
    present = set(map(str, table.text.columns))
    for described in roles.described:
        report.tally("structure", int(described in present), 1)
        if described not in present:
            report.error(
                "structure",
                "described-column-missing",
                f"column `{described}` is described in the metadata but is not in the file",
                "rename the column in the file, or correct or remove its `columns` entry",
                file=metadata_file,
                column=described,
            )
    if roles.described:
        for column in table.text.columns:
            if column not in roles.described:
                report.warning(
                    "metadata",
                    "undescribed-column",
                    f"column `{column}` is not described in the metadata",
                    f"add `- {{name: {column}, description: ..., unit: ..., type: ...}}` under `columns:`",
                    file=metadata_file,
                    column=column,
                )
        report.tally("metadata", sum(c in roles.described for c in table.text.columns), table.text.shape[1])
    for column in roles.measures:
        unit = roles.described.get(column, {}).get("unit")
        stated = unit is not None and str(unit).strip() != ""
        report.tally("units", int(stated), 1)
        if not stated:
            report.error(
                "units",
                "missing-unit",
                f"column `{column}` holds numbers but no unit is stated",
                f"add `unit:` to the `{column}` entry under `columns:` in the metadata, e.g. `people`, "
                "`households`, `%`, `GBP`, `rate per 1,000 people`, `rank`",
                file=metadata_file,
                column=column,
            )
