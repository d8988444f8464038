"""The data standard's validator: metadata rules, area codes, dates, layout, units, the report and its score."""

from __future__ import annotations

import json
from pathlib import Path

import frictionless
import pandas as pd
import pytest
import yaml

from commons_kernel.exceptions import ValidationFailed
from commons_kernel.standard import QualityReport, cli_validate, load_standard, table_schema, validate
from commons_kernel.standard.cli import main

pytestmark = pytest.mark.unit

PROJECT = Path(__file__).resolve().parents[2]


def good_metadata(**changes) -> dict:
    metadata = {
        "name": "foodbank_visits_ward22",
        "title": "Food bank visits by ward and month",
        "description": "One row per ward and month: visits to food banks in the Liverpool City Region.",
        "publisher": "A food bank network",
        "contact": "data@example.org",
        "licence": "OGL-UK-3.0",
        "licence_url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "attribution": "Contains data from the network.",
        "update_frequency": "monthly",
        "methodology": "Counted at the door by volunteers, totalled per ward each month.",
        "period": "2022-01/2022-02",
        "tags": ["food"],
        "geography": {"level": "ward", "vintage": "ward 2022", "code_column": "ward22_code"},
        "columns": [
            {"name": "ward22_code", "description": "Ward", "unit": None, "type": "gss_code"},
            {"name": "month", "description": "Month", "unit": None, "type": "yearmonth"},
            {"name": "visits", "description": "Visits", "unit": "visits", "type": "count"},
        ],
    }
    for key, value in changes.items():
        if value is None:
            metadata.pop(key, None)
        else:
            metadata[key] = value
    return metadata


def good_frame(**columns) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "ward22_code": ["E05000910", "E05000911", "E05000912"],
            "month": ["2022-01", "2022-01", "2022-02"],
            "visits": [25, 31, 18],
        }
    )
    for name, values in columns.items():
        frame[name] = values
    return frame


def codes(report: QualityReport, severity: str = "errors") -> list[str]:
    return [issue.code for issue in getattr(report, severity)]


def test_a_table_that_meets_the_standard_scores_100():
    report = validate(good_frame(), good_metadata(), tier="open")
    assert report.ok and report.errors == [] and report.warnings == []
    assert report.score == 100
    assert set(report.breakdown) == set(load_standard().score_weights)
    assert sum(part["out_of"] for part in report.breakdown.values()) == 100


def test_the_score_breakdown_is_the_share_of_checks_passed():
    frame = good_frame(ward22_code=["E05000910", "E0500091", "E05000912"])
    report = validate(frame, good_metadata())
    geography = report.breakdown["geography"]
    # 2 of 3 codes are GSS codes; the vintage is stated (counted once per code): 5 of 6 checks
    assert geography["note"] == "5 of 6 checks passed" and geography["points"] == 12.5
    assert geography["errors"] == 1
    assert report.score == 98


def test_an_error_names_file_line_column_and_the_fix():
    frame = pd.DataFrame({"LSOA code": ["E01006685"] * 12 + ["E0100651"], "visits": [20] * 13})
    metadata = good_metadata(
        geography={"level": "lsoa", "vintage": "LSOA 2021", "code_column": "LSOA code"},
        columns=[{"name": "LSOA code", "type": "gss_code"}, {"name": "visits", "unit": "visits", "type": "count"}],
    )
    report = validate(frame, metadata, name="visits.csv")
    [error] = [issue for issue in report.errors if issue.code == "not-gss-code"]
    assert (error.file, error.line, error.column) == ("visits.csv", 14, "LSOA code")
    assert str(error) == (
        "visits.csv:14: column `LSOA code` on line 14 is not a GSS code (`E0100651`). "
        "Fix: write the area's 9-character ONS GSS code: E01006685 is one"
    )


def test_codes_of_the_wrong_level_are_errors_with_an_example_of_the_right_one():
    report = validate(good_frame(ward22_code=["E05000910", "E08000012", "E05000912"]), good_metadata())
    [error] = report.errors
    assert error.code == "wrong-area-level" and error.line == 3
    assert "a local authority code, not an electoral ward code" in error.message and "E05000910" in error.fix


