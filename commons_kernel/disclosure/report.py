"""DisclosureReport: what the checks found in one table, cell by cell, and a suppressed copy."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from commons_kernel.disclosure.rules import FAIL, PASS, REVIEW, SEVERITY
from commons_kernel.disclosure.thresholds import Thresholds
from commons_kernel.exceptions import DisclosureRisk

CELL_COLUMNS = ["row", "column", "value", "status", "rules", "reasons"]


@dataclass
class DisclosureReport:
    """Per-cell results of the disclosure rules on one table.

    ``cells`` has one row per checked cell: ``row`` and ``column`` (the cell's labels), ``value`` (as given),
    ``status`` ("pass", "fail" or "review"), ``rules`` (names of the rules that flagged it, comma separated)
    and ``reasons`` (plain English, semicolon separated). ``suppressed`` is a copy of the table with every
    failing cell blanked; cells that need review are kept as they are, for a person to decide.
    """

    cells: pd.DataFrame
    suppressed: pd.DataFrame
    thresholds: Thresholds
    label: str = ""
    checked_columns: list = field(default_factory=list)
    unchecked_columns: list = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        """The worst cell status: "fail", else "review", else "pass"."""
        if self.cells.empty:
            return PASS
        return max(self.cells["status"], key=SEVERITY.__getitem__)

    @property
    def passed(self) -> bool:
        """Every checked cell passed every rule: the table can go out as it is."""
        return self.status == PASS

    @property
    def needs_review(self) -> bool:
        """Some cell needs a person to look at it before anything is released."""
        return bool((self.cells["status"] == REVIEW).any())

    @property
    def releasable(self) -> bool:
        """The suppressed copy may be released without a person's review (no cell needs review)."""
        return not self.needs_review

    @property
    def failed_cells(self) -> pd.DataFrame:
        return self.cells[self.cells["status"] == FAIL]

    @property
    def review_cells(self) -> pd.DataFrame:
        return self.cells[self.cells["status"] == REVIEW]

    def rule_counts(self) -> dict[str, int]:
        """How many cells each rule flagged (a cell can be flagged by several rules)."""
        counter: Counter = Counter()
        for names in self.cells["rules"]:
            counter.update(name for name in names.split(", ") if name)
        return dict(counter)

    @property
    def summary(self) -> str:
        name = f"{self.label}: " if self.label else ""
        parts = [f"{name}{self.status}: {len(self.cells)} cells checked"]
        for status, verb in ((FAIL, "fail"), (REVIEW, "need review")):
            n = int((self.cells["status"] == status).sum())
            if n:
                parts.append(f"{n} {verb}")
        counts = self.rule_counts()
        if counts:
            parts.append("flagged by " + ", ".join(f"{rule} ({count})" for rule, count in counts.items()))
        if (self.cells["status"] == FAIL).any() and not self.suppressed.empty:
            parts.append("failing cells are blank in .suppressed")
        if (self.cells["status"] == REVIEW).any():
            parts.append("cells needing review are kept: a person must look at them before release")
        if self.unchecked_columns:
            parts.append(f"not checked: columns {', '.join(map(str, self.unchecked_columns))}")
        parts.extend(self.notes)
        t = self.thresholds
        parts.append(
            f"thresholds: threshold {t.threshold}, p-ratio {t.p_ratio}, nk {t.nk_n}/{t.nk_k}, dof {t.dof}, "
            f"zeros {'disclosive' if t.zeros_are_disclosive else 'not disclosive'}"
        )
        return "; ".join(parts) + "."

    def __str__(self) -> str:
        return self.summary

    def to_dict(self, include_values: bool = False) -> dict[str, Any]:
        """A JSON-serialisable form. Cell values are left out unless asked for: they can be disclosive."""
        cells = []
        for record in self.cells.itertuples(index=False):
            cell = {
                "row": json_label(record.row),
                "column": json_label(record.column),
                "status": record.status,
                "rules": [r for r in record.rules.split(", ") if r],
                "reasons": [r for r in record.reasons.split("; ") if r],
            }
            if include_values:
                cell["value"] = json_value(record.value)
            cells.append(cell)
        return {
            "label": self.label,
            "status": self.status,
            "passed": self.passed,
            "needs_review": self.needs_review,
            "summary": self.summary,
            "thresholds": self.thresholds.to_dict(),
            "checked_columns": [json_label(c) for c in self.checked_columns],
            "unchecked_columns": [json_label(c) for c in self.unchecked_columns],
            "notes": list(self.notes),
            "cells": cells,
        }

    def check_releasable(self) -> None:
        """Raise DisclosureRisk unless the suppressed copy may be released without review."""
        if self.releasable:
            return
        where = ", ".join(
            f"({json_label(r.row)}, {json_label(r.column)}): {r.reasons}"
            for r in self.review_cells.head(5).itertuples(index=False)
        )
        more = len(self.review_cells) - 5
        raise DisclosureRisk(
            f"{self.label or 'This table'} has {len(self.review_cells)} cells that need review before release: "
            f"{where}{f' and {more} more' if more > 0 else ''}. Fix the data (for example drop or explain "
            f"missing and negative values), or ask a steward to review the output; see docs/analysts/disclosure.md."
        )


def json_label(label: Any) -> Any:
    if isinstance(label, tuple):
        return [json_label(part) for part in label]
    return json_value(label)


def json_value(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if np.isnan(value) else float(value)
    if isinstance(value, str):
        return value
    return str(value)


def cells_frame(
    table: pd.DataFrame,
    flags: list[tuple[str, str, str, np.ndarray]],
) -> pd.DataFrame:
    """One row per cell of ``table``; ``flags`` are (rule name, status, reason, boolean mask like table)."""
    n_rows, n_cols = table.shape
    status = np.full((n_rows, n_cols), PASS, dtype=object)
    rules = np.full((n_rows, n_cols), "", dtype=object)
    reasons = np.full((n_rows, n_cols), "", dtype=object)
    for name, flag_status, reason, mask in flags:
        for i, j in zip(*np.nonzero(mask), strict=False):
            if SEVERITY[flag_status] > SEVERITY[status[i, j]]:
                status[i, j] = flag_status
            rules[i, j] = f"{rules[i, j]}, {name}" if rules[i, j] else name
            reasons[i, j] = f"{reasons[i, j]}; {reason}" if reasons[i, j] else reason
    index_labels = list(table.index)
    column_labels = list(table.columns)
    return pd.DataFrame(
        {
            "row": [index_labels[i] for i in range(n_rows) for _ in range(n_cols)],
            "column": [column_labels[j] for _ in range(n_rows) for j in range(n_cols)],
            "value": table.to_numpy(dtype=object).ravel(),
            "status": status.ravel(),
            "rules": rules.ravel(),
            "reasons": reasons.ravel(),
        },
        columns=CELL_COLUMNS,
    )


def blank_cells(frame: pd.DataFrame, columns: list, mask: np.ndarray) -> pd.DataFrame:
    """A copy of ``frame`` with ``mask`` (rows x ``columns``) blanked; whole-number columns stay whole (Int64)."""
    result = frame.copy()
    for j, column in enumerate(columns):
        hide = mask[:, j]
        if not hide.any():
            continue
        values = result[column]
        if pd.api.types.is_integer_dtype(values) and not pd.api.types.is_bool_dtype(values):
            values = values.astype("Int64")
        elif pd.api.types.is_bool_dtype(values):
            values = values.astype("boolean")
        result[column] = values.mask(hide)
    return result
