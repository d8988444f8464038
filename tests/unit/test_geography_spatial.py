"""The spatial steps: polygon repair, the LSOA 2011 → ward 2022 derivation, and points in polygons."""

import geopandas
import numpy as np
import pandas as pd
import pytest
import shapely

from commons_kernel.exceptions import GeographyError
from commons_kernel.geography import count_points_in_areas, derive_lsoa11_to_ward22, points_in_polygons, repair_polygons
from commons_kernel.geography.spatial import LOOKUP_COLUMNS
from tests.unit import geo_seed as seed

pytestmark = pytest.mark.unit
INVALID = ["E01006453", "E01006527", "E01007009", "E01007154"]  # SOURCES.md


@pytest.fixture(scope="module")
def derived():
    return derive_lsoa11_to_ward22(
        seed.boundaries_lsoa11(), seed.boundaries_ward22(), seed.lookup_lsoa11_ward21(), seed.lookup_ward22_lad22()
    )


def test_the_four_invalid_lsoa_polygons_are_repaired_without_losing_area():
    frame = seed.boundaries_lsoa11()
    invalid = ~frame.geometry.is_valid
    assert sorted(frame.loc[invalid, "lsoa11_code"]) == INVALID
    repaired = repair_polygons(frame.geometry)
    assert repaired.is_valid.all()
    assert set(repaired.geom_type) <= {"Polygon", "MultiPolygon"}
    before = frame.geometry[~invalid].to_crs(27700).area.sum()
    assert repaired[~invalid].to_crs(27700).area.sum() == pytest.approx(before)  # valid ones untouched
    assert frame.geometry.is_valid.sum() == 985  # the input is not changed


def test_the_derived_lookup_has_the_contract_columns_and_one_row_per_lsoa(derived):
    assert list(derived.columns) == LOOKUP_COLUMNS
    assert len(derived) == 989 and derived["lsoa11_code"].is_unique
    assert derived[LOOKUP_COLUMNS[:-1]].notna().all().all()


def test_st_helens_is_assigned_spatially_and_reaches_all_18_new_wards(derived):
    st_helens = derived[derived["lad22_code"] == seed.ST_HELENS]
    assert len(st_helens) == 119
    assert (st_helens["method"] == "spatial_largest_overlap").all()
    new_wards = seed.lookup_ward22_lad22().query("lad22_code == @seed.ST_HELENS")["ward22_code"]
    assert len(new_wards) == 18 and set(st_helens["ward22_code"]) == set(new_wards)
    assert st_helens["overlap_share"].between(0.3, 1.0).all()
    assert st_helens["overlap_share"].median() > 0.9


def test_the_other_five_boroughs_keep_the_official_lookup(derived):
    others = derived[derived["lad22_code"] != seed.ST_HELENS].set_index("lsoa11_code")
    assert (others["method"] == "official").all() and len(others) == 870
    official = seed.lookup_lsoa11_ward21().set_index("lsoa11_code")["ward21_code"]
    assert (others["ward22_code"] == official.loc[others.index]).all()


def test_every_lsoa_goes_to_a_ward_of_its_own_local_authority(derived):
    lad_of_lsoa = seed.lookup_lsoa11_lsoa21().drop_duplicates("lsoa11_code").set_index("lsoa11_code")["lad22_code"]
    assigned = derived.set_index("lsoa11_code")["lad22_code"]
    assert (assigned == lad_of_lsoa.loc[assigned.index]).all()


def test_largest_overlap_agrees_with_the_official_best_fit_where_both_exist():
    """The method checked where the answer is known: pretend no 2021 ward is current, derive everything spatially,
    and compare with the official ONS best-fit lookup in the five boroughs whose wards did not change."""
    official = seed.lookup_lsoa11_ward21()
    retired = official.assign(ward21_code="E05999999")
    spatial = derive_lsoa11_to_ward22(
        seed.boundaries_lsoa11(), seed.boundaries_ward22(), retired, seed.lookup_ward22_lad22()
    ).set_index("lsoa11_code")
    unchanged = official[official["lad21_code"] != seed.ST_HELENS].set_index("lsoa11_code")["ward21_code"]
    agreement = (spatial.loc[unchanged.index, "ward22_code"] == unchanged).mean()
    assert agreement > 0.9, agreement  # 0.94 when written: the BSC ward outlines are coarse


