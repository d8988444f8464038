"""The files of the one-validation tests (tests/fixtures/one_validation) and how their reports are compared.

Every path to a verdict (the notebook's ``validate()``, `commons validate`, the upload form and API) must give
the same verdict and the same findings for the same file: ``findings(report_dict)`` is what is compared.
"""

from __future__ import annotations

from pathlib import Path

import yaml

FOLDER = Path(__file__).resolve().parent / "fixtures" / "one_validation"
METADATA_PATH = FOLDER / "metadata.yaml"
# file -> (verdict, the codes of its errors)
CASES = {
    "clean.csv": (True, []),
    "count_of_5.csv": (False, ["small-cell"]),
    "personal_data.csv": (False, ["personal-data-email"]),
}


def metadata(**changes) -> dict:
    meta = yaml.safe_load(METADATA_PATH.read_text())
    meta.update(changes)
    return meta


def findings(report: dict) -> list[tuple]:
    """Every error and warning with where it is and what it says (the metadata's own label aside)."""
    return [
        (issue["severity"], issue["code"], issue["line"], issue["column"], issue["message"])
        for issue in report["errors"] + report["warnings"]
    ]


def verdict(report: dict) -> tuple:
    return report["ok"], [issue["code"] for issue in report["errors"]]