def test_the_vintage_can_come_from_the_column_name():
    metadata = good_metadata(geography=None)
    assert validate(good_frame(), metadata).ok  # ward22_code: ward codes of 2022
    renamed = good_frame().rename(columns={"ward22_code": "ward_code"})
    metadata["columns"][0]["name"] = "ward_code"
    report = validate(renamed, metadata)
    assert codes(report) == ["missing-vintage"] and report.errors[0].column == "ward_code"


def test_codes_are_found_by_their_values_when_the_name_says_nothing():
    frame = pd.DataFrame({"area": [f"E0100{6685 + i}" for i in range(9)] + ["nowhere"], "visits": [20] * 10})
    report = validate(frame, good_metadata(geography=None, columns=[{"name": "visits", "unit": "visits"}]))
    assert sorted(codes(report)) == ["missing-vintage", "not-gss-code"]
    assert report.errors[0].line == 11


@pytest.mark.parametrize(
    "value, fix",
    [
        ("14/03/2022", "write 2022-03-14"),
        ("Mar 2022", "write 2022-03"),
        ("2022/23", "2022-04-01/2023-03-31"),
        ("2022 Q2", "2022-04/2022-06"),
        ("2022-02-30", "write YYYY-MM"),
    ],
)
def test_dates_must_be_iso_8601_and_the_fix_translates_them(value, fix):
    report = validate(good_frame(month=["2022-01", value, "2022-02"]), good_metadata())
    [error] = report.errors
    assert error.code == "not-iso-date" and error.line == 3 and fix in error.fix


def test_periods_accept_every_iso_form():
    metadata = good_metadata()
    metadata["columns"][1]["type"] = "period"
    frame = good_frame(month=["2022", "2022-W05", "2019-04-01/2020-03-31"])
    assert validate(frame, metadata).ok


def test_columns_named_like_dates_are_checked_without_metadata():
    metadata = good_metadata(columns=[{"name": "visits", "unit": "visits"}])
    report = validate(good_frame(week_start=["2022-01-03", "03/01/2022", "2022-01-17"]), metadata)
    assert [(e.code, e.column, e.line) for e in report.errors if e.code == "not-iso-date"] == [
        ("not-iso-date", "week_start", 3)
    ]


def test_numbers_need_a_unit():
    metadata = good_metadata()
    metadata["columns"][2]["unit"] = None
    report = validate(good_frame(), metadata)
    assert codes(report) == ["missing-unit"] and report.breakdown["units"]["points"] == 0


def test_a_wide_table_is_not_tidy():
    frame = pd.DataFrame({"ward22_code": ["E05000910"], "2021": [3], "2022": [4]})
    report = validate(frame, good_metadata(columns=None))
    assert "wide-layout" in codes(report)
    stems = validate(
        pd.DataFrame({"ward22_code": ["E05000910"], "visits_2021": [30], "visits_2022": [40]}),
        good_metadata(columns=None),
    )
    assert "wide-layout" in codes(stems)


def test_totals_repeats_and_notes_are_warnings():
    frame = pd.DataFrame(
        {
            "ward22_code": ["E05000910", "E05000910", "", "Source: volunteers"],
            "label": ["a", "a", "Total", ""],
            "month": ["2022-01", "2022-01", "", ""],
        }
    )
    report = validate(frame, good_metadata(columns=None, geography={"level": "ward", "vintage": "2022"}))
    assert {"duplicate-row", "total-row", "note-row"} <= set(codes(report, "warnings"))


def test_formatted_numbers_are_refused_with_the_plain_number():
    frame = good_frame(population=["1,296", "870", "2,001"])
    report = validate(frame, good_metadata())
    assert [(e.code, e.line) for e in report.errors] == [("formatted-number", 2), ("formatted-number", 4)]
    assert report.errors[0].fix == "write 1296, without thousands separators"


def test_many_errors_of_one_kind_are_summarised():
    frame = pd.DataFrame({"ward22_code": ["nowhere"] * 40, "month": ["2022-01"] * 40, "visits": [20] * 40})
    report = validate(frame, good_metadata())
    listed = [issue for issue in report.errors if issue.code == "not-gss-code"]
    [summary] = [issue for issue in report.errors if issue.code == "not-gss-code-more"]
    assert len(listed) == load_standard().limits["issues_per_rule_and_column"]
    assert "35 more lines in column `ward22_code`: 7, 8, 9" in summary.message
    assert report.breakdown["geography"]["note"] == "40 of 80 checks passed"


