"""The output formats of reads (commons_kernel/output_formats.py): the built-ins are entry points like a third
party's, each gives back the commons' types, an unknown name teaches, and a format another package registers is
served by the data-api's read preparation (a real entry point in a subprocess: importlib.metadata finds a
``.dist-info`` on ``PYTHONPATH``; no monkeypatching of the registry)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
import pyarrow as pa
import pytest
from tornado.testing import AsyncHTTPTestCase

from commons_hub.services.data_api.state import ServiceState
from commons_hub.store import Store
from commons_kernel import output_formats, plugins
from commons_kernel.exceptions import CommonsError
from tests.unit import test_data_api_walls as walls

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "catalog"
PREFIX = "/services/data-api/"
NAME = "imd2019_lsoa11"  # open tier: any member reads it without a project or purpose


def commons_table() -> pa.Table:
    """A table with the commons' types: GSS codes, whole numbers with a gap, dates, WKB geometry with `geo`."""
    import geopandas
    import shapely
    from geopandas.io.arrow import _geopandas_to_arrow

    frame = geopandas.GeoDataFrame(
        {
            "ward22_code": ["E05000001", "E05000002", '=HYPERLINK("x")'],
            "visits": pd.array([3, None, 7], dtype="Int64"),
            "month": [dt.date(2024, 1, 1), dt.date(2024, 2, 1), None],
        },
        geometry=[shapely.Point(-2.98, 53.4), shapely.Point(-3.0, 53.41), None],
        crs="EPSG:4326",
    )
    return _geopandas_to_arrow(frame, index=False)  # what ingest stores (hub/commons_hub/ingest/run.py to_arrow)


# the registry ----------------------------------------------------------------------------------------------------


def test_the_built_in_formats_are_registered_as_entry_points_like_a_third_party_s():
    declared = {point.name: point.value for point in entry_points(group=plugins.OUTPUT_FORMATS)}
    assert {name: declared[name] for name in ("arrow", "csv", "parquet")} == {
        "arrow": "commons_kernel.output_formats:ARROW",
        "csv": "commons_kernel.output_formats:CSV",
        "parquet": "commons_kernel.output_formats:PARQUET",
    }
    loaded = plugins.load(plugins.OUTPUT_FORMATS)
    assert loaded["arrow"] is output_formats.ARROW and loaded["csv"] is output_formats.CSV
    assert loaded["parquet"] is output_formats.PARQUET
    assert output_formats.names() == ["arrow", "csv", "parquet"]
    assert output_formats.get("parquet") is output_formats.PARQUET
    assert output_formats.get(output_formats.DEFAULT) is output_formats.ARROW


def test_each_built_in_keeps_today_s_media_type_and_file_suffix():
    assert {f.name: (f.media_type, f.suffix) for f in output_formats.installed().values()} == {
        "arrow": ("application/vnd.apache.arrow.stream", "arrows"),
        "csv": ("text/csv; charset=utf-8", "csv"),
        "parquet": ("application/vnd.apache.parquet", "parquet"),
    }


def test_an_unknown_format_is_the_data_api_s_400_and_names_the_installed_ones():
    with pytest.raises(CommonsError) as raised:
        output_formats.get("xlsx")
    assert type(raised.value) is CommonsError  # code commons-error, status 400: what the data-api answers today
    assert (raised.value.code, raised.value.status) == ("commons-error", 400)
    message = str(raised.value)
    assert message.startswith("format 'xlsx' is not one of arrow, csv, parquet.")
    assert "format=NAME" in message and plugins.OUTPUT_FORMATS in message


# round trips ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", [output_formats.ARROW, output_formats.PARQUET], ids=lambda f: f.name)
def test_arrow_and_parquet_give_back_the_very_table(fmt):
    table = commons_table()
    back = fmt.to_table(fmt.encode(table))
    assert back.equals(table, check_metadata=True)  # types, nulls, WKB bytes and the `geo` metadata
    assert back.schema.field("visits").type == pa.int64() and back.schema.field("month").type == pa.date32()
    assert back["visits"].null_count == 1