def test_missing_polygons_for_spatial_rows_are_refused():
    boundaries = seed.boundaries_lsoa11()
    without = boundaries[boundaries["lad22_code"] != seed.ST_HELENS]
    with pytest.raises(GeographyError, match="119 LSOA.*no polygon"):
        derive_lsoa11_to_ward22(
            without, seed.boundaries_ward22(), seed.lookup_lsoa11_ward21(), seed.lookup_ward22_lad22()
        )


def test_boundaries_without_a_crs_are_refused():
    wards = seed.boundaries_ward22().set_crs(None, allow_override=True)
    with pytest.raises(GeographyError, match="no CRS"):
        derive_lsoa11_to_ward22(
            seed.boundaries_lsoa11(), wards, seed.lookup_lsoa11_ward21(), seed.lookup_ward22_lad22()
        )


def test_a_lookup_with_the_wrong_columns_points_to_the_contract():
    raw = seed.lookup_lsoa11_ward21().rename(columns={"ward21_code": "WD21CD"})
    with pytest.raises(GeographyError, match="contracts.md"):
        derive_lsoa11_to_ward22(seed.boundaries_lsoa11(), seed.boundaries_ward22(), raw, seed.lookup_ward22_lad22())


def test_points_in_polygons_by_hand():
    squares = [shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1), shapely.box(5, 5, 6, 6)]
    x = np.array([0.5, 1.5, 1.0, 3.0, 5.5, 0.0])
    y = np.array([0.5, 0.5, 0.5, 3.0, 5.5, 0.5])
    # a point on a boundary is in neither square, as with sjoin(predicate="within")
    assert points_in_polygons(x, y, squares).tolist() == [0, 1, -1, -1, 2, -1]


def test_points_in_polygons_agrees_with_geopandas_sjoin_on_the_lsoas():
    areas = seed.boundaries_lsoa11()[["lsoa11_code", "geometry"]].copy()
    areas["geometry"] = repair_polygons(areas.geometry)
    rng = np.random.default_rng(7)
    x0, y0, x1, y1 = areas.total_bounds
    x, y = rng.uniform(x0, x1, 20_000), rng.uniform(y0, y1, 20_000)
    ours = points_in_polygons(x, y, areas.geometry)
    points = geopandas.GeoDataFrame(geometry=geopandas.points_from_xy(x, y), crs=areas.crs)
    joined = geopandas.sjoin(points, areas, predicate="within", how="left")
    theirs = joined.groupby(level=0)["index_right"].first().reindex(range(len(x))).fillna(-1).astype(int)
    assert (ours == theirs.to_numpy()).all()
    assert (ours >= 0).sum() > 5_000


def test_count_points_in_areas_includes_empty_areas():
    areas = geopandas.GeoDataFrame({"code": ["a", "b"]}, geometry=[shapely.box(0, 0, 1, 1), shapely.box(2, 2, 3, 3)])
    counts = count_points_in_areas([0.2, 0.4, 9.0], [0.2, 0.4, 9.0], areas, "code")
    assert counts.to_dict() == {"a": 2, "b": 0}


def test_points_in_polygons_checks_lengths():
    with pytest.raises(GeographyError, match="differ in length"):
        points_in_polygons([0, 1], [0], [shapely.box(0, 0, 1, 1)])


def test_the_lsoa11_ward22_crosswalk_records_both_methods():
    text = seed.hierarchy().crosswalk("lsoa11", "ward22").method
    assert "870 LSOAs by the official ONS lookup" in text and "119 by largest polygon overlap in EPSG:27700" in text


def test_derivation_needs_no_geometry_columns_beyond_the_contract(derived):
    assert isinstance(derived, pd.DataFrame) and not isinstance(derived, geopandas.GeoDataFrame)
