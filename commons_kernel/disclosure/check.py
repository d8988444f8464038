"""Check any table, however it was made, with ACRO's checks: ``check_output`` and ``suppress_small_counts``.

A table of counts is checked from its own cells. A table of magnitudes (sums, means of incomes, visits...)
can only be checked for dominance with its contributors' values, so pass the frame it was made from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from commons_kernel.disclosure.acro_bridge import contributor_evidence, new_checks, quiet_acro, sdcchecks
from commons_kernel.disclosure.report import DisclosureReport, blank_cells, cells_frame
from commons_kernel.disclosure.rules import FAIL, PASS, RULES, table_rules
from commons_kernel.disclosure.thresholds import Thresholds, resolve_thresholds
from commons_kernel.exceptions import ValidationFailed


class TableCells:
    """What ACRO's table checks ask of a table besides its evidence: that it is a table, and its shape."""

    model_type = "table"

    def __init__(self, table: pd.DataFrame):
        self._table = table

    def get_allfalse_table(self) -> pd.DataFrame:
        return pd.DataFrame(False, index=self._table.index, columns=self._table.columns)


def check_output(
    table: pd.DataFrame | pd.Series,
    *,
    data: pd.DataFrame | None = None,
    index: str | list[str] | None = None,
    columns: str | list[str] | None = None,
    values: str | None = None,
    thresholds: Thresholds | Mapping[str, Any] | None = None,
    metadata: Mapping[str, Any] | Iterable[Mapping[str, Any]] | None = None,
    label: str = "",
) -> DisclosureReport:
    """Check every cell of ``table`` against the disclosure rules; return the report and a suppressed copy.

    Without ``data``, every cell of ``table`` is read as a count of records (threshold, zeros, missing).
    With ``data`` (the rows the table was made from) and ``index`` (and ``columns``) naming its grouping
    columns, the records per cell are counted from ``data``; add ``values`` (the column that was summed or
    averaged) to check dominance too (nk, p-ratio, negative values). Thresholds come from the commons
    settings, ``thresholds`` and the datasets' ``metadata``.
    """
    chosen = resolve_thresholds(thresholds, metadata)
    frame = _as_frame(table)
    if data is None:
        if values is not None or index is not None or columns is not None:
            raise ValidationFailed(
                "index=, columns= and values= describe data=: pass the frame the table was made from."
            )
        _require_numeric(frame, "check_output(table) reads every cell as a count of records")
        counts = frame.astype(float)
        evidence = {"count_table": counts, "missing": frame.isna()}
    else:
        evidence = _evidence_from_data(frame, data, _names(index, "index"), _names(columns, "columns"), values, chosen)
    report, _ = _run_rules(frame, evidence, chosen, label)
    return report


def suppress_small_counts(
    frame: pd.DataFrame,
    count_columns: list[str] | None = None,
    *,
    derived_columns: Mapping[str, str] | None = None,
    thresholds: Thresholds | Mapping[str, Any] | None = None,
    metadata: Mapping[str, Any] | Iterable[Mapping[str, Any]] | None = None,
    label: str = "",
) -> tuple[pd.DataFrame, DisclosureReport]:
    """Blank the failing count cells of any frame (one row per area, say); return (suppressed frame, report).

    ``count_columns`` name the columns that hold counts of records; by default every whole-number column,
    which errs on the safe side (a rank or decile column is then checked as if it were a count).
    ``derived_columns`` maps a column computed from a count (a percentage, a rate) to that count column, and
    is blanked wherever its count is. Other numeric columns are listed in ``report.unchecked_columns``.
    """
    if count_columns is None:
        count_columns = [c for c in frame.columns if _is_whole_number_column(frame[c])]
    else:
        count_columns = list(count_columns)
        absent = [c for c in count_columns if c not in frame.columns]
        if absent:
            raise ValidationFailed(
                f"count_columns {absent} are not columns of the frame; it has {list(frame.columns)}."
            )
    derived_columns = dict(derived_columns or {})
    for derived, source in derived_columns.items():
        if derived not in frame.columns or source not in count_columns:
            raise ValidationFailed(
                f"derived_columns maps {derived!r} to {source!r}: both must be columns of the frame and "
                f"{source!r} must be one of the count columns {count_columns}."
            )
    counts = frame[count_columns]
    _require_numeric(counts, "suppress_small_counts reads every count column as counts of records")
    chosen = resolve_thresholds(thresholds, metadata)
    evidence = {"count_table": counts.astype(float), "missing": counts.isna()}
    report, fail_mask = _run_rules(counts, evidence, chosen, label)
    suppressed = blank_cells(frame, count_columns, fail_mask)
    if derived_columns:
        derived_mask = np.column_stack([fail_mask[:, count_columns.index(s)] for s in derived_columns.values()])
        suppressed = blank_cells(suppressed, list(derived_columns), derived_mask)
    report.suppressed = suppressed
    report.checked_columns = count_columns
    report.unchecked_columns = [
        c
        for c in frame.columns
        if c not in count_columns
        and c not in derived_columns
        and pd.api.types.is_numeric_dtype(frame[c])
        and not pd.api.types.is_bool_dtype(frame[c])
    ]
    return suppressed, report


