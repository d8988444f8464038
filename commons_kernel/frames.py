"""Arrow tables to pandas or geopandas frames, the same on both sides of the data-api."""

from __future__ import annotations

import pyarrow as pa


def table_to_frame(table: pa.Table):
    """pandas for plain tables; geopandas for GeoParquet-style tables (their schema carries `geo` metadata)."""
    metadata = table.schema.metadata or {}
    if b"geo" in metadata:
        from geopandas.io.arrow import _arrow_to_geopandas

        return _arrow_to_geopandas(table)
    return table.to_pandas()
