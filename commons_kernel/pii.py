"""A scan for personal data in a table: the direct identifiers the data standard lists (catalog/standard/README.md,
section 7): e-mail addresses, UK phone numbers, full postcodes, NHS numbers (with a valid mod-11 check digit),
National Insurance numbers, dates of birth (worse beside names), people's names, street addresses and free-text
columns.

Personal data may not enter the open or community tiers; the upload checks turn each finding into a blocking
error there. Findings never repeat the personal data: examples are masked ("j***@***.org").
A postcode district alone ("L8") or sector ("L8 7") is not a finding; only a full postcode is.
Headers are compared in every usual style: ``DateOfBirth``, ``date_of_birth``, ``Date of birth``, ``D.O.B.``,
``dob``, ``birthDate`` and ``birthdate`` are all dates of birth (``country_of_birth`` is not).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
# UK numbers: +44 or 0, then 9 or 10 digits, in the usual groupings (spaces, hyphens, brackets).
UK_PHONE = r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|\(?0)(?:\d[\s\-()]?){8,9}\d(?!\w)"
POSTCODE = r"(?<![A-Za-z0-9])(?:[A-Za-z]{1,2}\d[A-Za-z\d]?)\s*\d[A-Za-z]{2}(?![A-Za-z0-9])"
NHS_NUMBER = r"(?<!\d)\d{3}[\s\-]?\d{3}[\s\-]?\d{4}(?!\d)"
# HMRC's format: two prefix letters (not D, F, I, Q, U, V; the second not O; never BG GB KN NK NT TN ZZ),
# six digits, a suffix A-D.
NI_NUMBER = (
    r"(?<![A-Za-z0-9])(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\s?\d{2}\s?\d{2}\s?\d{2}"
    r"\s?[A-D](?![A-Za-z0-9])"
)

NAME_HEADERS = {
    "name",
    "full_name",
    "fullname",
    "first_name",
    "firstname",
    "forename",
    "forenames",
    "given_name",
    "given_names",
    "surname",
    "last_name",
    "lastname",
    "family_name",
    "middle_name",
    "patient_name",
    "client_name",
    "person_name",
    "resident_name",
    "contact_name",
    "customer_name",
    "pupil_name",
}
BIRTH_HEADERS = {
    "dob",
    "d_o_b",
    "date_of_birth",
    "birth_date",
    "birthdate",
    "birthday",
    "born",
    "birth_day",
    "dateofbirth",
    "date_birth",
    "dt_of_birth",
    "birth_dt",
    "dob_date",
    "birth_dttm",
    "day_of_birth",
}
BIRTH_WORDS = {"date", "day", "dt", "dttm"}  # beside "birth": a date of birth, not a country or place of birth
# A column that names people on its own (a bare `name` is usually a place's name, so it only counts beside a date
# of birth); and one that holds street addresses.
PERSON_NAME_HEADERS = NAME_HEADERS - {"name"}
ADDRESS_HEADERS = {
    "address",
    "street_address",
    "home_address",
    "address_line_1",
    "address_line1",
    "address1",
    "addr",
    "address_1",
    "street",
    "house_address",
    "residential_address",
    "postal_address",
    "patient_address",
    "client_address",
}
HOUSE_AND_STREET = (
    r"(?<![\w-])\d{1,4}[A-Za-z]?,?\s+[A-Za-z][A-Za-z'-]+(?:\s+[A-Za-z'-]+)*\s+"
    r"(?:Street|St|Road|Rd|Lane|Ln|Avenue|Ave|Drive|Dr|Close|Way|Crescent|Court|Ct|Place|Pl|Terrace|Grove|Gardens|"
    r"Walk|Square|Row|Hill|Park|Mews|Parade)\b"
)
KINDS = {
    "email": "e-mail addresses",
    "uk_phone": "UK phone numbers",
    "postcode": "full postcodes",
    "nhs_number": "NHS numbers",
    "ni_number": "National Insurance numbers",
    "date_of_birth": "dates of birth",
    "name_with_date_of_birth": "names beside dates of birth",
    "person_name": "people's names",
    "street_address": "street addresses",
    "free_text": "free text, which may hold personal details",
}
FIXES = {
    "email": "remove the column or the addresses",
    "uk_phone": "remove the phone numbers",
    "postcode": "keep the postcode district only (e.g. `L8`), or replace postcodes by the LSOA or ward code",
    "nhs_number": "remove NHS numbers; link records before sharing and drop the identifier",
    "ni_number": "remove National Insurance numbers; link records before sharing and drop the identifier",
    "date_of_birth": "replace dates of birth with age bands (e.g. `35-39`)",
    "name_with_date_of_birth": "remove the names and replace dates of birth with age bands",
    "person_name": "remove the names (count people by area or group instead)",
    "street_address": "remove the addresses; keep the LSOA or ward code, or the postcode district (e.g. `L8`)",
    "free_text": "remove free-text columns, or replace them with categories (a steward can review a column marked "
    "`personal_data: false` with a reason)",
}


def nhs_check_digit_ok(digits: str) -> bool:
    """The NHS number mod-11 rule: weights 10..2 on the first nine digits; 11 - (sum mod 11) is the tenth
    digit (11 means 0; 10 means the number is invalid)."""
    digits = re.sub(r"\D", "", digits)
    if len(digits) != 10 or len(set(digits)) == 1:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=False))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def _mask(value: str, kind: str) -> str:
    value = value.strip()
    if kind == "email" and "@" in value:
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@***.{domain.rsplit('.', 1)[-1]}"
    if kind == "postcode":
        return value.split()[0] + " ***" if " " in value else value[:-3] + "***"
    if kind in ("uk_phone", "nhs_number", "ni_number"):
        return value[:3] + re.sub(r"\d", "*", value[3:])
    return value[:1] + "***" if value else ""


@dataclass
class PersonalDataFinding:
    kind: str  # a key of KINDS
    column: str
    positions: list[int] = field(default_factory=list)  # row positions (0-based), the first few
    count: int = 0  # rows affected
    example: str = ""  # masked

    @property
    def fix(self) -> str:
        return FIXES[self.kind]

    def describe(self) -> str:
        example = f" (e.g. {self.example})" if self.example else ""
        return f"column `{self.column}` holds {KINDS[self.kind]}{example} on {self.count} row(s)"


def _snake(name) -> str:
    return re.sub(r"[^0-9a-z]+", "_", str(name).lower()).strip("_")


def header_forms(name) -> set[str]:
    """A header in lower snake_case, as written and with camelCase split: ``DateOfBirth`` gives ``dateofbirth``
    and ``date_of_birth``; ``D.O.B.`` gives ``d_o_b`` and ``dob``."""
    text = unicodedata.normalize("NFKC", str(name))
    split = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", text)
    forms = {_snake(text), _snake(split)}
    return forms | {form.replace("_", "") for form in forms if re.fullmatch(r"(?:[a-z]_)+[a-z]", form)}


def is_birth_header(name) -> bool:
    forms = header_forms(name)
    if forms & BIRTH_HEADERS:
        return True
    return any("birth" in words and words & BIRTH_WORDS for words in (set(form.split("_")) for form in forms))


def _strings(series: pd.Series) -> pd.Series:
    present = series.dropna().astype(str)
    return present[present != ""]


def _finding(kind: str, column: str, values: pd.Series, hits: pd.Series, sample: str) -> PersonalDataFinding:
    rows = values.index[hits]
    return PersonalDataFinding(kind, column, [int(p) for p in rows[:20]], int(hits.sum()), _mask(sample, kind))


def _first_match(pattern: str, text: str) -> str:
    """The first match of ``pattern`` in ``text``, which pandas' ``str.contains`` (re.search) found to have one."""
    found = re.search(pattern, text)
    assert found is not None, f"{pattern!r} matched {text!r} in pandas but not in re"
    return found[0]


