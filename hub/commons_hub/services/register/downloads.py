"""CSV and JSON downloads of every register table (``TABLE.csv``, ``TABLE.json``), filtered like the pages.

Both hold every row that matches the filters (no paging) with the table's columns (tables.TABLES), streamed a
batch at a time. CSV cells that a spreadsheet would run as a formula (starting with = + - @, tab or carriage
return) are prefixed with ' so they show as text; CSV is UTF-8 with a byte-order mark, so spreadsheets read
accents and dashes correctly.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from commons_hub.services.register.base import PublicHandler
from commons_hub.services.register.query import BadRegisterQuery
from commons_hub.services.register.tables import TABLES

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FLUSH_EVERY = 2000


def csv_cell(value) -> str | int | float:
    """One cell: lists joined with '; ', None empty, booleans true/false, formula-like text made inert."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_line(values) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([csv_cell(v) for v in values])
    return buffer.getvalue()


def json_value(value):
    return value if isinstance(value, (str, int, float, bool, list, dict, type(None))) else str(value)


class DownloadHandler(PublicHandler):
    async def get(self, name: str, extension: str) -> None:
        table = TABLES.get(name)
        if table is None:
            self.set_status(404)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish(f"The register has no table called {name!r}. Tables: {', '.join(TABLES)}.\n")
            return
        try:
            query = self.register_query(table.filters, f"the {table.title.lower()} table")
            rows = iter(table.rows(self.data, query))
            first = next(rows, None)  # a bad filter value (an unknown action) is refused before any byte is sent
        except BadRegisterQuery as exc:
            self.set_status(400)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish(f"{exc}\n")
            return
        stem = f"register-{name}-{date.today().isoformat()}"
        if extension == "csv":
            self.set_header("Content-Type", "text/csv; charset=utf-8")
        else:
            self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Content-Disposition", f'attachment; filename="{stem}.{extension}"')
        writer = self._csv if extension == "csv" else self._json
        await writer(table, query, [first] if first is not None else [], rows)

    async def _csv(self, table, query, head: list, rest) -> None:
        self.write("\ufeff" + csv_line(table.columns))
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        for count, row in enumerate(_chain(head, rest), start=1):
            writer.writerow([csv_cell(row.get(c)) for c in table.columns])
            if count % FLUSH_EVERY == 0:
                self.write(buffer.getvalue())
                buffer.seek(0)
                buffer.truncate()
                await self.flush()
        self.finish(buffer.getvalue())

    async def _json(self, table, query, head: list, rest) -> None:
        about = {
            "table": table.name,
            "title": table.title,
            "columns": list(table.columns),
            "filters": query.arguments(page="", per_page=""),
            "as_of_entry": self.data.last_entry(),
        }
        self.write(json.dumps(about, ensure_ascii=False)[:-1] + ', "rows": [\n')
        lines: list[str] = []
        count = 0
        for row in _chain(head, rest):
            lines.append(json.dumps({c: json_value(row.get(c)) for c in table.columns}, ensure_ascii=False))
            count += 1
            if count % FLUSH_EVERY == 0:
                self.write(("," if count > FLUSH_EVERY else "") + ",\n".join(lines))
                lines = []
                await self.flush()
        tail = ",\n".join(lines)
        self.finish(("," if lines and count > len(lines) else "") + tail + "\n]}\n")


def _chain(head: list, rest):
    yield from head
    yield from rest
