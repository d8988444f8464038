"""Arrow tables to pandas or geopandas frames, the same on both sides of the data-api."""

from __future__ import annotations

import pyarrow as pa


def table_to_frame(table: pa.Table):
    """pandas for plain tables; geopandas for GeoParquet-style tables (their schema carries `geo` metadata)."""
    metadata = table.schema.metadata or {}
    if b"geo" in metadata and _has_geometry(table, metadata[b"geo"]):
        from geopandas.io.arrow import _arrow_to_geopandas

        return _arrow_to_geopandas(table)
    return table.to_pandas()


def _has_geometry(table: pa.Table, geo: bytes) -> bool:
    """A column selection without the geometry is a plain table."""
    import json

    columns = json.loads(geo).get("columns", {})
    return any(name in table.column_names for name in columns)
