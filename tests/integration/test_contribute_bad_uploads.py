"""The corpus of bad uploads (tests/fixtures/bad_uploads/expected.yaml) pushed through the real HTTP upload
endpoint, plus bombs, a huge file, path-like and duplicate names: each gets a clear error and nothing is stored."""

from __future__ import annotations

import io
import zipfile

import pytest
import yaml

from tests.integration.governance_client import FIXTURES, audit_entries, good_metadata, stored_under, unique, upload

pytestmark = pytest.mark.integration

CASES = yaml.safe_load((FIXTURES / "expected.yaml").read_text())["cases"]
SERVER_LIMIT = 52428800  # catalog/standard/standard.yaml limits.max_upload_bytes


def case_id(case: dict) -> str:
    return f"{case['file']}:{case['code']}" + (f":{case['upload_as']!r}" if "upload_as" in case else "")


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("visits.csv", b"ward22_code,month,visits\n" + b"0" * (30 << 20))
    return buffer.getvalue()


def xlsx_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<sheetData>" + b" " * (30 << 20) + b"</sheetData>")
    return buffer.getvalue()


EXTRA = [
    ("zip bomb", zip_bomb, "bomb.zip", "archive-ratio", {}),
    ("xlsx bomb", xlsx_bomb, "bomb.xlsx", "archive-ratio", {}),
    (
        "huge file",
        lambda: b"ward22_code,month,visits\n" + b"E05000910,2022-01,25\n" * (SERVER_LIMIT // 20),
        "huge.csv",
        "too-large",
        {},
    ),
    (
        "path-like dataset name",
        lambda: (FIXTURES / "good.csv").read_bytes(),
        "good.csv",
        "bad-name",
        {"name": "../../etc/cron_d"},
    ),
    (
        "duplicate of a catalogue name",
        lambda: (FIXTURES / "good.csv").read_bytes(),
        "good.csv",
        "name-taken",
        {"name": "imd2019_lsoa11"},
    ),
]


@pytest.mark.parametrize("case", [c for c in CASES if "max_bytes" not in c], ids=case_id)
def test_bad_upload_is_refused_with_where_and_fix(hub, case):
    name = unique("bad_upload")
    changes = dict(case.get("metadata_changes") or {})
    metadata = good_metadata(name, **changes)
    filename = case.get("upload_as", case["file"])
    response = upload(
        hub, "analyst1", (FIXTURES / case["file"]).read_bytes(), filename, metadata, tier=case.get("tier", "open")
    )
    if "\0" in filename:
        # tornado refuses a multipart part header holding NUL before any handler runs: 400, nothing stored
        assert response.status_code == 400 and "Invalid multipart" in response.json()["reason"]
        assert stored_under(hub, name) == []
        return
    assert response.status_code == 422, response.text[:500]
    body = response.json()
    errors = body["report"]["errors"]
    matching = [e for e in errors if e["code"] == case["code"]]
    assert matching, f"no {case['code']} error in {[e['code'] for e in errors]}"
    assert any(case["expect"] in f"{e['message']}. Fix: {e['fix']}" for e in matching), matching
    if "line" in case:
        assert any(e["line"] == case["line"] for e in matching)
    assert all(e["fix"] for e in errors) and "Nothing was stored" in body["reason"]
    assert stored_under(hub, name) == []
    mine = hub.data_api("api/contributions", user="analyst1", params={"dataset": name}).json()
    assert mine == []


@pytest.mark.parametrize("label, make, filename, code, fields", EXTRA, ids=[e[0] for e in EXTRA])
def test_bombs_huge_files_and_bad_names_store_nothing(hub, label, make, filename, code, fields):
    name = fields.get("name") or unique("bad_upload")
    before = sorted(p.name for p in (hub.home / "datasets").iterdir())
    response = upload(hub, "analyst1", make(), filename, good_metadata(name), name=name)
    assert response.status_code == (413 if code == "too-large" else 422), response.text[:500]  # 413: too big
    codes = [e["code"] for e in response.json()["report"]["errors"]]
    assert code in codes, codes
    assert sorted(p.name for p in (hub.home / "datasets").iterdir()) == before
    denial = [e for e in audit_entries(hub) if e["action"] == "deny" and e["actor"] == "analyst1"][-1]
    assert '"attempted":"contribute"' in denial["detail"] and code in denial["detail"]
