"""Value rules: area codes are GSS codes of the stated level with a stated vintage; dates are ISO 8601."""

from __future__ import annotations

import re

import pandas as pd

from commons_kernel.standard.columns import ColumnRoles
from commons_kernel.standard.dates import fits_granularity, fix_for, iso_kind
from commons_kernel.standard.report import Issue, QualityReport
from commons_kernel.standard.rules import Standard
from commons_kernel.standard.table import Table, fullmatch


def _label(level: str | None, standard: Standard) -> str:
    return standard.gss_levels.get(level or "", {}).get("label", "area")


def _a(label: str) -> str:
    return ("an " if label[:1].lower() in "aeiou" or label.startswith(("LSOA", "MSOA")) else "a ") + label


def _code_fix(value: str, example: str) -> str:
    stripped = value.strip()
    if stripped != value and re.fullmatch(r"[EWSNKLM]\d{8}", stripped):
        return f"remove the spaces around the code: `{stripped}`"
    if re.fullmatch(r"[ewsnklm]\d{8}", stripped):
        return f"write the letter in capitals: `{stripped.upper()}`"
    if re.search(r"[A-Za-z]{3,}", value):
        return f"this looks like a name: put names in their own column and the ONS GSS code here ({example} is one)"
    return f"write the area's 9-character ONS GSS code: {example} is one"


def check_geography(table: Table, roles: ColumnRoles, report: QualityReport, standard: Standard) -> None:
    pattern = standard.gss_pattern.pattern
    for column, level in roles.codes.items():
        values = table.text[column]
        present = values[values != ""]
        valid = fullmatch(present, pattern)
        levels = present[valid].str[:3].map(lambda prefix: standard.level_of_code(prefix + "000000"))
        right_level = levels == level if level else pd.Series(True, index=levels.index)
        good_examples = present[valid][right_level]
        example = good_examples.iloc[0] if len(good_examples) else standard.example_code(level)
        report.tally("geography", int(right_level.sum()), len(present))

        def not_gss(position, column=column, example=example) -> Issue:
            line, value = table.line_of(position), table.text.at[position, column]
            return Issue(
                "error",
                "geography",
                "not-gss-code",
                f"column `{column}` on line {line} is not a GSS code (`{value}`)",
                _code_fix(value, example),
                file=table.name,
                line=line,
                column=column,
            )

        def wrong_level(position, column=column, example=example, level=level, levels=levels) -> Issue:
            line, value = table.line_of(position), table.text.at[position, column]
            return Issue(
                "error",
                "geography",
                "wrong-area-level",
                f"column `{column}` on line {line} holds {value}, {_a(_label(levels[position], standard))} "
                f"code, not {_a(_label(level, standard))} code",
                f"use {_label(level, standard)} codes only in this column ({example} is one), or correct "
                "the column name or `geography.level` if the level is wrong",
                file=table.name,
                line=line,
                column=column,
            )

        report.add_many(present.index[~valid], not_gss)
        report.add_many(right_level.index[~right_level], wrong_level)
        vintage = roles.code_vintages.get(column)
        report.tally("geography", len(present) if vintage else 0, len(present) or 1)
        if not vintage:
            found = levels.mode()
            level_name = level or (found.iloc[0] if len(found) else "lsoa")
            report.error(
                "geography",
                "missing-vintage",
                f"column `{column}` holds GSS codes but the year of their boundaries (vintage) is not stated",
                f"add `geography: {{level: {level_name}, vintage: {level_name.upper()} <year of the "
                f"boundaries, e.g. 2021>, code_column: {column}}}` to the metadata, or `vintage:` to the "
                "column's entry under `columns:`, or put the year in the column name (e.g. `lsoa21_code`)",
                file=table.name,
                column=column,
            )


def check_dates(table: Table, roles: ColumnRoles, report: QualityReport) -> None:
    for column, granularity in roles.dates.items():
        values = table.text[column]
        present = values[values != ""]
        bad = {
            value
            for value in present.unique()
            if not ((kind := iso_kind(value)) and fits_granularity(kind, granularity))
        }
        failing = present.isin(bad)
        report.tally("dates", int((~failing).sum()), len(present))

        def not_iso(position, column=column, granularity=granularity) -> Issue:
            line, value = table.line_of(position), table.text.at[position, column]
            kind = iso_kind(value)
            what = "an ISO 8601 date or period" if granularity == "period" or not kind else f"of the form {granularity}"
            return Issue(
                "error",
                "dates",
                "not-iso-date",
                f"column `{column}` on line {line} is not {what} (`{value}`)",
                fix_for(value, granularity),
                file=table.name,
                line=line,
                column=column,
            )

        report.add_many(present.index[failing], not_iso)
