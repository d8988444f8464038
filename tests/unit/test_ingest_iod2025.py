"""IoD2025 File 7 at ingest: the full dataset, its published quirks handled and noted, bad copies refused.

The bad-file fixtures are hand-written rows in File 7's shape (tests/fixtures/bad_seed/file7_*), CRLF like the
published file; the accepted-header case rewrites a temporary copy of the real seed file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from commons_hub.ingest.run import ingest
from commons_hub.store import Store
from commons_kernel.exceptions import SeedFileError
from tests.unit.test_ingest_state import overlay, snapshot

pytestmark = pytest.mark.unit

FILE7 = "iod2025_file7_lsoa21_lcr.csv"
TRUNCATED = "Children and Young People Sub-domain Decile (where 1 is most deprived 10% of LSO"
FIRST_VERSION_COLUMNS = ["lsoa21_code", "lsoa21_name", "lad22_code", "lad22_name"] + [
    f"{domain}_{measure}"
    for domain in ("imd", "income", "employment", "education", "health", "crime", "housing", "living_environment")
    for measure in ("score", "rank", "decile")
]


@pytest.fixture(scope="module")
def version(seeded_home):
    store = Store(seeded_home)
    return store.read("imd2025_lsoa21"), store.manifest("imd2025_lsoa21")["versions"][-1]


def test_the_first_versions_columns_come_first_and_unchanged(version):
    frame, _ = version
    assert list(frame.columns[: len(FIRST_VERSION_COLUMNS)]) == FIRST_VERSION_COLUMNS
    assert len(frame) == 1003 and frame["lsoa21_code"].is_unique


def test_idaci_idaopi_subdomains_and_denominators_are_there(version):
    frame, _ = version
    for short in (
        "idaci",
        "idaopi",
        "children_young_people",
        "adult_skills",
        "geographical_barriers",
        "wider_barriers",
        "indoors",
        "outdoors",
    ):
        assert frame[f"{short}_rank"].between(1, 33755).all()
        assert frame[f"{short}_decile"].between(1, 10).all()
    assert frame[["idaci_score", "idaopi_score"]].apply(lambda s: s.between(0, 1).all()).all()
    # the denominators are whole people; children and older people are parts of the total
    assert (frame["pop_0_15"] + frame["pop_60_plus"] <= frame["pop_total"]).all()
    assert (frame["pop_working_age"] < frame["pop_total"]).all()
    assert frame["pop_total"].dtype.kind == "i"


def test_the_truncated_header_and_crlf_are_read_and_noted(version):
    _, entry = version
    notes = " ".join(entry["notes"])
    assert TRUNCATED in notes and "children_young_people_decile" in notes
    assert "CRLF" in notes
    assert "every IMD and domain score, rank and decile agree" in notes
    assert [source["file"] for source in entry["sources"]] == [FILE7, "iod2025_lsoa21_lcr.csv"]


BAD_FILE7 = {
    "file7_truncated_row": (4, ["the row has", "fields, the header 56", "truncated"]),
    "file7_header_cut": (1, ["missing column(s) 'Total population: mid 2022'"]),
}


@pytest.mark.parametrize("case", sorted(BAD_FILE7))
def test_a_bad_file7_is_named_with_its_line_and_nothing_is_written(case, state_copy, linked_seed_dir):
    line, words = BAD_FILE7[case]
    assert overlay(linked_seed_dir, case) == [FILE7]
    before = snapshot(state_copy)

    with pytest.raises(SeedFileError) as raised:
        ingest(linked_seed_dir, home=state_copy)

    message = str(raised.value)
    assert Path(raised.value.path).name == FILE7 and raised.value.line == line and f"line {line}" in message
    for word in words:
        assert word in message
    assert message.endswith("The state directory was left as it was.")
    assert snapshot(state_copy) == before


def test_a_corrected_header_is_accepted_without_the_truncation_note(state_copy, linked_seed_dir, seed_dir):
    raw = (seed_dir / FILE7).read_bytes()
    fixed = raw.replace(TRUNCATED.encode(), (TRUNCATED + "As)").encode(), 1)
    assert fixed != raw
    (linked_seed_dir / FILE7).unlink()
    (linked_seed_dir / FILE7).write_bytes(fixed)

    result = ingest(linked_seed_dir, home=state_copy)

    assert result.created == ["imd2025_lsoa21"]
    entry = Store(state_copy).manifest("imd2025_lsoa21")["versions"][-1]
    assert not any("truncated" in note for note in entry["notes"])
    assert Store(state_copy).read("imd2025_lsoa21")["children_young_people_decile"].between(1, 10).all()


def test_a_file7_that_disagrees_with_the_first_source_is_refused(state_copy, linked_seed_dir, seed_dir):
    older = (seed_dir / "iod2025_lsoa21_lcr.csv").read_text().splitlines(keepends=True)
    header = older[0].rstrip("\n").split(",")
    row = older[1].rstrip("\n").split(",")
    column = header.index("IMD_rank")
    row[column] = str(int(row[column]) + 1)
    older[1] = ",".join(row) + "\n"
    (linked_seed_dir / "iod2025_lsoa21_lcr.csv").unlink()
    (linked_seed_dir / "iod2025_lsoa21_lcr.csv").write_text("".join(older))
    before = snapshot(state_copy)

    with pytest.raises(SeedFileError, match=r"iod2025_lsoa21_lcr\.csv, line 2, column 'imd_rank': imd_rank of E01"):
        ingest(linked_seed_dir, home=state_copy)

    assert snapshot(state_copy) == before
