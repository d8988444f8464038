"""The Frictionless half of the standard: a Table Schema for the dataset, built from its metadata and the field
profiles in catalog/standard/profiles/fields.json, and frictionless's verdict on the rows, told in plain words.

The rows are given to frictionless inline (already decoded and parsed by the commons' strict reader), so the
reader's line numbers stay true and no file path, absolute or not, reaches frictionless.
"""

from __future__ import annotations

import copy
import re

import frictionless
import numpy as np
import pandas as pd

from commons_kernel.standard.columns import ColumnRoles
from commons_kernel.standard.report import Issue, QualityReport
from commons_kernel.standard.rules import Standard
from commons_kernel.standard.table import Table, fullmatch

PLAIN_TYPES = {"string", "integer", "number", "boolean", "any"}
TYPE_WORDS = {"integer": "a whole number", "number": "a number", "boolean": "true or false"}
# Values in these forms always cast to their type; anything else is left for frictionless to judge.
CLEAN_FORMS = {
    "integer": r"-?(0|[1-9]\d*)",
    "number": r"-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?",
    "boolean": r"true|false",
    "string": r"(?s).*",
}
MISSING_MARKERS = {"n/a", "na", "-", "..", ".", "*", "x", "c", "null", "none", "nan", "#n/a", ":"}


def _field(column: str, roles: ColumnRoles, standard: Standard) -> dict:
    entry = roles.described.get(column, {})
    declared = str(entry.get("type") or "")
    kinds = standard.kinds
    if column in roles.codes:
        field = copy.deepcopy(kinds["gss_code"])
        field["commons:kind"] = "gss_code"
    elif declared in kinds:
        field = copy.deepcopy(kinds[declared])
        field["commons:kind"] = declared
    elif declared in PLAIN_TYPES:
        field = {"type": declared}
    elif column in roles.numbers:
        field = {"type": roles.numbers[column]}
    else:
        field = {"type": "string"}
    field = {"name": column, **field}
    for key in ("description", "unit"):
        if entry.get(key) not in (None, ""):
            field["description" if key == "description" else "commons:unit"] = str(entry[key])
    if column in roles.code_vintages and roles.code_vintages[column]:
        field["commons:vintage"] = roles.code_vintages[column]
    return field


def table_schema(columns: list[str], roles: ColumnRoles, metadata: dict, standard: Standard) -> dict:
    """A Frictionless Table Schema descriptor for a table with these columns."""
    schema = {
        "fields": [_field(column, roles, standard) for column in columns],
        "missingValues": list(standard.field_profiles.get("missingValues", [""])),
    }
    key = metadata.get("primary_key")
    if key:
        schema["primaryKey"] = [key] if isinstance(key, str) else list(key)
    return schema


def _type_fix(cell: str, kind: str, column: str) -> str:
    stripped = cell.strip()
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", stripped):
        return f"write {stripped.replace(',', '')}, without thousands separators"
    if re.fullmatch(r"[+-]?\d+(\.\d+)?\s*%", stripped):
        return f"write {stripped.rstrip('% ')} and state the unit `%` in the metadata for `{column}`"
    if re.fullmatch(r"[£$€]\s*[\d,.]+", stripped):
        number = re.sub(r"[£$€,\s]", "", stripped)
        return f"write the number alone ({number}) and state the currency as the unit"
    if stripped.lower() in MISSING_MARKERS:
        return (
            "leave the cell empty for a missing value; if it marks a suppressed value, leave it empty and "
            "explain in the methodology"
        )
    return f"write {TYPE_WORDS.get(kind, kind)} here, or change the column's `type` in the metadata"


def _constraint_fix(note: str, field: dict) -> str:
    kind = field.get("commons:kind")
    if kind == "count" and "minimum" in note:
        return "counts cannot be negative"
    if kind in ("decile", "quintile", "percentage", "proportion"):
        return field.get("description", "")
    return f"the column's rule is: {note}"


THOUSANDS = r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?"


def _check_formatted_numbers(table: Table, roles: ColumnRoles, report: QualityReport) -> None:
    """Numbers written for people ("1,296", "12%") in a column that is otherwise numeric."""
    for column in table.text.columns:
        if column in roles.numbers or column in roles.codes or column in roles.dates:
            continue
        values = table.text[column]
        present = values[values != ""]
        formatted = fullmatch(present, THOUSANDS) | fullmatch(present, r"[+-]?\d+(\.\d+)?\s*%")
        plain = fullmatch(present, r"[+-]?\d+(\.\d+)?")
        if len(present) and formatted.any() and (formatted | plain).all():
            report.tally("structure", 0, 1)
            report.add_many(
                present.index[formatted],
                lambda position, column=column: Issue(
                    "error",
                    "structure",
                    "formatted-number",
                    f"column `{column}` on line {table.line_of(position)} is a number written with formatting "
                    f"(`{table.text.at[position, column]}`)",
                    _type_fix(table.text.at[position, column], "number", column),
                    file=table.name,
                    line=table.line_of(position),
                    column=column,
                ),
            )


