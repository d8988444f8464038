"""The formats a read is served in, found by entry point (the way datasette finds its output renderers).

A format is an ``OutputFormat``: its name (what ``format=`` says), media type, file suffix, ``encode`` (Arrow table
to bytes) and, where the bytes can be read back, ``decode``. The commons' own three, ``ARROW``, ``PARQUET`` and
``CSV``, are registered in ``pyproject.toml`` exactly as another package registers one::

    [project.entry-points."lcr_data_commons.output_formats"]
    jsonl = "my_package.formats:JSONL"    # JSONL = OutputFormat("jsonl", "application/jsonl", "jsonl", encode)

The data-api (``commons_hub/services/data_api/reads.py``) asks ``get(name)`` for the format of a read before it
reads anything, and encodes the table with it after the read is decided and audited; the kernel's client decodes
the answer with ``get(DEFAULT)``. ``serves_stored_copy`` marks the format whose bytes are those of a version's
stored Arrow copy (``vNNNN.arrow``, an Arrow IPC stream): an unfiltered read in it streams that checked file as-is.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import pyarrow as pa

from commons_kernel import plugins
from commons_kernel.exceptions import CommonsError

DEFAULT = "arrow"  # what a read without format= is served in, and what ck.read asks for


@dataclass(frozen=True)
class OutputFormat:
    """How a read's table becomes bytes (and, where it can, back)."""

    name: str  # the value of format=, and the entry point's name
    media_type: str  # the response's Content-Type
    suffix: str  # the file name's suffix in Content-Disposition, without the dot
    encode: Callable[[pa.Table], bytes]
    decode: Callable[[bytes], pa.Table] | None = None  # None: the bytes are for people or other tools only
    serves_stored_copy: bool = False  # True: its bytes are the stored Arrow IPC copy's, served as-is unfiltered

    def to_table(self, data: bytes) -> pa.Table:
        """The table in ``data``; raises CommonsError when this format cannot be read back."""
        if self.decode is None:
            raise CommonsError(
                f"the {self.name} output format cannot be read back into a table: "
                f"read with format={DEFAULT} (what ck.read uses) instead."
            )
        return self.decode(data)


@cache
def installed() -> dict[str, OutputFormat]:
    """Every installed output format, ``{name: format}`` sorted by name; a malformed entry point is an error."""
    return plugins.load_checked(
        plugins.OUTPUT_FORMATS, OutputFormat, "name", "the format", "format= asks for it by that name"
    )


def names() -> list[str]:
    """The names ``format=`` accepts, sorted."""
    return list(installed())


def get(name: str) -> OutputFormat:
    """The format called ``name``; an unknown name is a CommonsError (400) naming the installed ones."""
    formats = installed()
    if name not in formats:
        raise CommonsError(
            f"format {name!r} is not one of {', '.join(formats)}. Ask for one of those with format=NAME; "
            f"another needs a package that registers it as a {plugins.OUTPUT_FORMATS} entry point."
        )
    return formats[name]


# The built-in formats ------------------------------------------------------------------------------------------


def _arrow_encode(table: pa.Table) -> bytes:
    import pyarrow.ipc as ipc

    sink = io.BytesIO()
    with ipc.new_stream(sink, table.schema) as writer:  # the stored Arrow copy is written the same way
        writer.write_table(table, max_chunksize=64 * 1024)
    return sink.getvalue()


def _arrow_decode(data: bytes) -> pa.Table:
    import pyarrow.ipc as ipc

    return ipc.open_stream(pa.py_buffer(data)).read_all()  # reads straight from the body, no copy


def _parquet_encode(table: pa.Table) -> bytes:
    import pyarrow.parquet as pq

    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def _parquet_decode(data: bytes) -> pa.Table:
    import pyarrow.parquet as pq

    return pq.read_table(pa.BufferReader(data))


def _csv_encode(table: pa.Table) -> bytes:
    """CSV for spreadsheets: geometry as WKT, and cells that a spreadsheet would run as formulas neutralised."""
    import pandas as pd
    import pyarrow.csv as pacsv

    from commons_kernel.frames import table_to_frame
    from commons_kernel.upload_checks import neutralise_formulas

    frame = table_to_frame(table)
    if "geometry" in frame.columns and hasattr(frame, "geometry"):
        frame = pd.DataFrame(frame).assign(geometry=frame.geometry.to_wkt())  # plain first: WKT is no geometry
    sink = io.BytesIO()
    pacsv.write_csv(pa.Table.from_pandas(neutralise_formulas(pd.DataFrame(frame)), preserve_index=False), sink)
    return sink.getvalue()


def _csv_decode(data: bytes) -> pa.Table:
    """The CSV's cells with the types pyarrow infers (whole numbers, dates, text; geometry stays WKT text)."""
    import pyarrow.csv as pacsv

    return pacsv.read_csv(pa.BufferReader(data))


ARROW = OutputFormat(
    "arrow", "application/vnd.apache.arrow.stream", "arrows", _arrow_encode, _arrow_decode, serves_stored_copy=True
)
PARQUET = OutputFormat("parquet", "application/vnd.apache.parquet", "parquet", _parquet_encode, _parquet_decode)
CSV = OutputFormat("csv", "text/csv; charset=utf-8", "csv", _csv_encode, _csv_decode)
