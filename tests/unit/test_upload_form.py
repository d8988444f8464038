"""The upload form and the metadata file: the form is filled in from the file; a field on which they still
disagree is refused naming both values; tier and licence are never defaulted (commons_hub.services.data_api.
upload_form). The form over real HTTP and in Chromium: tests/integration/test_one_validation.py,
tests/browser/test_upload_form.py."""

from __future__ import annotations

import datetime as dt

import pytest

from commons_hub.services.data_api.upload_form import form_values, merge, parse_metadata, read_metadata_file
from commons_kernel.exceptions import ValidationFailed
from tests.one_validation import METADATA_PATH, metadata

pytestmark = pytest.mark.unit


def refused(file_metadata: dict, posted: dict, source: str = "visits.yaml") -> list[dict]:
    with pytest.raises(ValidationFailed) as caught:
        merge(file_metadata, source, posted)
    assert "Nothing was stored" in str(caught.value)
    return caught.value.report.to_dict()["errors"]


def test_the_form_is_filled_in_with_the_files_values():
    values = form_values(metadata())
    assert (values["tier"], values["licence"], values["name"]) == (
        "community",
        "CC-BY-4.0",
        "foodbank_visits_one_validation",
    )
    assert values["tags"] == "test" and values["geography_level"] == "ward"
    assert values["geography_vintage"] == "ward 2022" and values["period"] == "2022-01/2022-02"
    assert "columns" not in values  # what the form cannot show stays in the file, and is kept
    assert form_values({"period": dt.date(2022, 1, 1)})["period"] == "2022-01-01"


def test_a_form_filled_in_from_the_file_uploads_the_files_metadata():
    file_metadata = metadata()
    posted = {**form_values(file_metadata), "description": file_metadata["description"].replace(" ", "\r\n", 2)}
    merged = merge(file_metadata, "visits.yaml", posted)
    assert (merged["tier"], merged["licence"]) == ("community", "CC-BY-4.0")
    assert merged["columns"] == file_metadata["columns"] and merged["tags"] == ["test"]


def test_the_form_adds_what_the_file_leaves_out():
    file_metadata = metadata()
    del file_metadata["tier"], file_metadata["title"]
    merged = merge(file_metadata, "visits.yaml", {"tier": "community", "title": "Food bank visits"})
    assert (merged["tier"], merged["title"], merged["licence"]) == ("community", "Food bank visits", "CC-BY-4.0")


def test_the_form_never_silently_overrides_the_file():
    # The bug: the dropdowns' first options (open, OGL-UK-3.0) replaced the file's community / CC-BY-4.0.
    errors = refused(metadata(), {"tier": "open", "licence": "OGL-UK-3.0", "name": "foodbank_visits_one_validation"})
    assert [(e["code"], e["column"]) for e in errors] == [
        ("form-file-mismatch", "tier"),
        ("form-file-mismatch", "licence"),
    ]
    assert errors[0]["message"] == "the metadata file visits.yaml says tier `community` but the form says `open`"
    assert "CC-BY-4.0" in errors[1]["message"] and "OGL-UK-3.0" in errors[1]["message"]
    assert [e["code"] for e in refused(metadata(), {"tags": "food, poverty"})] == ["form-file-mismatch"]
    assert "geography vintage" in refused(metadata(), {"geography_vintage": "ward 2023"})[0]["message"]


@pytest.mark.parametrize(
    "missing, code, teaches",
    [
        ("tier", "tier-missing", "community: any signed-in member"),
        ("licence", "licence-missing", "CC-BY-4.0"),
    ],
)
def test_a_missing_tier_or_licence_is_refused_saying_what_to_choose(missing, code, teaches):
    file_metadata = metadata()
    del file_metadata[missing]
    errors = refused(file_metadata, {})
    assert [e["code"] for e in errors] == [code] and teaches in errors[0]["fix"]
    assert [e["code"] for e in refused({}, {"name": "x_visits"})] == ["tier-missing", "licence-missing"]


def test_the_metadata_file_is_read_with_line_and_column_of_a_mistake():
    assert read_metadata_file({"filename": "visits.yaml", "body": METADATA_PATH.read_bytes()})[1] == "visits.yaml"
    assert read_metadata_file(None) == ({}, "")
    with pytest.raises(ValidationFailed, match=r"visits.yaml, line 3, column 1: not valid YAML"):
        parse_metadata("name: a\ntitle: [unclosed\n", "visits.yaml")
    with pytest.raises(ValidationFailed, match="not UTF-8"):
        read_metadata_file({"filename": "visits.yaml", "body": "title: café".encode("cp1252")})
    with pytest.raises(ValidationFailed, match="mapping of `field: value`"):
        parse_metadata("- a\n- b\n", "visits.yaml")