def _run_rules(
    frame: pd.DataFrame, evidence_tables: dict[str, pd.DataFrame], chosen: Thresholds, label: str
) -> tuple[DisclosureReport, np.ndarray]:
    available = {"counts"} | ({"contributors"} if "sum" in evidence_tables else set())
    checks = new_checks(chosen.to_acro_config())
    evidence = sdcchecks.SDCEvidence(interim_tables=evidence_tables)
    model = TableCells(frame)
    negatives = _aligned(evidence_tables["num_negative"] > 0, frame) if "num_negative" in evidence_tables else None
    flags = []
    for rule in table_rules(available):
        with quiet_acro():
            status, _summary, mask = rule.run(checks, evidence, model)
        if status == PASS:
            continue
        flagged = _aligned(mask, frame)
        if rule.review_as and negatives is not None:
            # ACRO's dominance checks cannot judge cells with negative contributions: report them as such.
            other = RULES[rule.review_as]
            flags.append((other.name, other.status, other.describe(chosen), flagged & negatives))
            flagged = flagged & ~negatives
        flags.append((rule.name, rule.status if status == FAIL else status, rule.describe(chosen), flagged))
    flags = _one_flag_per_rule(flags)
    cells = cells_frame(frame, flags)
    fail_mask = (cells["status"] == FAIL).to_numpy().reshape(frame.shape)
    suppressed = blank_cells(frame, list(frame.columns), fail_mask)
    report = DisclosureReport(
        cells=cells, suppressed=suppressed, thresholds=chosen, label=label, checked_columns=list(frame.columns)
    )
    return report, fail_mask


def _one_flag_per_rule(flags: list) -> list:
    """Merge flags of the same rule (nk and p-ratio both report negative cells) so a cell lists it once."""
    merged: dict[str, list] = {}
    for name, status, reason, mask in flags:
        if name in merged:
            merged[name][3] = merged[name][3] | mask
        else:
            merged[name] = [name, status, reason, mask]
    return [tuple(flag) for flag in merged.values()]


def _aligned(mask: pd.DataFrame | pd.Series, frame: pd.DataFrame) -> np.ndarray:
    """A boolean array shaped like ``frame``; a cell the check could not place counts as flagged."""
    if isinstance(mask, pd.Series):
        mask = mask.to_frame()
    if mask.shape == frame.shape and mask.index.equals(frame.index) and mask.columns.equals(frame.columns):
        return mask.eq(True).to_numpy() | mask.isna().to_numpy()
    aligned = mask.reindex(index=frame.index, columns=frame.columns)
    return aligned.eq(True).to_numpy() | aligned.isna().to_numpy()


