"""The register's filters and paging, read from a page's query string (``?dataset=&project=&from=&to=&page=``).

One parser for the pages, their JSON twins and the downloads, so a link copied from a filtered page downloads
exactly the rows it shows (without the paging: a download holds every matching row). A value the register cannot
use is refused with a message that names the parameter and the fix, never silently ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date, timedelta
from urllib.parse import urlencode

from commons_kernel.exceptions import CommonsError

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]{0,119}")
PER_PAGE, MAX_PER_PAGE, MAX_PAGE = 100, 500, 100_000
FILTERS = ("dataset", "project", "action", "from", "to")


class BadRegisterQuery(CommonsError):
    """A filter or paging value in a register address that the register cannot use; names the parameter."""

    def __init__(self, parameter: str, problem: str, fix: str):
        self.parameter, self.problem, self.fix = parameter, problem, fix
        super().__init__(f"The address's {parameter!r} {problem} {fix}")


@dataclass(frozen=True)
class Query:
    dataset: str = ""
    project: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def filtered(self) -> bool:
        return bool(self.dataset or self.project or self.action or self.date_from or self.date_to)

    def time_bounds(self) -> tuple[str | None, str | None]:
        """[start, end) as ISO strings that compare correctly with the audit log's ISO 8601 UTC times."""
        start = self.date_from.isoformat() if self.date_from else None
        end = (self.date_to + timedelta(days=1)).isoformat() if self.date_to else None
        return start, end

    def arguments(self, **changes) -> dict[str, str]:
        """The filters (and page, when not 1) as query arguments, e.g. for links to other pages or downloads."""
        values = {
            "dataset": self.dataset,
            "project": self.project,
            "action": self.action,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "page": str(self.page) if self.page != 1 else "",
            "per_page": str(self.per_page) if self.per_page != PER_PAGE else "",
        }
        values.update({k: str(v) for k, v in changes.items()})
        return {k: v for k, v in values.items() if v and not (k == "page" and v == "1")}

    def query_string(self, **changes) -> str:
        encoded = urlencode(self.arguments(**changes))
        return f"?{encoded}" if encoded else ""

    def filters_only(self) -> str:
        """The query string of the filters alone (no paging): what a download link carries."""
        return self.query_string(page="", per_page="")

    def as_dict(self) -> dict:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["date_from"] = self.date_from.isoformat() if self.date_from else None
        out["date_to"] = self.date_to.isoformat() if self.date_to else None
        return out


def parse(arguments: dict[str, str], allowed: tuple[str, ...] = FILTERS, what: str = "this table") -> Query:
    """A Query from query arguments (each a string); ``allowed`` the filters ``what`` supports."""
    for name, value in arguments.items():
        if name in ("page", "per_page"):
            continue
        if name not in FILTERS:
            raise BadRegisterQuery(
                name,
                "is not a filter the register knows.",
                f"Filters are {', '.join(FILTERS)} (dates as YYYY-MM-DD), page and per_page.",
            )
        if value and name not in allowed:
            raise BadRegisterQuery(
                name,
                f"cannot filter {what}.",
                f"{what.capitalize()} can be filtered by {', '.join(allowed) or 'nothing'}.",
            )
    values = {}
    for name in ("dataset", "project", "action"):
        value = arguments.get(name, "").strip()
        if value and not NAME.fullmatch(value):
            raise BadRegisterQuery(
                name,
                f"value {value[:80]!r} is not a name the register uses.",
                "Names are letters, digits, '_' and '-', for example imd2019_lsoa11; "
                "pick one from the list on the page.",
            )
        values[name] = value
    date_from, date_to = _date(arguments, "from"), _date(arguments, "to")
    if date_from and date_to and date_from > date_to:
        raise BadRegisterQuery(
            "from",
            f"date {date_from} is after the 'to' date {date_to}.",
            "Swap them, or leave one empty for an open range.",
        )
    page = _whole(arguments, "page", 1, 1, MAX_PAGE)
    per_page = _whole(arguments, "per_page", PER_PAGE, 1, MAX_PER_PAGE)
    return Query(values["dataset"], values["project"], values["action"], date_from, date_to, page, per_page)


def _date(arguments: dict[str, str], name: str) -> date | None:
    value = arguments.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else _bad_date(name, value)
    except ValueError:
        return _bad_date(name, value)


def _bad_date(name: str, value: str):
    raise BadRegisterQuery(
        name, f"date {value[:40]!r} is not a date.", "Write it as YYYY-MM-DD, for example 2026-03-31."
    )


def _whole(arguments: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    value = arguments.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        raise BadRegisterQuery(
            name,
            f"value {value[:40]!r} is not a whole number from {low} to {high:,}.",
            f"Use, for example, {name}={default}.",
        )
    return int(value)


def pages(total: int, query: Query) -> dict:
    """Where this page sits: total rows, this page, how many pages, and the first/last row number shown."""
    count = max(1, -(-total // query.per_page))
    first = query.offset + 1 if total > query.offset else 0
    return {
        "total": total,
        "page": query.page,
        "per_page": query.per_page,
        "pages": count,
        "first": first,
        "last": min(total, query.offset + query.per_page),
    }