@pytest.mark.parametrize(
    "changes, code",
    [
        ({"licence": "CC-BY-NC-4.0"}, "licence-not-allowed"),
        ({"licence": "cc-by-4.0"}, "licence-not-allowed"),
        ({"update_frequency": "whenever"}, "bad-update-frequency"),
        ({"contact": "Jo in the data team"}, "bad-contact"),
        ({"name": "Food Bank Visits"}, "bad-name"),
        ({"synthetic": True}, "synthetic-unlabelled"),
        ({"tier": "restricted"}, "tier-mismatch"),
        ({"geography": {"level": "street", "vintage": "2022", "code_column": "ward22_code"}}, "bad-geography-level"),
        ({"publisher": ""}, "missing-metadata"),
    ],
)
def test_metadata_rules(changes, code):
    report = validate(good_frame(), good_metadata(**changes), tier="open")
    assert code in codes(report)


def test_near_miss_licence_gets_the_exact_id():
    report = validate(good_frame(), good_metadata(licence="cc-by-4.0"))
    assert report.errors[0].fix == "write `CC-BY-4.0`"


@pytest.mark.parametrize(
    "frequency",
    [
        "monthly",
        "every 10 years",
        "every 4-5 years (next: IoD2025)",
        "never (synthetic)",
        "when boundaries change",
        "P1M",
    ],
)
def test_update_frequencies_the_standard_knows(frequency):
    assert validate(good_frame(), good_metadata(update_frequency=frequency)).ok


def test_restricted_data_may_keep_its_owners_licence_with_a_warning():
    report = validate(good_frame(), good_metadata(licence="LicenseRef-data-sharing-agreement"), tier="restricted")
    assert report.ok and "licence-not-open" in codes(report, "warnings")


def test_metadata_errors_name_the_line_of_the_yaml_file(tmp_path):
    path = tmp_path / "visits.yaml"
    path.write_text(yaml.safe_dump(good_metadata(licence="CC-BY-ND-4.0"), sort_keys=False), encoding="utf-8")
    report = validate(good_frame(), path)
    [error] = report.errors
    line = path.read_text().splitlines().index("licence: CC-BY-ND-4.0") + 1
    assert (error.file, error.line) == ("visits.yaml", line)


def test_broken_metadata_yaml_says_where(tmp_path):
    path = tmp_path / "visits.yaml"
    path.write_text("title: a\ndescription: [unclosed\n", encoding="utf-8")
    with pytest.raises(ValidationFailed, match=r"visits.yaml, line 3, column 1: not valid YAML"):
        validate(good_frame(), path)


def test_an_absolute_path_is_validated(tmp_path):
    path = tmp_path / "visits.csv"
    good_frame().to_csv(path, index=False)
    report = validate(path.resolve(), good_metadata())
    assert report.ok and report.file == "visits.csv"


def test_an_unknown_tier_is_refused():
    with pytest.raises(ValidationFailed, match="open, community, restricted"):
        validate(good_frame(), good_metadata(), tier="public")


def test_blocked_reports_raise_validation_failed_with_the_report():
    report = validate(good_frame(visits=[1, -2, 3]), good_metadata())
    with pytest.raises(ValidationFailed, match="counts cannot be negative") as caught:
        report.raise_if_blocked()
    assert caught.value.report is report


def test_report_to_dict_and_to_text():
    report = validate(good_frame(month=["2022-01", "Jan 2022", "2022-02"]), good_metadata(), name="visits.csv")
    as_dict = json.loads(report.to_json())
    assert as_dict["ok"] is False and as_dict["score"] == report.score
    assert as_dict["errors"][0] == {
        "severity": "error",
        "category": "dates",
        "code": "not-iso-date",
        "message": "column `month` on line 3 is not an ISO 8601 date or period (`Jan 2022`)",
        "fix": "write 2022-01 (ISO 8601)",
        "file": "visits.csv",
        "line": 3,
        "column": "month",
    }
    text = report.to_text()
    assert text.startswith("visits.csv (open tier): does not meet the standard: 1 error(s); quality score")
    assert "Errors (these block the upload):" in text and "dates" in text.split("Score breakdown:")[1]


