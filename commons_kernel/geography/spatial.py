"""Spatial steps: repair polygons, assign LSOAs to wards by largest overlap, and find the area of each point.

Areas are measured in British National Grid (EPSG:27700), where a unit is a metre; lon/lat degrees are not equal
in size and would bias overlaps.
"""

from __future__ import annotations

import geopandas
import numpy as np
import pandas as pd
import shapely

from commons_kernel.exceptions import GeographyError

PROJECTED_CRS = "EPSG:27700"
METHOD_OFFICIAL = "official"
METHOD_SPATIAL = "spatial_largest_overlap"
LOOKUP_COLUMNS = [
    "lsoa11_code",
    "lsoa11_name",
    "ward22_code",
    "ward22_name",
    "lad22_code",
    "lad22_name",
    "method",
    "overlap_share",
]


def repair_polygons(geometries: geopandas.GeoSeries) -> geopandas.GeoSeries:
    """Invalid polygons (self-intersecting rings) made valid, keeping only their polygonal parts."""
    invalid = ~geometries.is_valid
    if not invalid.any():
        return geometries
    repaired = geometries.copy()
    fixed = shapely.make_valid(geometries[invalid].values, method="structure", keep_collapsed=False)
    repaired[invalid] = geopandas.GeoSeries(fixed, index=geometries[invalid].index, crs=geometries.crs)
    return repaired


def projected(frame: geopandas.GeoDataFrame, what: str) -> geopandas.GeoDataFrame:
    """``frame`` repaired and in EPSG:27700; raises when it has no CRS to convert from."""
    if frame.crs is None:
        raise GeographyError(f"{what} has no CRS. Set it first, e.g. frame.set_crs('EPSG:4326').")
    frame = frame.copy()
    frame["geometry"] = repair_polygons(frame.geometry)
    return frame.to_crs(PROJECTED_CRS)


def largest_overlap(
    small: geopandas.GeoDataFrame,
    small_code: str,
    large: geopandas.GeoDataFrame,
    large_code: str,
    same: tuple[str, str] | None = None,
) -> pd.DataFrame:
    """For each area of ``small``, the area of ``large`` it overlaps most, and the share of it in that area.

    Both frames must be in a projected CRS. ``same=(small_column, large_column)`` limits candidates to pairs that
    agree on those columns (an LSOA only goes to a ward of its own local authority). Returns columns
    ``small_code, large_code, overlap_share``.
    """
    small_geoms = small.geometry.values
    large_geoms = large.geometry.values
    tree = shapely.STRtree(large_geoms)
    small_idx, large_idx = tree.query(small_geoms, predicate="intersects")
    pairs = pd.DataFrame(
        {
            small_code: small[small_code].to_numpy()[small_idx],
            large_code: large[large_code].to_numpy()[large_idx],
            "overlap": shapely.area(shapely.intersection(small_geoms[small_idx], large_geoms[large_idx])),
            "area": shapely.area(small_geoms[small_idx]),
        }
    )
    if same is not None:
        keep = small[same[0]].to_numpy()[small_idx] == large[same[1]].to_numpy()[large_idx]
        pairs = pairs[keep]
    pairs = pairs[pairs["overlap"] > 0]
    best = pairs.sort_values([small_code, "overlap"], ascending=[True, False]).drop_duplicates(small_code)
    best["overlap_share"] = best["overlap"] / best["area"]
    return best[[small_code, large_code, "overlap_share"]].reset_index(drop=True)


