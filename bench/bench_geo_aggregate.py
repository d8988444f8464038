"""Benchmark: count 1,000,000 points per LSOA 2011 polygon of the Liverpool City Region.

Points are uniform in the LCR bounding box (fixed seed; about a third fall inside an LSOA). Every method must give
the same counts. Printed: each method's best time of --repeat runs, and our method's speed-up over the fastest
alternative measured in this run (geopandas sjoin with predicate "within" is the baseline).

    .venv/bin/python bench/bench_geo_aggregate.py [--points N] [--repeat R]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import geopandas
import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from commons_kernel.config import setting  # noqa: E402
from commons_kernel.geography import count_points_in_areas, repair_polygons  # noqa: E402

SEED = 20261121
LSOA_FILE = "lsoa11_boundaries_lcr.geojson"


def load_lsoas() -> geopandas.GeoDataFrame:
    seed_dir = Path(setting("seed_dir") or ".")
    path = seed_dir / LSOA_FILE
    if not path.is_file():
        sys.exit(f"{path} not found: set COMMONS_SEED_DIR to the seed data directory (../shared/data).")
    frame = geopandas.read_file(path)[["LSOA11CD", "geometry"]].rename(columns={"LSOA11CD": "lsoa11_code"})
    frame["geometry"] = repair_polygons(frame.geometry)
    return frame


def ours(x, y, lsoas) -> pd.Series:
    """commons_kernel.geography.count_points_in_areas: x-sorted sweep, prepared polygons, vectorised contains_xy."""
    return count_points_in_areas(x, y, lsoas, "lsoa11_code")


def geopandas_sjoin(x, y, lsoas) -> pd.Series:
    points = geopandas.GeoDataFrame(geometry=geopandas.points_from_xy(x, y), crs=lsoas.crs)
    joined = geopandas.sjoin(points, lsoas, predicate="within", how="inner")
    return joined.groupby("lsoa11_code").size().reindex(lsoas["lsoa11_code"], fill_value=0)


def shapely_strtree(x, y, lsoas) -> pd.Series:
    points = shapely.points(x, y)
    point_index, area_index = shapely.STRtree(lsoas.geometry.values).query(points, predicate="within")
    counts = np.bincount(area_index, minlength=len(lsoas))
    return pd.Series(counts, index=lsoas["lsoa11_code"].to_numpy())


def duckdb_spatial():
    """A DuckDB method when the spatial extension loads offline; else (None, reason)."""
    try:
        import duckdb
    except ImportError:
        return None, "duckdb is not installed"
    connection = duckdb.connect()
    try:
        connection.execute("LOAD spatial")
    except duckdb.Error:
        try:
            import duckdb_extension_spatial  # PyPI wheel of the extension (built for one DuckDB version)

            extension = next(Path(duckdb_extension_spatial.__file__).parent.rglob("spatial.duckdb_extension"))
            connection.execute(f"LOAD '{extension}'")
        except (ImportError, StopIteration, duckdb.Error) as exc:
            reason = (
                f"DuckDB {duckdb.__version__} cannot load its spatial extension offline "
                f"({type(exc).__name__}: {str(exc).splitlines()[0][:160]})"
            )
            return None, reason

    def run(x, y, lsoas) -> pd.Series:
        areas = pd.DataFrame({"code": lsoas["lsoa11_code"], "wkb": shapely.to_wkb(lsoas.geometry.values)})
        points = pd.DataFrame({"x": x, "y": y})
        connection.register("areas", areas)
        connection.register("points", points)
        counts = connection.execute(
            "SELECT a.code, count(*) AS n FROM points p JOIN areas a "
            "ON ST_Within(ST_Point(p.x, p.y), ST_GeomFromWKB(a.wkb)) GROUP BY a.code"
        ).df()
        return counts.set_index("code")["n"].reindex(lsoas["lsoa11_code"], fill_value=0)

    return run, ""


def best_time(method, x, y, lsoas, repeat: int) -> tuple[float, pd.Series]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = method(x, y, lsoas)
        times.append(time.perf_counter() - start)
    return min(times), result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    lsoas = load_lsoas()
    x0, y0, x1, y1 = lsoas.total_bounds
    rng = np.random.default_rng(SEED)
    x, y = rng.uniform(x0, x1, args.points), rng.uniform(y0, y1, args.points)
    print(
        f"{args.points:,} points (seed {SEED}) in the LCR bounding box, {len(lsoas)} LSOA 2011 polygons, "
        f"best of {args.repeat}"
    )

    alternatives = {
        "geopandas sjoin within (baseline)": geopandas_sjoin,
        "shapely STRtree query within": shapely_strtree,
    }
    duck, reason = duckdb_spatial()
    if duck is not None:
        alternatives["duckdb spatial ST_Within"] = duck
    else:
        print(f"skipped duckdb spatial: {reason}")

    our_time, our_counts = best_time(ours, x, y, lsoas, args.repeat)
    inside = int(our_counts.sum())
    print(f"ours (count_points_in_areas): {our_time:.3f} s, {inside:,} points inside an LSOA")
    timings = {}
    for name, method in alternatives.items():
        seconds, counts = best_time(method, x, y, lsoas, args.repeat)
        if not (counts.to_numpy() == our_counts.to_numpy()).all():
            print(f"MISMATCH: {name} counts differ from ours", file=sys.stderr)
            return 1
        timings[name] = seconds
        print(f"{name}: {seconds:.3f} s ({seconds / our_time:.1f}x ours)")
    fastest = min(timings, key=timings.get)
    print(f"ratio: ours is {timings[fastest] / our_time:.1f}x faster than the fastest alternative ({fastest})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