def _evidence_from_data(
    frame: pd.DataFrame,
    data: pd.DataFrame,
    index: list[str],
    columns: list[str],
    values: str | None,
    chosen: Thresholds,
) -> dict[str, pd.DataFrame]:
    if not index:
        raise ValidationFailed(
            "With data=, name its grouping columns: index='area' (and columns='sex' for a two-way table)."
        )
    absent = [c for c in [*index, *columns, *([values] if values else [])] if c not in data.columns]
    if absent:
        raise ValidationFailed(f"Columns {absent} are not in data; it has {list(data.columns)}.")
    _require_labels(frame.index, data, index, "rows")
    if columns:
        _require_labels(frame.columns, data, columns, "columns")
    keys = [*index, *columns]
    grouped = data.groupby(keys, dropna=False, observed=True, sort=False)
    tables = {"count_table": _shape_like(grouped.size(), frame, columns, fill=0)}
    # a blank cell over a group with no records is what pandas makes of an empty group, not a missing value
    missing = frame.isna().to_numpy() & (tables["count_table"].to_numpy() > 0)
    if values is not None:
        if not pd.api.types.is_numeric_dtype(data[values]) or pd.api.types.is_bool_dtype(data[values]):
            raise ValidationFailed(f"values={values!r} must be a numeric column of data; it is {data[values].dtype}.")
        for name, per_cell in contributor_evidence(grouped[values], chosen.nk_n).items():
            if name == "missing":
                missing = missing | _shape_like(per_cell.astype(bool), frame, columns, fill=0).eq(1).to_numpy()
            else:
                tables[name] = _shape_like(per_cell, frame, columns, fill=0)
    tables["missing"] = pd.DataFrame(missing, index=frame.index, columns=frame.columns)
    return tables


def _shape_like(per_cell: pd.Series, frame: pd.DataFrame, columns: list[str], fill: float) -> pd.DataFrame:
    """Per-cell evidence (a Series indexed by the grouping keys) laid out like the table being checked."""
    if columns:
        wide = per_cell.unstack(columns).reindex(index=frame.index, columns=frame.columns)
    else:
        one = per_cell.reindex(frame.index)
        wide = pd.DataFrame({i: one.to_numpy() for i in range(frame.shape[1])}, index=frame.index)
        wide.columns = frame.columns
    return wide.astype(float).fillna(fill)


def _require_labels(labels: pd.Index, data: pd.DataFrame, keys: list[str], axis: str) -> None:
    if len(keys) == 1:
        known = set(data[keys[0]].unique())
    else:
        known = set(data[keys].drop_duplicates().itertuples(index=False, name=None))
    unknown = [label for label in labels if label not in known]
    if unknown:
        raise ValidationFailed(
            f"The table's {axis} {unknown[:5]} are not groups of data[{keys}] (a margins total such as 'All'?). "
            f"check_output checks cells made from data: check the table without margins, or make it with "
            f"disclosure.Session().crosstab(..., margins=True), which checks margins too."
        )


def _as_frame(table: pd.DataFrame | pd.Series) -> pd.DataFrame:
    if isinstance(table, pd.Series):
        table = table.to_frame(name=table.name if table.name is not None else "value")
    if not isinstance(table, pd.DataFrame):
        raise ValidationFailed(f"check_output needs a pandas DataFrame or Series, not {type(table).__name__}.")
    if not table.columns.is_unique or not table.index.is_unique:
        raise ValidationFailed("The table has repeated row or column labels: give every row and column its own label.")
    return table


def _require_numeric(frame: pd.DataFrame, what: str) -> None:
    text = [
        c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c])
    ]
    if text:
        raise ValidationFailed(
            f"{what}, but columns {text} are not numbers. Move labels into the index "
            f"(frame.set_index('area_code')), or name the count columns: "
            f"suppress_small_counts(frame, count_columns=[...])."
        )


def _is_whole_number_column(values: pd.Series) -> bool:
    return pd.api.types.is_integer_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _names(value: str | list[str] | None, what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ValidationFailed(f"{what}= takes a column name or a list of column names, not {value!r}.")