def test_csv_gives_back_what_a_spreadsheet_sees():
    back = output_formats.CSV.to_table(output_formats.CSV.encode(commons_table()))
    assert back.schema.field("visits").type == pa.int64() and back.schema.field("month").type == pa.date32()
    assert back["visits"].to_pylist() == [3, None, 7]
    assert back["month"].to_pylist() == [dt.date(2024, 1, 1), dt.date(2024, 2, 1), None]
    assert back["ward22_code"].to_pylist() == ["E05000001", "E05000002", '\'=HYPERLINK("x")']  # formula defused
    assert back["geometry"].to_pylist()[:2] == ["POINT (-2.98 53.4)", "POINT (-3 53.41)"]  # geometry as WKT


def test_only_arrow_streams_the_stored_copy_and_that_copy_is_arrow_bytes(tmp_path):
    assert [f.name for f in output_formats.installed().values() if f.serves_stored_copy] == ["arrow"]
    table = commons_table()
    staged = Store(tmp_path).stage("boundaries_ward22", table, {"ingested_at": "2026-12-01"})
    assert output_formats.ARROW.to_table(staged.arrow_tmp.read_bytes()).equals(table, check_metadata=True)


def test_a_format_without_a_decoder_says_how_to_read_instead():
    write_only = output_formats.OutputFormat("html", "text/html", "html", lambda table: b"<table></table>")
    with pytest.raises(CommonsError, match="cannot be read back.*format=arrow"):
        write_only.to_table(b"<table></table>")


# through the data-api --------------------------------------------------------------------------------------------


class FormatsOverHttpCase(walls.TableAuthApp, AsyncHTTPTestCase):
    """The real tornado app: each format's Content-Type and file name, and an unknown format refused and audited."""

    def get_app(self):
        home = self.temporary_home()
        self.state = ServiceState(home, CATALOG, f"sqlite:///{home / 'governance.sqlite'}")
        self.table = pa.table({"lsoa11_code": ["E01006512", "E01006513"], "rank": pa.array([12, None])})
        self.state.store.commit(self.state.store.stage(NAME, self.table, {"ingested_at": "2026-12-01"}))
        return self.serve(self.state)

    def read(self, **query):
        path = f"{PREFIX}api/datasets/{NAME}/data" + (f"?{urlencode(query)}" if query else "")
        return self.fetch(path, headers={"Authorization": "token analyst1-token"}, raise_error=False)

    def test_each_format_is_served_with_its_media_type_and_suffix_and_audited(self):
        for query, fmt in [({}, output_formats.ARROW), ({"format": "parquet"}, output_formats.PARQUET)]:
            response = self.read(**query)
            assert response.code == 200, response.body
            assert response.headers["Content-Type"] == fmt.media_type
            assert response.headers["Content-Disposition"] == f'attachment; filename="{NAME}-v1.{fmt.suffix}"'
            assert fmt.to_table(response.body).equals(self.table)
        csv = self.read(format="csv")
        assert csv.code == 200 and csv.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert csv.body.decode().splitlines() == ['"lsoa11_code","rank"', '"E01006512",12', '"E01006513",']
        reads = [e for e in self.state.audit.entries() if e["action"] == "read"]
        assert [json.loads(e["detail"])["format"] for e in reads] == ["arrow", "parquet", "csv"]

    def test_an_unknown_format_is_refused_with_the_installed_ones_and_a_deny_entry(self):
        response = self.read(format="xlsx")
        assert response.code == 400
        body = json.loads(response.body)
        assert body["error"] == "commons-error"
        assert body["reason"].startswith("format 'xlsx' is not one of arrow, csv, parquet.")
        denied = list(self.state.audit.entries())[-1]
        detail = json.loads(denied["detail"])
        assert (denied["action"], denied["dataset"], detail["rule"]) == ("deny", NAME, "bad-request")
        assert "xlsx" in detail["reason"]
        assert not [e for e in self.state.audit.entries() if e["action"] == "read"]


# a third party's format ------------------------------------------------------------------------------------------

JSONL_MODULE = """
import json

from commons_kernel.output_formats import OutputFormat


def encode(table):
    return "".join(json.dumps(row) + "\\n" for row in table.to_pylist()).encode()


JSONL = OutputFormat("jsonl", "application/jsonl", "jsonl", encode)
NOT_A_FORMAT = {"name": "jsonl"}
"""

