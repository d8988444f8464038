"""What each column of a table is (area code, date, number, text), from the metadata first and the values second.

The checks (geography, dates, units, schema, privacy) all read the same ``ColumnRoles``, so a column is judged
the same way everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from commons_kernel.standard.dates import looks_like_date
from commons_kernel.standard.rules import Standard
from commons_kernel.standard.table import fullmatch

DATE_TOKENS = {"date", "month", "week", "period", "year", "quarter", "day", "time", "timestamp", "datetime", "dob"}
IDENTIFIER_TOKENS = {"id", "objectid", "fid", "uprn", "urn", "ref", "reference"}
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
INTEGER = re.compile(r"[+-]?\d+")


def snake(name: str) -> str:
    """`LSOA code` -> `lsoa_code`; `LSOA11CD` -> `lsoa11cd`."""
    return re.sub(r"[^0-9a-z]+", "_", str(name).lower()).strip("_")


def tokens(name: str) -> set[str]:
    return set(snake(name).split("_"))


@dataclass
class ColumnRoles:
    described: dict[str, dict] = field(default_factory=dict)  # metadata entries by column name
    codes: dict[str, str | None] = field(default_factory=dict)  # GSS code column -> expected level (None: any)
    code_vintages: dict[str, str | None] = field(default_factory=dict)  # GSS code column -> stated vintage
    dates: dict[str, str] = field(default_factory=dict)  # date column -> granularity
    numbers: dict[str, str] = field(default_factory=dict)  # numeric column -> "integer" | "number"
    identifiers: set[str] = field(default_factory=set)

    @property
    def measures(self) -> list[str]:
        """Numeric columns that need a unit: not codes, dates or identifiers."""
        return [
            name
            for name in self.numbers
            if name not in self.codes and name not in self.dates and name not in self.identifiers
        ]


def _non_empty(values: pd.Series) -> pd.Series:
    return values[values != ""]


def _level_from_name(name: str, standard: Standard) -> tuple[bool, str | None, str | None]:
    """(is a code column by its name, level, vintage year) for names such as lsoa11_code, WD22CD, LSOA code."""
    prefixes = "|".join(sorted(standard.gss_name_prefixes, key=len, reverse=True))
    match = re.fullmatch(
        rf"(?:f_)?({prefixes})_?(\d{{2}}|\d{{4}})?_?(cd|code|gss_code)(?:_((?:19|20)\d{{2}}))?", snake(name)
    )
    if not match:
        return False, None, None
    level = standard.gss_name_prefixes[match[1]]
    year = match[2] or match[4]
    vintage = None if not year else (year if len(year) == 4 else f"20{year}")
    return True, level, vintage


def _number_kind(values: pd.Series) -> str | None:
    present = _non_empty(values)
    if present.empty:
        return None
    if fullmatch(present, INTEGER.pattern).all():
        if fullmatch(present, r"[+-]?0\d+").any():  # leading zeros: an identifier or a phone number, not a number
            return None
        return "integer"
    if fullmatch(present, NUMBER.pattern).all():
        return "number"
    return None


def column_roles(text: pd.DataFrame, metadata: dict, standard: Standard, dtypes: dict | None = None) -> ColumnRoles:
    """Decide each column's role. ``text`` holds every cell as a string ("" when empty); ``dtypes`` are the
    pandas dtypes of the frame the contributor gave, when there was one."""
    roles = ColumnRoles()
    for entry in metadata.get("columns") or []:
        if isinstance(entry, dict) and "name" in entry:
            roles.described[str(entry["name"])] = entry
    declared_geography = metadata.get("geography")
    geography: dict = declared_geography if isinstance(declared_geography, dict) else {}
    kinds = standard.kinds
    gss = standard.gss_pattern.pattern
    for name in text.columns:
        values = text[name]
        entry = roles.described.get(name, {})
        declared = str(entry.get("type") or "")
        by_name, level, vintage = _level_from_name(name, standard)
        present = _non_empty(values)
        gss_share = fullmatch(present, gss).mean() if len(present) else 0.0
        if (
            declared == "gss_code"
            or name == geography.get("code_column")
            or by_name
            or ("code" in tokens(name) and gss_share >= 0.8)
            or (len(present) and gss_share >= 0.9)
        ):
            if name == geography.get("code_column"):
                level = geography.get("level") or level
            roles.codes[name] = level if level in standard.gss_levels else None
            stated = entry.get("vintage") or (
                geography.get("vintage")
                if name == geography.get("code_column") or not geography.get("code_column")
                else None
            )
            roles.code_vintages[name] = str(stated) if stated else vintage
            continue
        granularity = kinds.get(declared, {}).get("commons:granularity")
        numeric_dtype = (
            dtypes is not None
            and pd.api.types.is_numeric_dtype(dtypes.get(name))
            and not pd.api.types.is_bool_dtype(dtypes.get(name))
        )
        if dtypes is not None and pd.api.types.is_datetime64_any_dtype(dtypes.get(name)):
            granularity = granularity or "datetime"
        if granularity:
            roles.dates[name] = granularity
            continue
        number_kind = _number_kind(values)
        if tokens(name) & DATE_TOKENS and (number_kind is None or "year" in tokens(name)):
            roles.dates[name] = "year" if number_kind else "period"
            continue
        if number_kind is None and len(present) and present.head(200).map(looks_like_date).mean() >= 0.5:
            roles.dates[name] = "period"
            continue
        if declared in ("integer", "number") or kinds.get(declared, {}).get("type") in ("integer", "number"):
            roles.numbers[name] = kinds.get(declared, {}).get("type", declared)
        elif numeric_dtype or number_kind:
            roles.numbers[name] = number_kind or "number"
        if tokens(name) & IDENTIFIER_TOKENS or snake(name).endswith("id"):
            roles.identifiers.add(name)
    return roles