def derive_lsoa11_to_ward22(
    lsoa11_boundaries: geopandas.GeoDataFrame,
    ward22_boundaries: geopandas.GeoDataFrame,
    lookup_lsoa11_ward21: pd.DataFrame,
    lookup_ward22_lad22: pd.DataFrame,
) -> pd.DataFrame:
    """The LSOA 2011 → ward 2022 lookup, official where it can be and spatial where it must be.

    Where an LSOA's 2021 ward code (official ONS best-fit lookup) is still a ward code in December 2022, that ward
    is kept: method "official". Where it is not (St Helens adopted 18 new wards in May 2022 and ONS published no
    LSOA 2011 lookup for them), the LSOA goes to the 2022 ward of its own local authority that its polygon overlaps
    most, measured in EPSG:27700: method "spatial_largest_overlap". ``overlap_share`` is the share of the LSOA's
    area inside the assigned ward, computed for every row; for official rows it is a check, not the basis.

    Frames use the contract's columns (lsoa11_code, ward21_code, lad21_code, ward22_code, lad22_code, ...); the
    boundaries need a CRS. Returns the columns of the ``lookup_lsoa11_ward22`` dataset, one row per LSOA.
    """
    _require(lookup_lsoa11_ward21, ["lsoa11_code", "lsoa11_name", "ward21_code", "lad21_code"], "lookup_lsoa11_ward21")
    _require(lookup_ward22_lad22, ["ward22_code", "ward22_name", "lad22_code", "lad22_name"], "lookup_ward22_lad22")
    _require(lsoa11_boundaries, ["lsoa11_code", "geometry"], "lsoa11_boundaries")
    _require(ward22_boundaries, ["ward22_code", "geometry"], "ward22_boundaries")
    wards = lookup_ward22_lad22.drop_duplicates("ward22_code").set_index("ward22_code")
    base = lookup_lsoa11_ward21.drop_duplicates("lsoa11_code")[
        ["lsoa11_code", "lsoa11_name", "ward21_code", "lad21_code"]
    ].copy()
    official = base["ward21_code"].isin(wards.index)
    base["ward22_code"] = base["ward21_code"].where(official)
    base["method"] = np.where(official, METHOD_OFFICIAL, METHOD_SPATIAL)

    lsoas = projected(lsoa11_boundaries[["lsoa11_code", "geometry"]], "lsoa11_boundaries")
    lsoas = lsoas.merge(base[["lsoa11_code", "lad21_code"]], on="lsoa11_code", how="inner")
    ward_shapes = projected(ward22_boundaries[["ward22_code", "geometry"]], "ward22_boundaries")
    ward_shapes["lad22_code"] = ward_shapes["ward22_code"].map(wards["lad22_code"])
    unknown_wards = ward_shapes["lad22_code"].isna()
    if unknown_wards.any():
        raise GeographyError(
            f"ward22_boundaries has {int(unknown_wards.sum())} ward(s) missing from lookup_ward22_lad22 (e.g. "
            f"{ward_shapes.loc[unknown_wards, 'ward22_code'].iloc[0]}). Use the lookup of the same December 2022 "
            f"release."
        )

    needs_spatial = base.loc[~official, "lsoa11_code"]
    missing = needs_spatial[~needs_spatial.isin(lsoas["lsoa11_code"])]
    if not missing.empty:
        raise GeographyError(
            f"{len(missing)} LSOA(s) need a spatial ward assignment but have no polygon in lsoa11_boundaries (e.g. "
            f"{missing.iloc[0]}). Give boundaries for every LSOA of the lookup."
        )
    best = largest_overlap(
        lsoas[lsoas["lsoa11_code"].isin(needs_spatial)],
        "lsoa11_code",
        ward_shapes,
        "ward22_code",
        same=("lad21_code", "lad22_code"),
    ).set_index("lsoa11_code")
    unplaced = needs_spatial[~needs_spatial.isin(best.index)]
    if not unplaced.empty:
        raise GeographyError(
            f"LSOA {unplaced.iloc[0]} overlaps no 2022 ward of its local authority ({len(unplaced)} such). Check that "
            f"both boundary sets cover the same area and have the right CRS."
        )
    spatial_rows = ~official
    base.loc[spatial_rows, "ward22_code"] = base.loc[spatial_rows, "lsoa11_code"].map(best["ward22_code"])
    base["overlap_share"] = _overlap_of_assignment(lsoas, ward_shapes, base)
    base["ward22_name"] = base["ward22_code"].map(wards["ward22_name"])
    base["lad22_code"] = base["ward22_code"].map(wards["lad22_code"])
    base["lad22_name"] = base["ward22_code"].map(wards["lad22_name"])
    return base[LOOKUP_COLUMNS].sort_values("lsoa11_code").reset_index(drop=True)


