"""The personal-data scan: what it finds, what it leaves alone, and that it never repeats what it found."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest
import yaml

from commons_kernel.pii import nhs_check_digit_ok, scan_personal_data

pytestmark = pytest.mark.unit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bad_uploads"
SEED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


def kinds(frame: pd.DataFrame) -> set[tuple[str, str]]:
    return {(finding.kind, finding.column) for finding in scan_personal_data(frame)}


@pytest.mark.parametrize(
    "number, valid",
    [
        ("9990000018", True),
        ("999 000 0026", True),
        ("999-000-0034", True),
        ("9990000019", False),  # wrong check digit
        ("9990000010", False),
        ("1111111111", False),  # a repeated digit is never issued
        ("123456789", False),
    ],
)
def test_nhs_number_mod_11_check_digit(number, valid):
    assert nhs_check_digit_ok(number) is valid


def test_a_check_digit_of_ten_means_no_valid_number():
    # a first nine digits whose weighted sum leaves remainder 1 would need check digit 10: no number is valid
    prefix = next(
        p
        for p in (f"{n:09d}" for n in range(1, 500))
        if 11 - sum(int(d) * w for d, w in zip(p, range(10, 1, -1), strict=False)) % 11 == 10
    )
    assert not any(nhs_check_digit_ok(prefix + str(d)) for d in range(10))


@pytest.mark.parametrize(
    "column, value, kind",
    [
        ("contact", "jo.bloggs@example.org", "email"),
        ("notes", "ring jo on 0151 496 0123 after 5", "uk_phone"),
        ("mobile", "+44 7700 900123", "uk_phone"),
        ("mobile", "07700900123", "uk_phone"),
        ("address", "12 Any Street, L8 0ZZ", "postcode"),
        ("postcode", "ch411aa", "postcode"),
        ("patient", "999 000 0018", "nhs_number"),
    ],
)
def test_each_kind_of_personal_data_is_found(column, value, kind):
    assert (kind, column) in kinds(pd.DataFrame({column: [value, ""]}))


@pytest.mark.parametrize(
    "value",
    [
        "L8",
        "L8 7",
        "CH41",
        "E01006512",
        "E05000910",
        "0",
        "1296",
        "2022-01-03",
        "53.381716",
        "-2.698504",
        "On or near Crossgates",
        "Anti-social behaviour",
    ],
)
def test_ordinary_values_are_not_personal_data(value):
    assert kinds(pd.DataFrame({"value": [value, value]})) == set()


def test_random_ten_digit_identifiers_are_not_taken_for_nhs_numbers():
    rng = random.Random(4)
    ids = [str(rng.randrange(10**9, 10**10)) for _ in range(200)]
    assert any(nhs_check_digit_ok(i) for i in ids), "some pass the check by chance"
    assert kinds(pd.DataFrame({"reference": ids})) == set()


def test_a_column_of_nhs_numbers_is_found_even_as_integers():
    assert ("nhs_number", "nhs") in kinds(pd.DataFrame({"nhs": [9990000018, 9990000026, 9990000034]}))


def test_names_beside_dates_of_birth_and_dates_of_birth_alone():
    both = pd.DataFrame({"surname": ["Bloggs"], "dob": ["1980-02-01"]})
    alone = pd.DataFrame({"age_band": ["35-39"], "date_of_birth": ["1980-02-01"]})
    assert kinds(both) == {("name_with_date_of_birth", "dob"), ("person_name", "surname")}
    assert kinds(alone) == {("date_of_birth", "date_of_birth")}
    assert kinds(pd.DataFrame({"ward22_name": ["Anfield"], "month": ["2022-01"]})) == set()


def test_free_text_is_found_and_short_labels_are_not():
    free = pd.DataFrame(
        {
            "comments": [
                "Came in with two children after the boiler broke down last week",
                "Says her landlord has not fixed the damp in the back bedroom for months",
                "First visit since losing his job at the warehouse on the dock road",
            ]
        }
    )
    labels = pd.DataFrame({"outcome": ["Investigation complete; no suspect identified"] * 3})
    assert kinds(free) == {("free_text", "comments")}
    assert kinds(labels) == set()
    assert scan_personal_data(free, skip_columns={"comments"}) == []


def test_findings_never_repeat_the_personal_data():
    frame = pd.DataFrame(
        {"email": ["jo.bloggs@example.org"], "phone": ["07700 900123"], "nhs": ["999 000 0018"], "postcode": ["L8 0ZZ"]}
    )
    findings = scan_personal_data(frame)
    assert len(findings) == 4
    for finding in findings:
        described = finding.describe()
        for secret in ("bloggs", "900123", "0018", "0ZZ"):
            assert secret not in described.lower()
    assert {f.example for f in findings} == {"j***@***.org", "077** ******", "999 *** ****", "L8 ***"}


def test_findings_give_row_positions_and_counts():
    frame = pd.DataFrame({"contact": ["", "a@example.org", "none", "b@example.org"]})
    [finding] = scan_personal_data(frame)
    assert finding.positions == [1, 3] and finding.count == 2


@pytest.mark.skipif(not SEED_DATA.is_dir(), reason="the shared seed data is not on this machine")
def test_no_false_alarms_on_the_real_open_seed_data():
    alarms = {}
    for path in sorted(SEED_DATA.glob("*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        found = scan_personal_data(frame)
        if found:
            alarms[path.name] = [finding.describe() for finding in found]
    assert alarms == {}


@pytest.mark.parametrize(
    "header",
    [
        "DateOfBirth",
        "dob",
        "DOB",
        "DoB",
        "birth_date",
        "Date of birth",
        "D.O.B.",
        "birthdate",
        "birthDate",
        "date-of-birth",
        "Date of Birth (DD/MM/YYYY)",
    ],
)
def test_dates_of_birth_are_found_in_any_header_style(header):
    assert kinds(pd.DataFrame({header: ["1980-02-01", "1975-11-30"], "visits": [3, 4]})) == {("date_of_birth", header)}


@pytest.mark.parametrize("header", ["country_of_birth", "CountryOfBirth", "place_of_birth", "births", "birth_weight"])
def test_other_birth_headers_are_not_dates_of_birth(header):
    assert kinds(pd.DataFrame({header: ["England", "Wales"]})) == set()


@pytest.mark.parametrize(
    "column, values, kind",
    [
        ("ni", ["QQ 12 34 56 C", "AB123456D"], "ni_number"),
        ("notes", ["NI number JT 65 43 21 A on file", "none"], "ni_number"),
        ("FirstName", ["Jo", "Sam"], "person_name"),
        ("Full name", ["Jo Bloggs", "Sam Smith"], "person_name"),
        ("address", ["12 Any Street", "3a Park Road, Liverpool"], "street_address"),
        ("where", ["12 Any Street", "40 Lord Street"], "street_address"),
    ],
)
def test_other_direct_identifiers_the_standard_lists_are_found(column, values, kind):
    assert (kind, column) in kinds(pd.DataFrame({column: values}))


@pytest.mark.parametrize("value", ["GB123456A", "E01006512", "AB12", "Anfield", "Lord Street area"])
def test_look_alikes_of_identifiers_are_not_found(value):
    assert kinds(pd.DataFrame({"value": [value, value], "name": ["Anfield", "Everton"]})) == set()


def test_a_date_of_birth_column_blocks_a_community_upload():
    from commons_kernel.exceptions import ValidationFailed
    from commons_kernel.upload_checks import check_upload

    metadata = yaml.safe_load((FIXTURES / "metadata.yaml").read_text()) | {"tier": "community"}
    csv = b"ward22_code,DateOfBirth,visits\nE05015299,1980-02-01,12\nE05015300,1975-11-30,14\n"
    with pytest.raises(ValidationFailed) as caught:
        check_upload(csv, "visits.csv", "community", metadata=metadata)
    codes = {issue.code for issue in caught.value.report.errors}
    assert "personal-data-date_of_birth" in codes