def check_schema(table: Table, roles: ColumnRoles, metadata: dict, report: QualityReport, standard: Standard) -> dict:
    """Run frictionless over the columns the schema constrains; returns the full schema descriptor."""
    columns = [str(column) for column in table.text.columns]
    schema = table_schema(columns, roles, metadata, standard)
    key = schema.get("primaryKey", [])
    unknown = [k for k in key if k not in columns]
    if unknown:
        report.error(
            "structure",
            "bad-primary-key",
            f"`primary_key` names columns not in the file: {unknown}",
            "list existing column names under `primary_key`",
            file=table.name,
        )
        key = []
    for column, entry in roles.described.items():
        declared = str(entry.get("type") or "")
        if declared and declared not in PLAIN_TYPES and declared not in standard.kinds:
            report.error(
                "structure",
                "unknown-type",
                f"column `{column}` has type `{declared}`, which the standard does not know",
                "use one of " + ", ".join(sorted(PLAIN_TYPES | set(standard.kinds))),
                file=table.name,
                column=column,
            )
    # Only constrained fields go to frictionless: plain strings cannot fail it. GSS patterns are checked by the
    # commons' own rule, which can say which code was meant.
    checked = []
    for field in schema["fields"]:
        constraints = {
            k: v
            for k, v in field.get("constraints", {}).items()
            if not (field.get("commons:kind") == "gss_code" and k == "pattern")
        }
        if field["type"] != "string" or constraints or field["name"] in key:
            checked.append(
                {**field, "constraints": constraints}
                if constraints
                else {k: v for k, v in field.items() if k != "constraints"}
            )
    _check_formatted_numbers(table, roles, report)
    report.tally("structure", 1, 1)  # the file parsed as a rectangular table with a good header
    if not checked:
        return schema
    suspects = _suspect_rows(table, checked, key)
    issues = _frictionless_issues(table, checked, key, suspects, schema["missingValues"])
    by_kind: dict[tuple, list[Issue]] = {}
    for issue in issues:
        by_kind.setdefault((issue.code, issue.column), []).append(issue)
    for group in by_kind.values():
        report.add_many(range(len(group)), lambda i, group=group: group[i])
    bad_lines = {issue.line for issue in issues}
    report.tally("structure", len(table.text) - len(bad_lines), len(table.text))
    return schema


def _suspect_rows(table: Table, checked: list[dict], key: list[str]) -> np.ndarray:
    """Rows frictionless must judge. A value in the plain form of its type that meets its bounds cannot fail,
    so clean rows are skipped: a clean file of a million rows is not cast cell by cell twice."""
    suspect = np.zeros(len(table.text), dtype=bool)
    for field in checked:
        values = table.text[field["name"]]
        present = values != ""
        clean_form = CLEAN_FORMS.get(field["type"])
        if clean_form is None:
            return np.ones(len(table.text), dtype=bool)
        clean = fullmatch(values, clean_form) | ~present
        flagged = ~clean
        numbers = (
            pd.to_numeric(values.where(clean & present), errors="coerce")
            if field["type"] in ("integer", "number")
            else None
        )
        for name, bound in field.get("constraints", {}).items():
            if name == "minimum" and numbers is not None:
                flagged |= numbers < bound
            elif name == "maximum" and numbers is not None:
                flagged |= numbers > bound
            elif name == "required":
                flagged |= ~present if bound else False
            elif name == "unique":
                flagged |= (values.duplicated(keep=False) & present) if bound else False
            else:
                flagged |= True  # any other rule: frictionless judges every row
        suspect |= flagged.to_numpy()
    if key:
        keys = table.text[key]
        suspect |= keys.duplicated(keep=False).to_numpy() | keys.eq("").any(axis=1).to_numpy()
    return suspect


def _frictionless_issues(
    table: Table, checked: list[dict], key: list[str], suspects: np.ndarray, missing_values: list
) -> list[Issue]:
    positions = suspects.nonzero()[0]
    if not len(positions):
        return []
    names = [field["name"] for field in checked]
    rows = [names] + table.text[names].iloc[positions].values.tolist()
    descriptor = {"fields": checked, "missingValues": missing_values}
    if key:
        descriptor["primaryKey"] = key
    resource = frictionless.Resource(data=rows, schema=frictionless.Schema.from_descriptor(descriptor))
    result = resource.validate(limit_errors=1_000_000)
    fields = {field["name"]: field for field in checked}
    first_with_key: dict[tuple, dict] = {}

    def first_line(columns: list[str], value: tuple) -> int:
        """The line of the first suspect row with this key (every row of a repeated key is a suspect)."""
        if tuple(columns) not in first_with_key:
            keys = table.text[columns].iloc[positions].itertuples(index=False, name=None)
            firsts: dict = {}
            for position, row_key in zip(positions, keys, strict=False):
                firsts.setdefault(row_key, int(position))
            first_with_key[tuple(columns)] = firsts
        return table.line_of(first_with_key[tuple(columns)][value])

    issues = []
    for kind, row_number, column, cell, note in result.flatten(["type", "rowNumber", "fieldName", "cell", "note"]):
        position = int(positions[row_number - 2]) if row_number else None
        line = table.line_of(position) if position is not None else None
        field = fields.get(column, {})
        if kind == "type-error":
            issue = Issue(
                "error",
                "structure",
                "wrong-type",
                f"column `{column}` on line {line} is not "
                f"{TYPE_WORDS.get(str(field.get('type')), field.get('type'))} (`{cell}`)",
                _type_fix(str(cell), field.get("type", ""), column),
                column=column,
            )
        elif kind == "constraint-error":
            issue = Issue(
                "error",
                "structure",
                "constraint",
                f"column `{column}` on line {line} breaks a rule of its type (`{cell}`: {note})",
                _constraint_fix(note, field),
                column=column,
            )
        elif kind in ("primary-key", "unique-error"):
            columns = key if kind == "primary-key" else [column]
            value = tuple(table.text.iloc[position][columns])
            issue = Issue(
                "error",
                "layout",
                "duplicate-key",
                f"line {line} repeats the key ({', '.join(columns)}: "
                f"{', '.join(value)}) of line {first_line(columns, value)}",
                "each row must be one observation: remove the repeat, or add the column that tells them apart",
            )
        else:
            issue = Issue("error", "structure", kind, f"line {line}: {note or kind}", "check this row", column=column)
        issue.file, issue.line = table.name, line
        issues.append(issue)
    return issues
