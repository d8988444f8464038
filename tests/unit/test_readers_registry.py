"""The readers of contributed files (commons_kernel/standard/readers.py): the built-ins are entry points like a third
party's and keep today's words; a reader another package registers is used by ``check_upload`` end to end, and
the safety checks (zip containers' central directory, the column and cell limits, formulas, small counts) still
run on what it reads, since the registry runs them, not the reader. Third-party readers are real entry points in a
subprocess (importlib.metadata finds a ``.dist-info`` on ``PYTHONPATH``; no monkeypatching of the registry)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from commons_kernel import plugins
from commons_kernel.standard import readers
from commons_kernel.standard.rules import load_standard
from commons_kernel.standard.validator import new_report

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "bad_uploads"
TODAY_S_HINT = "upload a CSV file (UTF-8), an Excel .xlsx workbook, a Parquet file, or a zip of these"


def test_the_built_in_readers_are_registered_as_entry_points_like_a_third_party_s():
    declared = {point.name: point.value for point in entry_points(group=plugins.READERS)}
    assert declared == {
        "csv": "commons_kernel.standard.readers:CSV",
        "parquet": "commons_kernel.standard.readers:PARQUET",
        "xlsx": "commons_kernel.standard.readers:XLSX",
        "zip": "commons_kernel.standard.readers:ZIP",
    }
    loaded = plugins.load(plugins.READERS)
    assert loaded == {"csv": readers.CSV, "parquet": readers.PARQUET, "xlsx": readers.XLSX, "zip": readers.ZIP}
    assert list(readers.installed()) == ["csv", "xlsx", "parquet", "zip"]  # by rank: the zip comes last


def test_what_the_names_and_hints_say_is_worked_out_from_the_readers_as_before():
    today_s = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".zip": "zip", ".parquet": "parquet"}
    assert readers.suffix_kinds() == today_s
    assert readers.accepted_fix() == TODAY_S_HINT
    assert readers.accept_list() == ".csv,.txt,.xlsx,.parquet,.zip"
    assert readers.describe("csv") == "CSV text" and readers.describe("pdf") == "a PDF document"


def test_a_file_no_reader_reads_is_refused_with_the_readers_hint():
    report = new_report("report.csv", "open", load_standard())
    data = (FIXTURES / "report_named_like.csv").read_bytes()
    assert readers.read_tables(data, "report.csv", report, load_standard().limits) == []
    assert [(issue.code, issue.fix) for issue in report.errors] == [("file-type", TODAY_S_HINT)]


def test_the_upload_form_accepts_the_readers_suffixes():
    from commons_hub.services.data_api.routes.upload import _form_context

    assert _form_context({})["accept"] == readers.accept_list()


# -- a third party's readers, in a subprocess --------------------------------------------------------------------

PLUGIN_MODULE = """
import csv
import io
import zipfile

import pandas as pd

from commons_kernel.standard.readers import Reader
from commons_kernel.standard.table import Table

CALLS = []


def recognise(data):
    first = data.split(b"\\n", 1)[0]
    return b"\\t" in first and b"," not in first and b"\\x00" not in first


def table(text, name):
    rows = [row for row in csv.reader(io.StringIO(text, newline=""), delimiter="\\t") if row]
    return Table(name=name, text=pd.DataFrame(rows[1:], columns=rows[0], dtype=object))


def read_tsv(data, name, report, limits):
    return [table(data.decode("utf-8"), name)]


def read_bundle(data, name, report, limits):
    # A careless reader: it expands its member without a cap. The registry must have checked the archive first.
    CALLS.append(name)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [table(archive.read("bundle.tsv").decode("utf-8"), name)]


TSV = Reader("tsv", (".tsv", ".tab"), "a tab-separated file", read_tsv, recognise=recognise, rank=40)
BUNDLE = Reader("bundle", (".bundle",), "a bundle", read_bundle, recognise=lambda d: b"bundle.tsv" in d[:200])
NOT_A_READER = {"kind": "tsv"}
"""

CHECK_WITH_PLUGINS = """
import io, json, sys, zipfile
from pathlib import Path