def _overlap_of_assignment(
    lsoas: geopandas.GeoDataFrame, wards: geopandas.GeoDataFrame, assignment: pd.DataFrame
) -> pd.Series:
    """Share of each LSOA's area inside its assigned ward (NaN where a polygon is missing)."""
    lsoa_geom = lsoas.set_index("lsoa11_code").geometry
    ward_geom = wards.set_index("ward22_code").geometry
    a = lsoa_geom.reindex(assignment["lsoa11_code"]).values
    b = ward_geom.reindex(assignment["ward22_code"]).values
    with np.errstate(invalid="ignore", divide="ignore"):
        share = shapely.area(shapely.intersection(a, b)) / shapely.area(a)
    return pd.Series(share, index=assignment.index).round(6)


def assign_by_representative_point(
    children: geopandas.GeoDataFrame, child_code: str, parents: geopandas.GeoDataFrame, parent_code: str
) -> pd.DataFrame:
    """Each child area assigned to the parent polygon containing its representative point (inside the child)."""
    children = projected(children[[child_code, "geometry"]], "children")
    parents = projected(parents[[parent_code, "geometry"]], "parents")
    points = children.copy()
    points["geometry"] = children.geometry.representative_point()
    joined = geopandas.sjoin(points, parents, predicate="within", how="inner")
    return joined[[child_code, parent_code]].drop_duplicates(child_code).reset_index(drop=True)


def points_in_polygons(x, y, polygons) -> np.ndarray:
    """For each point (x[i], y[i]), the index of the polygon containing it, or -1 when none does.

    The points are sorted by x once; each polygon then tests only the points inside its bounding box, with a
    prepared geometry and shapely's vectorised ``contains_xy`` (no Point objects are made). Points on a boundary
    count as outside, as with a "within" predicate. Where polygons overlap, the later polygon wins.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape:
        raise GeographyError(f"x and y differ in length ({x.size} and {y.size}).")
    geoms = np.asarray(polygons.values if hasattr(polygons, "values") else polygons, dtype=object)
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order]
    bounds = shapely.bounds(geoms)
    found = np.full(x.size, -1, dtype=np.int64)
    for index, geom in enumerate(geoms):
        if geom is None or shapely.is_empty(geom):
            continue
        lo = np.searchsorted(xs, bounds[index, 0], side="left")
        hi = np.searchsorted(xs, bounds[index, 2], side="right")
        band_y = ys[lo:hi]
        candidates = np.nonzero((band_y >= bounds[index, 1]) & (band_y <= bounds[index, 3]))[0]
        if candidates.size == 0:
            continue
        shapely.prepare(geom)
        inside = shapely.contains_xy(geom, xs[lo:hi][candidates], band_y[candidates])
        found[order[lo + candidates[inside]]] = index
    return found


def count_points_in_areas(x, y, areas: geopandas.GeoDataFrame, code_column: str) -> pd.Series:
    """Number of points (same CRS as ``areas``) in each area, indexed by area code, zeros included."""
    index = points_in_polygons(x, y, areas.geometry)
    counts = np.bincount(index[index >= 0], minlength=len(areas))
    return pd.Series(counts, index=pd.Index(areas[code_column].to_numpy(), name=code_column), name="points")


def _require(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise GeographyError(
            f"{what} lacks column(s) {missing}; it needs {columns} (see docs/dev/contracts.md for the names)."
        )
