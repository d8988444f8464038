"""The one disclosure rule of the stories: small counts and what is derived from them are blanked; map outlines
carry nothing but codes and names; a file no artefact declares stops the run."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from commons_kernel.exceptions import DisclosureRisk, ValidationFailed
from commons_kernel.stories import artefacts
from commons_kernel.stories.artefacts import Artefact
from commons_kernel.stories.words import count, percent, versus

pytestmark = pytest.mark.unit


def crime_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": ["a", "b", "c"],
            "crimes": [3, 40, 0],
            "residents": [1500, 2000, 1800],
            "rate": [2.0, 20.0, 0.0],
            "score": [12.5, 3.25, 7.0],
        }
    )


def test_small_counts_and_their_rates_are_blanked_and_large_ones_kept(tmp_path):
    artefacts.save(
        {"crime": Artefact(crime_table(), counts=["crimes", "residents"], derived={"rate": "crimes"})}, tmp_path / "raw"
    )
    reports = artefacts.disclose(tmp_path / "raw", tmp_path / "out")
    published = artefacts.load(tmp_path / "out")["crime"]
    assert published["crimes"].isna().tolist() == [True, False, True]
    assert published["rate"].isna().tolist() == [True, False, True]
    assert published.loc[1, "crimes"] == 40 and published.loc[1, "rate"] == 20.0
    assert published["residents"].tolist() == [1500, 2000, 1800]
    assert published["score"].tolist() == [12.5, 3.25, 7.0]  # not a count: unchanged
    assert reports[0]["suppressed_cells"] == 2


def test_outlines_keep_only_code_and_name(tmp_path):
    outline = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": "a",
                "geometry": {"type": "Point", "coordinates": [0, 0]},
                "properties": {"code": "a", "name": "A", "population": 7},
            }
        ],
    }
    artefacts.save({"map": Artefact(outline=outline)}, tmp_path / "raw")
    artefacts.disclose(tmp_path / "raw", tmp_path / "out")
    stripped = json.loads((tmp_path / "out" / "map.geojson").read_text())
    assert stripped["features"][0]["properties"] == {"code": "a", "name": "A"}


def test_a_file_no_artefact_declares_stops_the_run(tmp_path):
    artefacts.save({"crime": Artefact(crime_table(), counts=["crimes"])}, tmp_path / "raw")
    crime_table().to_csv(tmp_path / "raw" / "extra.csv")
    with pytest.raises(DisclosureRisk, match="extra.csv"):
        artefacts.disclose(tmp_path / "raw", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_the_notebook_path_applies_the_same_rule():
    published, _ = artefacts.disclose_all(
        {"crime": Artefact(crime_table(), counts=["crimes"], derived={"rate": "crimes"})}
    )
    assert published["crime"].frame["crimes"].isna().sum() == 2


def test_counts_without_a_frame_are_refused_by_name():
    with pytest.raises(ValidationFailed, match="artefact 'crime' has counts \\['crimes'\\] but no frame"):
        artefacts.disclose_all({"crime": Artefact(counts=["crimes"])})


def test_plain_english_numbers():
    assert count(float("nan")) == "fewer than 10"
    assert count(1234.4) == "1,234"
    assert percent(0.456) == "46%"
    assert (
        versus(50, [("Liverpool", 40.0), ("the city region", 50.0)])
        == "higher than Liverpool (40.0) and about the same as the city region (50.0)"
    )