def test_table_schema_is_a_valid_frictionless_schema():
    descriptor = table_schema(good_frame(), good_metadata(primary_key=["ward22_code", "month"]))
    schema = frictionless.Schema.from_descriptor(descriptor)
    assert schema.primary_key == ["ward22_code", "month"]
    fields = {field["name"]: field for field in descriptor["fields"]}
    assert fields["ward22_code"]["constraints"]["pattern"] == load_standard().gss_pattern.pattern
    assert fields["visits"]["type"] == "integer" and fields["visits"]["commons:unit"] == "visits"


def test_a_primary_key_makes_repeated_keys_errors():
    frame = good_frame(month=["2022-01", "2022-01", "2022-01"], ward22_code=["E05000910", "E05000910", "E05000911"])
    report = validate(frame, good_metadata(primary_key=["ward22_code", "month"]))
    assert [(e.code, e.line) for e in report.errors] == [("duplicate-key", 3)]


def test_every_field_profile_is_a_valid_table_schema_field():
    kinds = load_standard().kinds
    descriptor = {"fields": [{"name": kind, **{k: v for k, v in profile.items()}} for kind, profile in kinds.items()]}
    assert len(frictionless.Schema.from_descriptor(descriptor).fields) == len(kinds)


def test_the_standard_lists_the_open_licences_and_required_metadata():
    standard = load_standard()
    assert {"OGL-UK-3.0", "CC-BY-4.0", "CC0-1.0", "ODbL-1.0"} <= set(standard.licences)
    assert {"title", "description", "publisher", "contact", "licence", "update_frequency", "methodology"} <= set(
        standard.required_metadata
    )


@pytest.mark.parametrize("document", ["catalog/standard/README.md", "docs/analysts/contributing.md"])
def test_the_plain_english_documents_name_every_rule(document):
    text = (PROJECT / document).read_text(encoding="utf-8")
    standard = load_standard()
    for name in [*standard.required_metadata, *standard.licences, "commons validate"]:
        assert name in text, f"{document} does not mention {name}"


def test_cli_prints_the_report_and_returns_an_exit_code(tmp_path, capsys):
    data, meta = tmp_path / "visits.csv", tmp_path / "visits.yaml"
    good_frame().to_csv(data, index=False)
    meta.write_text(yaml.safe_dump(good_metadata()), encoding="utf-8")
    assert cli_validate(data, meta, False) == 0
    assert "meets the standard; quality score 100/100" in capsys.readouterr().out
    good_frame(month=["2022-01", "Jan 2022", "2022-02"]).to_csv(data, index=False)
    assert main([str(data), "--metadata", str(meta), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["errors"][0]["line"] == 3
    assert cli_validate(tmp_path / "missing.csv", meta, False) == 2
    assert "is not a file" in capsys.readouterr().err
    assert cli_validate(data, tmp_path / "missing.yaml", False) == 2


def test_the_example_report_in_the_contributors_guide_is_what_the_validator_prints(tmp_path, capsys):
    guide = (PROJECT / "docs/analysts/contributing.md").read_text(encoding="utf-8")
    metadata = guide.split("```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "visits.yaml").write_text(metadata, encoding="utf-8")
    wards = ["E05000910", "E05000911", "E05000912", "E05000913", "E05000914", "E05000915"]
    rows = [
        [ward, month, 40 + 6 * m + w]
        for m, month in enumerate(["2022-01", "2022-02", "2022-03", "2022-04"])
        for w, ward in enumerate(wards)
    ]
    rows[12][0], rows[18][1] = "Anfield", "Mar 2022"  # lines 14 and 20
    pd.DataFrame(rows, columns=["ward22_code", "month", "visits"]).to_csv(tmp_path / "visits.csv", index=False)
    assert cli_validate(tmp_path / "visits.csv", tmp_path / "visits.yaml", False) == 1
    printed = capsys.readouterr().out.strip()
    assert "```\n" + printed + "\n```" in guide


def test_a_frame_with_repeated_column_names_is_not_assessed_further():
    report = validate(pd.DataFrame([[1, 2]], columns=["visits", "visits"]), good_metadata(columns=None))
    assert codes(report) == ["duplicate-column"]
    assert report.breakdown["geography"]["points"] == 0 and "not assessed" in report.breakdown["geography"]["note"]


def test_an_empty_frame_is_an_error():
    assert codes(validate(good_frame().iloc[:0], good_metadata())) == ["no-rows"]