import yaml

import tsv_reader
from commons_kernel.standard import readers
from commons_kernel.upload_checks import check_upload

fixtures = Path(sys.argv[1])
metadata = yaml.safe_load((fixtures / "metadata.yaml").read_text())
good = (fixtures / "good.csv").read_text().replace(",", "\\t")


def zipped(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def outcome(data, filename, **options):
    result = check_upload(data, filename, "open", metadata=metadata, raise_on_block=False, **options)
    return {
        "file_type": result.file_type,
        "accepted": result.accepted,
        "tables": {name: [str(v) for v in frame["visits"]] for name, frame in result.tables.items()},
        "errors": [[issue.code, issue.message, issue.fix] for issue in result.report.errors],
        "warnings": [[issue.code, issue.message] for issue in result.report.warnings],
    }


wide = "\\t".join(f"c{i}" for i in range(501)) + "\\n" + "\\t".join("1" for _ in range(501)) + "\\n"
seen = {
    "kinds": list(readers.installed()),
    "hint": readers.accepted_fix(),
    "accept": readers.accept_list(),
    "good": outcome(good.encode(), "visits.tsv"),  # within the time and memory budget, as an upload is
    "small": outcome(good.replace("\\t25", "\\t3").encode(), "visits.tsv"),
    "formula": outcome(good.replace("2022-02", "=HYPERLINK(1)").encode(), "visits.tsv"),
    "named_csv": outcome(good.encode(), "visits.csv"),
    "in_zip": outcome(zipped({"visits.tsv": good}), "bundle.zip"),
    "wide": outcome(wide.encode(), "wide.tsv", budget=False),
    "pdf": outcome(b"%PDF-1.4 not a table", "report.tsv", budget=False),
    "bundle": outcome(zipped({"bundle.tsv": good}), "visits.bundle", budget=False),
}
calls_before_the_bomb = list(tsv_reader.CALLS)
try:
    seen["bundle_bomb"] = outcome(zipped({"bundle.tsv": good + "0" * 20_000_000}), "bomb.bundle", budget=False)
except Exception as exc:  # what a reader that expanded the bomb made of it
    seen["bundle_bomb"] = {"raised": repr(exc)[:500]}
seen["bundle_calls"] = [calls_before_the_bomb, tsv_reader.CALLS]
print(json.dumps(seen))
"""

LOAD_READERS = """
from commons_kernel.standard import readers

readers.installed()
"""


def install_fake_plugin(folder: Path, *entries: str) -> None:
    """A module and a .dist-info declaring ``entries`` in the readers group, as pip would install them."""
    (folder / "tsv_reader.py").write_text(PLUGIN_MODULE)
    dist = folder / "fake_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(f"[{plugins.READERS}]\n" + "\n".join(entries) + "\n")


def run_python(folder: Path, code: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT)]), "COMMONS_HOME": str(folder)}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        env=env,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def seen(tmp_path_factory) -> dict:
    plugin = tmp_path_factory.mktemp("plugin")
    install_fake_plugin(plugin, "tsv = tsv_reader:TSV", "bundle = tsv_reader:BUNDLE")
    done = run_python(plugin, CHECK_WITH_PLUGINS, str(FIXTURES))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def codes(issues: list) -> list[str]:
    return [issue[0] for issue in issues]


def test_a_third_party_reader_is_installed_beside_the_built_ins(seen):
    assert seen["kinds"] == ["csv", "xlsx", "parquet", "tsv", "bundle", "zip"]
    assert seen["hint"] == (
        "upload a CSV file (UTF-8), an Excel .xlsx workbook, a Parquet file, a tab-separated file, a bundle, "
        "or a zip of these"
    )
    assert seen["accept"] == ".csv,.txt,.xlsx,.parquet,.tsv,.tab,.bundle,.zip"


def test_a_file_of_a_third_party_kind_is_accepted_by_check_upload_end_to_end(seen):
    good = seen["good"]
    assert (good["file_type"], good["accepted"], good["errors"]) == ("tsv", True, [])
    assert good["tables"] == {"visits.tsv": ["25", "31", "18"]}  # typed by the standard like any table


def test_the_standard_and_the_small_count_check_still_judge_what_it_reads(seen):
    small = seen["small"]
    assert not small["accepted"] and small["tables"] == {}
    assert codes(small["errors"]) == ["small-cell"] and "is a count of 3, below 10" in small["errors"][0][1]


def test_the_formula_check_still_runs_on_what_it_reads(seen):
    assert "formula-cell" in codes(seen["formula"]["warnings"])
    assert any("starts like a spreadsheet formula" in message for _, message in seen["formula"]["warnings"])


def test_its_kind_is_judged_by_content_and_named_in_its_own_words(seen):
    named_csv = seen["named_csv"]
    assert named_csv["file_type"] == "tsv" and named_csv["accepted"]
    assert named_csv["warnings"][0] == [
        "name-content-mismatch",
        "the file is named like CSV text but is a tab-separated file; it was read as what it is",
    ]


def test_a_zip_member_of_a_third_party_kind_goes_through_its_reader(seen):
    assert seen["in_zip"]["accepted"] and seen["in_zip"]["tables"] == {"bundle.zip:visits.tsv": ["25", "31", "18"]}


def test_the_registry_holds_what_a_reader_returns_to_the_column_limit(seen):
    wide = seen["wide"]
    assert codes(wide["errors"]) == ["too-many-columns"]
    assert "the table has 501 columns; the limit is 500 (setting COMMONS_UPLOAD_MAX_COLUMNS)" in wide["errors"][0][1]


def test_a_refused_kind_names_the_third_party_kind_among_the_accepted_ones(seen):
    assert codes(seen["pdf"]["errors"]) == ["file-type"]
    assert seen["pdf"]["errors"][0][2] == seen["hint"]


def test_a_reader_of_zip_containers_cannot_skip_the_archive_checks(seen):
    assert seen["bundle"]["accepted"] and seen["bundle"]["tables"] == {"visits.bundle": ["25", "31", "18"]}
    bomb = seen["bundle_bomb"]
    assert "raised" not in bomb, bomb
    assert bomb["file_type"] == "bundle" and codes(bomb["errors"]) == ["archive-ratio"]
    assert "that is how a zip bomb looks" in bomb["errors"][0][1]
    before, after = seen["bundle_calls"]
    assert before == after == ["visits.bundle"], "the bomb was refused before its reader was called"


@pytest.mark.parametrize(
    ("entry", "taught"),
    [
        ("csv2 = tsv_reader:TSV", "entry point 'csv2' names the reader of 'tsv'"),
        ("tsv = tsv_reader:NOT_A_READER", "entry point 'tsv' names a dict, not a Reader"),
    ],
)
def test_a_malformed_reader_entry_point_is_an_error_that_names_it(tmp_path, entry, taught):
    install_fake_plugin(tmp_path, entry)
    done = run_python(tmp_path, LOAD_READERS)
    assert done.returncode != 0
    assert "PluginError" in done.stderr and taught in done.stderr


def test_a_damaged_zip_is_described_in_plain_words():
    from commons_kernel.exceptions import ValidationFailed
    from commons_kernel.standard import sniffing
    from commons_kernel.upload_checks import check_upload

    assert sniffing.describe("zip") == "a zip archive"
    with pytest.raises(ValidationFailed) as refused:
        check_upload(b"PK\x03\x04" + b"\x00" * 64, "bundle.zip")
    words = " ".join(issue["message"] for issue in refused.value.report.to_dict()["errors"])
    assert "the file looks like a zip archive but is damaged" in words and "the an " not in words
