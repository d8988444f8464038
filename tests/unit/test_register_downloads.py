"""The register's downloads, filters, paging, story-refresh table and audit entries, over a temporary state
directory served by the register's own app on loopback: every table downloads as CSV and JSON with the same
columns, formula-like cells are made inert, filters and paging are applied in both pages and downloads, bad
filter values are refused naming the parameter, and the audit page lists public fields only."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from tornado.testing import AsyncHTTPTestCase

from commons_hub.audit import AuditEvent
from commons_hub.db import engine
from commons_hub.services.register.app import make_app
from commons_hub.services.register.data import RegisterData
from commons_hub.services.register.downloads import csv_cell
from commons_hub.services.register.query import BadRegisterQuery, parse
from commons_hub.services.register.readonly import readonly_engine
from commons_hub.services.register.tables import TABLES
from tests.unit.test_contributions_register import build_state

pytestmark = pytest.mark.unit

PREFIX = "/services/register/"
FORMULA = '=HYPERLINK("http://evil.example/","click")'
SECRET_PURPOSE = "private purpose of analyst one"


@pytest.mark.parametrize(
    "value, cell",
    [
        ("=1+2", "'=1+2"),
        ("+44 151", "'+44 151"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("plain", "plain"),
        (-2, -2),
        (3.5, 3.5),
        (None, ""),
        (True, "true"),
        (["a", "=b"], "a; =b"),
        (["=a"], "'=a"),
    ],
)
def test_csv_cells_that_would_run_as_formulas_are_text(value, cell):
    assert csv_cell(value) == cell


@pytest.mark.parametrize(
    "arguments, parameter",
    [
        ({"from": "2026-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2026-03-02", "to": "2026-03-01"}, "from"),
        ({"dataset": "<script>"}, "dataset"),
        ({"page": "0"}, "page"),
        ({"per_page": "100000"}, "per_page"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_query_values_are_refused_naming_the_parameter(arguments, parameter):
    with pytest.raises(BadRegisterQuery) as caught:
        parse(arguments)
    assert caught.value.parameter == parameter and repr(parameter) in str(caught.value)


def test_a_filter_a_table_does_not_take_is_refused():
    with pytest.raises(BadRegisterQuery, match="can be filtered by dataset"):
        parse({"project": "early-help-demand"}, ("dataset",), "the contributions table")


class Downloads(AsyncHTTPTestCase):
    def get_async_test_timeout(self) -> float:
        return 60  # a shared, loaded machine: a page may take seconds, which is not what these tests check

    def get_app(self):
        self.home = Path(tempfile.mkdtemp(prefix="register-downloads-"))
        self.state = build_state(self.home)
        audit = self.state.audit
        audit.append(
            AuditEvent(
                actor="analyst1",
                action="read",
                dataset="imd2019_lsoa11",
                project="early-help-demand",
                purpose=FORMULA,
                rows=7,
            )
        )
        audit.append(
            AuditEvent(
                actor="analyst1",
                action="read",
                dataset="synthetic_referrals",
                project=self.state.slug,
                purpose=SECRET_PURPOSE,
                rows=3,
            )
        )
        now = datetime.now(UTC)
        writable = engine(f"sqlite:///{self.home / 'governance.sqlite'}")
        with writable.begin() as conn:
            for run_id, status, error, seconds in (
                ("r1", "published", None, 75),
                ("r2", "failed", "<b>kernel died</b>", 4),
            ):
                conn.execute(
                    sa.text(
                        "INSERT INTO story_runs (run_id, story, parameters, started_at, ended_at, status, "
                        "input_versions, trigger, actor, pid, places, error) VALUES (:run_id, 'my-ward', :parameters, "
                        ":start, :end, :status, :inputs, 'schedule', 'analyst1', 4242, 125, :error)"
                    ),
                    {
                        "run_id": run_id,
                        "parameters": json.dumps({"ward": ["E05000001"] * 125}),
                        "start": now,
                        "end": now + timedelta(seconds=seconds),
                        "status": status,
                        "error": error,
                        "inputs": json.dumps({"imd2019_lsoa11": 1, "story": "abc"}),
                    },
                )
        self.data = RegisterData(readonly_engine(f"sqlite:///{self.home / 'governance.sqlite'}"), self.state.store)
        return make_app(self.data, PREFIX)

    def get(self, path: str):
        return self.fetch(PREFIX + path)

    def csv_rows(self, path: str) -> tuple[list[str], list[dict]]:
        response = self.get(path)
        assert response.code == 200, response.body
        reader = csv.DictReader(io.StringIO(response.body.decode("utf-8-sig")))
        return reader.fieldnames, list(reader)

    def test_every_table_downloads_as_csv_and_json_with_the_same_columns(self):
        for name, table in TABLES.items():
            as_csv, as_json = self.get(f"{name}.csv"), self.get(f"{name}.json")
            assert as_csv.code == 200 and as_json.code == 200, name
            assert as_csv.headers["Content-Type"] == "text/csv; charset=utf-8"
            assert as_json.headers["Content-Type"] == "application/json; charset=utf-8"
            for response, extension in ((as_csv, "csv"), (as_json, "json")):
                disposition = response.headers["Content-Disposition"]
                assert disposition.startswith(f'attachment; filename="register-{name}-') and disposition.endswith(
                    f'.{extension}"'
                ), disposition
            assert as_csv.body.startswith("\ufeff".encode())
            columns, rows = self.csv_rows(f"{name}.csv")
            document = json.loads(as_json.body)
            assert columns == list(table.columns) == document["columns"], name
            assert len(rows) == len(document["rows"]), name
            assert all(list(row) == list(table.columns) for row in document["rows"])
        assert len(self.csv_rows("uses.csv")[1]) == len(self.data.uses()["uses"]) == 3
        assert len(self.csv_rows("stories.csv")[1]) == 2 and len(self.csv_rows("projects.csv")[1]) == 1
        assert len(self.csv_rows("votes.csv")[1]) == 3

    def test_formula_injection_is_escaped_in_csv_and_left_as_is_in_json(self):
        _, rows = self.csv_rows("uses.csv?dataset=imd2019_lsoa11")
        assert [r["purposes"] for r in rows] == ["'" + FORMULA]
        uses = json.loads(self.get("uses.json?dataset=imd2019_lsoa11").body)["rows"]
        assert uses[0]["purposes"] == [FORMULA]

    def test_filters_apply_to_pages_and_downloads(self):
        _, rows = self.csv_rows(f"uses.csv?project={self.state.slug}")
        assert {r["project"] for r in rows} == {self.state.slug} and sum(int(r["reads"]) for r in rows) == 2
        page = self.get(f"uses?project={self.state.slug}").body.decode()
        assert "early-help-demand</td>" not in page and f"{self.state.slug}</td>" in page
        assert f'uses.csv?project={self.state.slug}"' in page  # the download link carries the filters
        today = datetime.now(UTC).date()
        assert len(self.csv_rows(f"uses.csv?from={today}&to={today}")[1]) == 3
        assert self.csv_rows(f"uses.csv?to={today - timedelta(days=1)}")[1] == []
        empty = self.get(f"uses?from={today + timedelta(days=1)}").body.decode()
        assert "No reads match these filters" in empty and "Clear the filters" in empty
        document = json.loads(self.get(f"api/uses?dataset=imd2019_lsoa11&from={today}").body)
        assert document["reads"] == 2 and {u["dataset"] for u in document["uses"]} == {"imd2019_lsoa11"}
        audit = json.loads(self.get("audit.json?action=deny").body)["rows"]
        assert audit and {e["action"] for e in audit} == {"deny"}

    def test_bad_filters_get_a_clear_error(self):
        page = self.get("uses?from=31/03/2026")
        assert page.code == 400 and "YYYY-MM-DD" in page.body.decode() and "&#x27;from&#x27;" in page.body.decode()
        twin = self.get("api/uses?dataset=a%20b")
        assert twin.code == 400 and json.loads(twin.body)["parameter"] == "dataset"
        download = self.get("audit.csv?action=peek")
        assert download.code == 400 and "not an audit action" in download.body.decode()
        assert self.get("contributions.csv?project=x").code == 400
        assert self.get("no_such.csv").code == 404

    def test_paging_is_sql_limit_and_offset_with_links(self):
        first = json.loads(self.get("api/uses?per_page=1").body)
        second = json.loads(self.get("api/uses?per_page=1&page=2").body)
        assert first["paging"] == {"total": 3, "page": 1, "per_page": 1, "pages": 3, "first": 1, "last": 1}
        assert len(first["uses"]) == 1 and len(second["uses"]) == 1 and first["uses"] != second["uses"]
        everything = self.data.uses()["uses"]
        assert first["uses"] + second["uses"] == everything[:2]
        page = self.get("uses?per_page=1&page=2").body.decode()
        assert 'aria-label="Pages of data uses"' in page and "Page 2 of 3" in page
        assert 'href="/services/register/uses?page=3&amp;per_page=1"' in page
        assert 'href="/services/register/uses?per_page=1"' in page  # back to page 1
        audit = json.loads(self.get("api/audit?per_page=3&page=2").body)["recent"]
        assert [e["id"] for e in audit["rows"]] == [12, 11, 10]

    def test_story_refreshes_are_a_table(self):
        page = self.get("stories").body.decode()
        assert 'aria-labelledby="runs-caption"' in page and 'tabindex="0"' in page
        assert "my-ward" in page and "1 min 15 s" in page and "4.0 s" in page
        assert "failed: the last good version stayed online" in page and "&lt;b&gt;kernel died&lt;/b&gt;" in page
        assert "imd2019_lsoa11: " in page and "E05000001" not in page and "4242" not in page
        runs = json.loads(self.get("api/stories").body)["rows"]
        assert runs[0]["duration_s"] == 4.0 and runs[1]["duration_s"] == 75.0 and "actor" not in runs[0]

    def test_the_audit_page_lists_public_fields_and_the_head(self):
        response = self.get("audit")
        page = response.body.decode()
        head = self.data.audit_head()
        assert (
            f'<code class="hash">{head["hash"]}</code>' in page and 'href="/services/register/audit/head.json"' in page
        )
        entries = self.state.audit.tail(15)
        for entry in entries:
            assert f'<td class="n">{entry["id"]}</td>' in page and entry["hash"] in page
        assert SECRET_PURPOSE not in page and "analyst1" not in page and "analyst2" not in page
        document = json.loads(self.get("audit.json").body)
        assert document["columns"] == ["id", "time", "action", "dataset", "project", "outcome", "hash"]
        assert len(document["rows"]) == len(entries) and SECRET_PURPOSE not in json.dumps(document)
        assert json.loads(self.get("api/audit").body)["recent"]["rows"][0]["id"] == head["id"]

    def test_downloads_stream_in_batches_and_stay_whole(self):
        from commons_hub.services.register import downloads

        entries = len(list(self.state.audit.entries()))
        for batch in (2, 3, entries, entries + 1):
            downloads.FLUSH_EVERY = batch
            try:
                document = json.loads(self.get("audit.json").body)
                _, rows = self.csv_rows("audit.csv")
            finally:
                downloads.FLUSH_EVERY = 2000
            assert [e["id"] for e in document["rows"]] == list(range(entries, 0, -1)), batch
            assert [int(r["id"]) for r in rows] == list(range(entries, 0, -1)), batch

    def test_every_table_sits_in_a_labelled_scrolling_box(self):
        pages = [
            "",
            "datasets",
            "datasets/foodbank_visits_ward22",
            "projects",
            f"projects/{self.state.slug}",
            "uses",
            "releases",
            "contributions",
            "stories",
            "audit",
        ]
        for path in pages:
            page = self.get(path).body.decode()
            assert page.count("<table") == page.count(
                '<div class="table-wrap" role="region" tabindex="0" aria-labelledby="'
            ), path
            for label in page.split('aria-labelledby="')[1:]:
                assert f'id="{label.split(chr(34))[0]}"' in page, path
