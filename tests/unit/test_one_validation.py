"""One validation: the notebook's validate(), `commons validate` (a real subprocess) and the function the upload
calls (commons_kernel.upload_checks.check_upload, with the metadata as the data-api receives it) give the same
verdict, findings and score for the same file; a count of 5 blocks in all of them. Over real HTTP on the real hub:
tests/integration/test_one_validation.py."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from commons_kernel.standard import validate
from commons_kernel.upload_checks import check_upload
from tests.one_validation import CASES, FOLDER, METADATA_PATH, findings, metadata, verdict

pytestmark = pytest.mark.unit


def cli_report(path) -> tuple[int, dict]:
    done = subprocess.run(
        [sys.executable, "-m", "commons_hub.cli", "validate", str(path), "-m", str(METADATA_PATH), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


@pytest.mark.parametrize("filename", sorted(CASES))
def test_the_notebook_the_cli_and_the_upload_check_agree(filename):
    path = FOLDER / filename
    notebook = validate(path, METADATA_PATH).to_dict()
    exit_code, cli = cli_report(path)
    upload = check_upload(path.read_bytes(), filename, metadata=metadata(), raise_on_block=False).report.to_dict()
    expected_ok, expected_codes = CASES[filename]
    for report in (notebook, cli, upload):
        assert verdict(report) == (expected_ok, expected_codes)
        assert report["tier"] == "community"  # the metadata's tier, never a silent open
    assert findings(notebook) == findings(cli) == findings(upload)
    assert notebook["score"] == cli["score"] == upload["score"]
    assert exit_code == (0 if expected_ok else 1)


def test_a_count_of_5_blocks_a_frame_too():
    frame = pd.read_csv(FOLDER / "count_of_5.csv")
    report = validate(frame, metadata())
    assert not report.ok and [i.code for i in report.errors] == ["small-cell"]
    assert "is a count of 5, below 10" in report.errors[0].message and report.errors[0].line == 3
    assert validate(pd.read_csv(FOLDER / "clean.csv"), metadata()).ok
