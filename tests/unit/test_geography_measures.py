"""A measure names the frame columns its rule needs; one built without them (not through ``measures()``) is refused
with the field it lacks, not with pandas' KeyError for a column called None."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from commons_kernel.exceptions import GeographyError
from commons_kernel.geography.measures import RATIO, SHARE, SUM, Measure, build_measures, contributions

pytestmark = pytest.mark.unit

FRAME = pd.DataFrame({"crimes": [3.0, 5.0], "population": [100.0, 300.0], "deprived": [True, False]})
CODES = pd.Series(["E01000001", "E01000002"])


@pytest.mark.parametrize(
    "measure, lacking",
    [
        (Measure("crimes", SUM), "column"),
        (Measure("rate", RATIO, column="crimes"), "denominator"),
        (Measure("share", SHARE), "condition"),
    ],
)
def test_a_measure_without_the_field_its_rule_needs_says_which(measure, lacking):
    with pytest.raises(GeographyError, match=rf"Measure '{measure.name}' \({measure.rule}\) has no {lacking}"):
        contributions(measure, FRAME, CODES, np.ones(len(FRAME)), "frame a")


def test_measures_built_by_measures_are_computed():
    sums, share, rate = build_measures(
        sums="crimes", means=None, shares={"deprived_share": "deprived"}, ratios={"rate": ("crimes", "population")}
    )
    numerator, denominator = contributions(sums, FRAME, CODES, np.ones(2), "frame a")
    assert numerator.tolist() == [3.0, 5.0] and denominator is None
    numerator, denominator = contributions(rate, FRAME, CODES, np.array([1.0, 0.5]), "frame a")
    assert numerator.tolist() == [3.0, 2.5] and denominator is not None and denominator.tolist() == [100.0, 150.0]
    numerator, denominator = contributions(share, FRAME, CODES, np.ones(2), "frame a")
    assert numerator.tolist() == [1.0, 0.0] and denominator is not None and denominator.tolist() == [1.0, 1.0]
