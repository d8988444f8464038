"""Reading ACRO's output records: as JSON for a release request, and as a per-cell DisclosureReport."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from commons_kernel.disclosure.report import DisclosureReport, cells_frame, json_value
from commons_kernel.disclosure.rules import FAIL, PASS, REVIEW, RULES, SEVERITY, rule_for_acro_check
from commons_kernel.disclosure.thresholds import Thresholds


def record_to_dict(record: Any) -> dict[str, Any]:
    """One ACRO output record as plain JSON values (the fields of ACRO's own results.json, plus sdc)."""
    outcome = record.outcome
    return {
        "uid": record.uid,
        "status": record.status,
        "type": record.output_type,
        "properties": _plain(record.properties),
        "command": record.command,
        "summary": record.summary,
        "exception": record.exception,
        "comments": list(record.comments),
        "timestamp": record.timestamp,
        "sdc": _plain(record.sdc),
        "fair": _plain(record.fair),
        # orient="split" keeps multi-level labels (a pivot with several aggfuncs) as lists
        "outcome": json.loads(outcome.to_json(orient="split"))
        if isinstance(outcome, pd.DataFrame) and not outcome.empty
        else None,
    }


def merge_table_records(records: Any, uids: list[str], aggfuncs: list[str], combined: pd.DataFrame) -> str:
    """Replace the records of a table checked one aggfunc at a time by one record; return its uid."""
    parts = [records.results[uid] for uid in uids]
    sdc: dict[str, Any] = {"summary": {}, "cells": {}}
    offset = 0
    for part in parts:
        for check, count in part.sdc.get("summary", {}).items():
            sdc["summary"][check] = sdc["summary"].get(check, 0) + count
        for check, positions in part.sdc.get("cells", {}).items():
            sdc["cells"].setdefault(check, []).extend([row, column + offset] for row, column in positions)
        offset += part.output[0].shape[1]
    worst = max((part.status for part in parts), key=lambda status: SEVERITY.get(status, SEVERITY[FAIL]))
    for uid in uids:
        records.remove(uid)
    records.add(
        status=worst,
        output_type="table",
        properties={**parts[0].properties, "aggfunc": list(aggfuncs), "checked": "one aggfunc at a time"},
        sdc=sdc,
        fair={aggfunc: part.fair for aggfunc, part in zip(aggfuncs, parts, strict=False)},
        summary="\n".join(f"{aggfunc}: {part.summary}" for aggfunc, part in zip(aggfuncs, parts, strict=False)),
        outcome=pd.concat([part.outcome for part in parts], axis=1, keys=aggfuncs),
        output=[combined],
    )
    new_uid = list(records.results)[-1]
    merged = records.results[new_uid]
    merged.exception = next((part.exception for part in parts if part.exception), "")
    records.rename(new_uid, uids[0])
    first = uids[0].rpartition("_")[2]
    if first.isdigit():  # the parts were the latest outputs: number the next output straight after this one
        records.output_id = int(first) + 1
    return uids[0]


def record_report(record: Any, thresholds: Thresholds) -> DisclosureReport:
    """A DisclosureReport of one ACRO output: per cell for tables, one line for models and plots."""
    output = record.output[0] if record.output and isinstance(record.output[0], pd.DataFrame) else None
    outcome = record.outcome
    if (
        record.output_type == "table"
        and output is not None
        and isinstance(outcome, pd.DataFrame)
        and outcome.shape == output.shape
    ):
        flags = _table_flags(outcome, thresholds)
        cells = cells_frame(output, flags)
        return DisclosureReport(
            cells=cells,
            suppressed=output,
            thresholds=thresholds,
            label=record.uid,
            checked_columns=list(output.columns),
            notes=_notes(record),
        )
    return _whole_output_report(record, thresholds)


def _table_flags(outcome: pd.DataFrame, thresholds: Thresholds) -> list:
    """Flags from ACRO's outcome table, whose cells read "ok" or "MinimumThresholdCheck; NKCheck; "."""
    names = outcome.map(_check_names).to_numpy()
    flags = []
    seen = sorted({name for cell in names.ravel() for name in cell})
    for check_name in seen:
        mask = np.vectorize(lambda cell, n=check_name: n in cell, otypes=[bool])(names)
        rule = rule_for_acro_check(check_name)
        if rule is None:
            flags.append((check_name, REVIEW, f"ACRO check {check_name}", mask))
        else:
            flags.append((rule.name, rule.status, rule.describe(thresholds), mask))
    return flags


def _check_names(cell: Any) -> tuple[str, ...]:
    text = str(cell)
    if text.startswith("ok"):  # ACRO prefixes later analyses' findings with the earlier "ok"
        text = text[2:]
    return tuple(part.strip() for part in text.split(";") if part.strip())


def _whole_output_report(record: Any, thresholds: Thresholds) -> DisclosureReport:
    status = record.status if record.status in (PASS, FAIL, REVIEW) else REVIEW
    dof = record.properties.get("dof") if isinstance(record.properties, dict) else None
    rule_names, reasons = "", ""
    if isinstance(dof, (int, np.integer)) and dof < thresholds.dof:
        rule_names, reasons = "dof", RULES["dof"].describe(thresholds)
    elif status != PASS:
        reasons = " ".join(str(record.summary).split())
    cells = pd.DataFrame(
        [
            {
                "row": record.uid,
                "column": record.properties.get("method", record.output_type),
                "value": json_value(dof) if dof is not None else None,
                "status": status,
                "rules": rule_names,
                "reasons": reasons,
            }
        ]
    )
    return DisclosureReport(
        cells=cells, suppressed=pd.DataFrame(), thresholds=thresholds, label=record.uid, notes=_notes(record)
    )


def _notes(record: Any) -> list[str]:
    notes = [f"ACRO status {record.status}"]
    if record.exception:
        notes.append(f"ACRO exception: {record.exception}")
    return notes


def _plain(value: Any) -> Any:
    """Nested dicts and lists with numpy and pandas values turned into JSON ones."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, pd.DataFrame):
        return json.loads(value.to_json(orient="split"))
    if isinstance(value, (str, bool)) or value is None:
        return value
    return json_value(value)
