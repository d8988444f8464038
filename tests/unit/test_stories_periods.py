"""Each number says which period its data covers, from the datasets' metadata (catalog/), never typed in a page."""

from __future__ import annotations

import pytest

from commons_kernel.catalog import load_metadata
from commons_kernel.exceptions import ValidationFailed
from commons_kernel.stories import periods
from commons_kernel.stories.model import discover

pytestmark = pytest.mark.unit

SOURCES = [
    {"name": "police_crime_2021_12", "period": "December 2021"},
    {"name": "population_mid2019_lsoa11", "period": "mid-2019 (30 June 2019)"},
    {"name": "no_period", "period": None},
]


def test_a_period_is_the_dataset_s_own():
    assert periods.period({"sources": SOURCES}, "police_crime_2021_12") == "December 2021"
    assert periods.period(SOURCES, "population_mid2019_lsoa11") == "mid-2019 (30 June 2019)"


def test_a_missing_period_names_the_file_to_fix():
    with pytest.raises(ValidationFailed, match=r"catalog/datasets/no_period.yaml, e.g. `period: December 2021`"):
        periods.period(SOURCES, "no_period")
    with pytest.raises(ValidationFailed, match="not one of this story's sources"):
        periods.period(SOURCES, "imd2025_lsoa21")


def test_the_gallery_line_puts_the_data_period_beside_the_refresh_date():
    one = periods.story_periods({"crime": "police_crime_2021_12"}, SOURCES)
    assert periods.gallery_line(one, "2026-12-01") == "Data: December 2021 · Updated 2026-12-01"
    two = periods.story_periods({"crime": "police_crime_2021_12", "residents": "population_mid2019_lsoa11"}, SOURCES)
    assert periods.gallery_line(two, "2026-12-01") == (
        "Data: crime, December 2021; residents, mid-2019 (30 June 2019) · Updated 2026-12-01"
    )
    assert periods.gallery_line([], "2026-12-01") == "Updated 2026-12-01"


def test_every_story_names_periods_its_datasets_declare_in_the_catalogue():
    metadata = load_metadata()
    for story in discover():
        assert story.periods, f"{story.slug}: story.yaml names no `periods:` for the gallery"
        for _, dataset in story.periods:
            assert dataset in story.datasets and metadata[dataset].period, (story.slug, dataset)


def test_a_period_from_a_dataset_the_story_does_not_use_is_refused(tmp_path):
    import shutil

    from commons_kernel.stories.model import load_story, stories_dir

    folder = tmp_path / "crime-by-area"
    shutil.copytree(stories_dir() / "crime-by-area", folder)
    text = (folder / "story.yaml").read_text().replace("crime: police_crime_2021_12", "crime: imd2019_lsoa11")
    (folder / "story.yaml").write_text(text)
    with pytest.raises(ValidationFailed, match="`periods:` names imd2019_lsoa11, not under `datasets:`"):
        load_story(folder)