READ_IN_JSONL = """
import json, sys
from pathlib import Path

import pyarrow as pa

from commons_hub.policy import Caller
from commons_hub.services.data_api.reads import ReadRequest, prepare_read
from commons_hub.services.data_api.state import ServiceState
from commons_kernel import output_formats
from commons_kernel.exceptions import CommonsError

home, catalog, name = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
state = ServiceState(home, catalog, f"sqlite:///{home / 'governance.sqlite'}")
table = pa.table({"lsoa11_code": ["E01006512", "E01006513"], "rank": [12, None]})
state.store.commit(state.store.stage(name, table, {"ingested_at": "2026-12-01"}))
caller = Caller("analyst1", groups=frozenset({"members"}))
prepared = prepare_read(state, caller, ReadRequest(name, format="jsonl"))
try:
    output_formats.get("jsonl").to_table(prepared.payload)
    read_back = "yes"
except CommonsError as exc:
    read_back = str(exc)
print(json.dumps({
    "names": output_formats.names(),
    "content_type": prepared.content_type,
    "filename": prepared.filename,
    "rows": prepared.rows,
    "payload": prepared.payload.decode(),
    "audit": [[e["action"], json.loads(e["detail"])["format"], e["bytes"]] for e in state.audit.entries()],
    "read_back": read_back,
}), flush=True)
# Once seen under load in a fresh-clone run: the answer printed, then the interpreter's teardown aborted
# ("terminate called without an active exception", from a native thread pool). The check is complete here.
import os
os._exit(0)
"""


def install_fake_plugin(folder: Path, entry: str) -> None:
    """A module and a .dist-info declaring ``entry`` in the output formats group, as pip would install them."""
    (folder / "jsonl_format.py").write_text(JSONL_MODULE)
    dist = folder / "fake_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(f"[{plugins.OUTPUT_FORMATS}]\n{entry}\n")


def run_python(folder: Path, code: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT)]), "COMMONS_HOME": str(folder)}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        env=env,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_third_party_format_is_served_by_the_data_api_s_read_preparation(tmp_path):
    plugin, home = tmp_path / "plugin", tmp_path / "home"
    plugin.mkdir()
    home.mkdir()
    install_fake_plugin(plugin, "jsonl = jsonl_format:JSONL")
    done = run_python(plugin, READ_IN_JSONL, str(home), str(CATALOG), NAME)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.splitlines()[-1])
    assert seen["names"] == ["arrow", "csv", "jsonl", "parquet"]
    assert seen["content_type"] == "application/jsonl" and seen["filename"] == f"{NAME}-v1.jsonl"
    assert [json.loads(line) for line in seen["payload"].splitlines()] == [
        {"lsoa11_code": "E01006512", "rank": 12},
        {"lsoa11_code": "E01006513", "rank": None},
    ]
    assert seen["rows"] == 2
    assert seen["audit"] == [["read", "jsonl", len(seen["payload"].encode())]]  # audited, with its own format
    assert "cannot be read back" in seen["read_back"]


@pytest.mark.parametrize(
    ("entry", "taught"),
    [
        ("ndjson = jsonl_format:JSONL", "entry point 'ndjson' names the format 'jsonl'"),
        ("jsonl = jsonl_format:NOT_A_FORMAT", "entry point 'jsonl' names a dict, not an OutputFormat"),
    ],
)
def test_a_malformed_third_party_format_is_an_error_naming_it(tmp_path, entry, taught):
    install_fake_plugin(tmp_path, entry)
    check = """
    from commons_kernel import output_formats, plugins
    try:
        output_formats.get("arrow")
    except plugins.PluginError as exc:
        print(exc)
    else:
        print("no error")
    """
    done = run_python(tmp_path, check)
    assert done.returncode == 0, done.stderr
    assert taught in done.stdout and plugins.OUTPUT_FORMATS in done.stdout


def test_the_analysts_guide_lists_every_built_in_format_with_its_media_type_and_file_name():
    guide = (ROOT / "docs" / "analysts" / "data.md").read_text()
    for fmt in (output_formats.ARROW, output_formats.PARQUET, output_formats.CSV):
        row = next((line for line in guide.splitlines() if line.startswith(f"| `{fmt.name}`")), "")
        assert f"`{fmt.media_type}`" in row and f"`NAME-vN.{fmt.suffix}`" in row, fmt.name