def _scan_column(column: str, values: pd.Series) -> list[PersonalDataFinding]:
    findings = []
    unique = pd.Series(values.unique())
    for kind, pattern in (("email", EMAIL), ("postcode", POSTCODE), ("uk_phone", UK_PHONE), ("ni_number", NI_NUMBER)):
        matched = unique[unique.str.contains(pattern, regex=True)]
        if len(matched):
            hits = values.isin(set(matched))
            sample = _first_match(pattern, matched.iloc[0])
            findings.append(_finding(kind, column, values, hits, sample))
    candidates = unique[unique.str.contains(NHS_NUMBER, regex=True)]
    if len(candidates):
        passing = candidates[candidates.map(lambda v: any(nhs_check_digit_ok(m) for m in re.findall(NHS_NUMBER, v)))]
        # Random 10-digit identifiers pass the check about 1 time in 11; real NHS numbers always do.
        if len(passing) and len(passing) >= 0.5 * len(candidates):
            hits = values.isin(set(passing))
            findings.append(_finding("nhs_number", column, values, hits, _first_match(NHS_NUMBER, passing.iloc[0])))
    return findings


def _scan_named_column(column: str, headers: set[str], values: pd.Series) -> list[PersonalDataFinding]:
    """Identifiers known by their column's header: people's names; street addresses (house number and street)."""
    findings = []
    wordy = values.str.contains(r"[^\W\d_]{2,}", regex=True)
    if headers & PERSON_NAME_HEADERS and wordy.any():
        findings.append(_finding("person_name", column, values, wordy, values[wordy].iloc[0]))
    streets = values.str.contains(HOUSE_AND_STREET, regex=True, case=False)
    if streets.any() and (headers & ADDRESS_HEADERS or streets.mean() >= 0.5):
        findings.append(_finding("street_address", column, values, streets, values[streets].iloc[0]))
    return findings


def _is_free_text(values: pd.Series) -> bool:
    """Mostly distinct values, many of six words or more, 30 characters long on average."""
    if len(values) < 3:
        return False
    unique = pd.Series(values.unique())
    if len(unique) < 0.5 * len(values):
        return False
    long_share = (unique.str.count(r"\s+") >= 5).mean()
    return bool(long_share >= 0.3 and unique.str.len().mean() >= 30)


def scan_personal_data(frame: pd.DataFrame, skip_columns=()) -> list[PersonalDataFinding]:
    """Every kind of personal data found, one finding per column and kind. ``skip_columns`` are not scanned
    for free text (e.g. area-name columns already judged by the standard)."""
    findings: list[PersonalDataFinding] = []
    births, names = [], []
    for position, column in enumerate(frame.columns):
        series = frame.iloc[:, position]
        headers = header_forms(column)
        values = _strings(series)
        if is_birth_header(column) and len(values):
            births.append((column, values))
        if headers & NAME_HEADERS and len(values):
            names.append(column)
        if values.empty:
            continue
        findings += _scan_column(str(column), values)
        findings += _scan_named_column(str(column), headers, values)
        if column not in skip_columns and _is_free_text(values):
            findings.append(
                _finding("free_text", str(column), values, pd.Series(True, index=values.index), values.iloc[0])
            )
    for column, values in births:
        kind = "name_with_date_of_birth" if names else "date_of_birth"
        finding = _finding(kind, str(column), values, pd.Series(True, index=values.index), "")
        if names:
            finding.example = f"beside column `{names[0]}`"
        findings.append(finding)
    return findings
