"""Link and aggregate by geography: levels and vintages from GSS codes, the LSOA → ward → local authority → LCR
hierarchy from official lookups (with a spatial assignment where none exists), and stated weights.

    from commons_kernel.geography import detect_level, Hierarchy, link, aggregate, derive_lsoa11_to_ward22

The guide for analysts is docs/analysts/geography.md.
"""

from commons_kernel.geography.aggregate import aggregate
from commons_kernel.geography.codes import Level, parse_level
from commons_kernel.geography.crosswalk import Crosswalk
from commons_kernel.geography.hierarchy import Hierarchy
from commons_kernel.geography.levels import detect_level
from commons_kernel.geography.link import common_level, link
from commons_kernel.geography.spatial import (
    count_points_in_areas,
    derive_lsoa11_to_ward22,
    points_in_polygons,
    repair_polygons,
)

__all__ = [
    "Crosswalk",
    "Hierarchy",
    "Level",
    "aggregate",
    "common_level",
    "count_points_in_areas",
    "derive_lsoa11_to_ward22",
    "detect_level",
    "link",
    "parse_level",
    "points_in_polygons",
    "repair_polygons",
]
