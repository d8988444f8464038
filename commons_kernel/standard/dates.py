"""ISO 8601 dates and periods: is a value one, and if not, what should it have been?

The standard accepts years (2021), months (2021-12), dates (2021-12-06), ISO weeks (2021-W49), date-times
(2021-12-06T09:30:00Z) and intervals of these or durations (2019-04-01/2020-03-31, 2021-01/P3M). UK day-first
dates are translated in the fix, so the contributor sees exactly what to write.
"""

from __future__ import annotations

import re
from datetime import date, datetime

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}

_YEAR = re.compile(r"\d{4}")
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_WEEK = re.compile(r"\d{4}-W(0[1-9]|[1-4]\d|5[0-3])(-[1-7])?")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?")
_DURATION = re.compile(r"P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?")

GRANULARITY_FORMS = {
    "year": "YYYY, e.g. 2021",
    "yearmonth": "YYYY-MM, e.g. 2021-12",
    "date": "YYYY-MM-DD, e.g. 2021-12-06",
    "datetime": "YYYY-MM-DDThh:mm:ss, e.g. 2021-12-06T09:30:00Z",
    "period": "an ISO 8601 date or period, e.g. 2021, 2021-12, 2021-12-06 or 2019-04-01/2020-03-31",
}


def _point_kind(value: str) -> str | None:
    """'year', 'yearmonth', 'date', 'week', 'datetime' or None when the value is no ISO 8601 point in time."""
    if _YEAR.fullmatch(value):
        return "year"
    if _MONTH.fullmatch(value):
        return "yearmonth"
    if _DATE.fullmatch(value):
        try:
            date.fromisoformat(value)
        except ValueError:
            return None
        return "date"
    if _WEEK.fullmatch(value):
        return "week"
    if _DATETIME.fullmatch(value):
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return "datetime"
    return None


def iso_kind(value: str) -> str | None:
    """The ISO 8601 form of ``value`` ('year', 'yearmonth', 'date', 'week', 'datetime', 'time', 'interval')."""
    value = value.strip()
    if "/" in value:
        start, _, end = value.partition("/")
        start_ok = _point_kind(start) or _DURATION.fullmatch(start)
        end_ok = _point_kind(end) or _DURATION.fullmatch(end)
        both_durations = bool(_DURATION.fullmatch(start) and _DURATION.fullmatch(end))
        return "interval" if start_ok and end_ok and not both_durations else None
    if _TIME.fullmatch(value):
        return "time"
    return _point_kind(value)


def fits_granularity(kind: str, granularity: str) -> bool:
    if granularity == "period":
        return kind != "time"
    if granularity == "datetime":
        return kind in ("datetime", "date")
    return kind == granularity


def _year(text: str) -> str:
    return text if len(text) == 4 else f"20{text}"


def suggest_iso(value: str) -> str | None:
    """What a common non-ISO date should be written as, or None when the value is not recognised as a date."""
    text = value.strip()
    lowered = text.lower()
    if match := re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})(?:[ T](\d{1,2}:\d{2}(?::\d{2})?))?", text):
        day, month, year, clock = match.groups()
        if int(month) > 12 >= int(day):  # month-first (US) order
            day, month = month, day
        result = f"{_year(year)}-{int(month):02d}-{int(day):02d}"
        return f"{result}T{clock.zfill(5)}" if clock else result
    if match := re.fullmatch(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})", text):
        return f"{match[1]}-{int(match[2]):02d}-{int(match[3]):02d}"
    if match := re.fullmatch(r"(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}(:\d{2})?.*)", text):
        return f"{match[1]}T{match[2]}"
    if match := re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text):
        candidate = f"{match[1]}-{match[2]}-{match[3]}"
        return candidate if _point_kind(candidate) == "date" else None
    if match := re.fullmatch(r"(\d{1,2})[/\-](\d{4})", text):
        return f"{match[2]}-{int(match[1]):02d}" if 1 <= int(match[1]) <= 12 else None
    if (match := re.fullmatch(r"([a-z]+)[ \-']*(\d{4}|\d{2})", lowered)) and match[1] in MONTHS:
        return f"{_year(match[2])}-{MONTHS[match[1]]:02d}"
    if (match := re.fullmatch(r"(\d{1,2}) ([a-z]+) (\d{4})", lowered)) and match[2] in MONTHS:
        return f"{match[3]}-{MONTHS[match[2]]:02d}-{int(match[1]):02d}"
    if match := re.fullmatch(r"(\d{4})[/\-](\d{2})", text):
        start, end = int(match[1]), int(match[2])
        if end == (start + 1) % 100:  # a financial year such as 2019/20
            return f"{start}-04-01/{start + 1}-03-31"
    if match := re.fullmatch(r"(\d{4})[ \-]?q([1-4])|q([1-4])[ \-]?(\d{4})", lowered):
        year, quarter = (match[1], match[2]) if match[1] else (match[4], match[3])
        first = 3 * int(quarter) - 2
        return f"{year}-{first:02d}/{year}-{first + 2:02d}"
    return None


def looks_like_date(value: str) -> bool:
    """True for ISO 8601 dates and periods and for the common non-ISO ways of writing a date."""
    kind = iso_kind(value)
    if kind and kind != "year" and kind != "time":
        return True
    return suggest_iso(value) is not None and not value.strip().isdigit()


def fix_for(value: str, granularity: str) -> str:
    """The fix text for a value that is not ISO 8601 (or not of the expected granularity)."""
    form = GRANULARITY_FORMS.get(granularity, GRANULARITY_FORMS["period"])
    suggestion = suggest_iso(value)
    if suggestion and re.fullmatch(r"\d{4}-04-01/\d{4}-03-31", suggestion):
        return f"if this is a financial year, write {suggestion} (an ISO 8601 interval)"
    if suggestion and "/" in suggestion:
        return f"if this is a calendar quarter, write {suggestion} (an ISO 8601 interval)"
    if suggestion:
        return f"write {suggestion} (ISO 8601)"
    return f"write {form}"
