"""suppress_small_counts: the rules on any frame artefact, as the stories' refresher calls them."""

import pandas as pd
import pytest

from commons_kernel.disclosure import suppress_small_counts
from commons_kernel.exceptions import ValidationFailed

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def commons_defaults(monkeypatch):
    for name in ["THRESHOLD", "P_RATIO", "NK_N", "NK_K", "DOF"]:
        monkeypatch.delenv(f"COMMONS_DISCLOSURE_{name}", raising=False)


def visits() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ward22_code": ["E05015266", "E05015267", "E05015268"],
            "month": ["2024-01", "2024-01", "2024-01"],
            "visits": [120, 7, 45],
            "households": [60, 4, 0],
            "visits_per_1000": [12.5, 0.8, 4.1],
        }
    )


def test_whole_number_columns_are_checked_by_default():
    frame = visits()
    suppressed, report = suppress_small_counts(frame)
    assert report.checked_columns == ["visits", "households"]
    assert suppressed["visits"].tolist()[0] == 120 and pd.isna(suppressed.loc[1, "visits"])
    assert pd.isna(suppressed.loc[1, "households"]) and pd.isna(suppressed.loc[2, "households"])
    assert suppressed.loc[2, "visits"] == 45
    assert str(suppressed["visits"].dtype) == "Int64"
    assert suppressed["ward22_code"].tolist() == frame["ward22_code"].tolist()
    assert report.unchecked_columns == ["visits_per_1000"]
    assert report.suppressed is suppressed
    assert frame.loc[1, "visits"] == 7  # the input frame is left alone


def test_a_derived_column_is_blanked_with_its_count():
    suppressed, _ = suppress_small_counts(visits(), ["visits"], derived_columns={"visits_per_1000": "visits"})
    assert suppressed["visits_per_1000"].isna().tolist() == [False, True, False]
    assert suppressed["households"].tolist() == [60, 4, 0]  # not named, so not touched


def test_named_count_columns_only():
    suppressed, report = suppress_small_counts(visits(), count_columns=["households"])
    assert report.checked_columns == ["households"]
    assert suppressed["visits"].tolist() == [120, 7, 45]
    assert report.cells["row"].tolist() == [0, 1, 2]
    assert report.cells["status"].tolist() == ["pass", "fail", "fail"]


def test_per_dataset_overrides_reach_the_refresher():
    metadata = {"name": "synthetic_foodbank_visits", "disclosure": {"threshold": 50}}
    suppressed, report = suppress_small_counts(visits(), metadata=metadata)
    assert suppressed["visits"].isna().tolist() == [False, True, True]  # 7 and 45 < 50
    assert report.status == "fail"


def test_a_clean_frame_passes_untouched():
    frame = visits().iloc[[0]]
    suppressed, report = suppress_small_counts(frame)
    assert report.passed
    pd.testing.assert_frame_equal(suppressed, frame)


def test_unknown_count_column_is_refused():
    with pytest.raises(ValidationFailed, match="count_columns \\['vists'\\]"):
        suppress_small_counts(visits(), ["vists"])


def test_a_derived_column_must_point_at_a_count_column():
    with pytest.raises(ValidationFailed, match="must be one of the count columns"):
        suppress_small_counts(visits(), ["visits"], derived_columns={"visits_per_1000": "households"})


def test_a_text_count_column_is_refused():
    with pytest.raises(ValidationFailed, match="not numbers"):
        suppress_small_counts(visits(), ["month"])
