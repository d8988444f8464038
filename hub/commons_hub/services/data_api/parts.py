"""Parts of a dataset version: ``part=I/N`` reads the I-th of N contiguous slices (0-based), ``limit=K`` its first
K rows.

Dask workers read one partition each (``ck.read_dask``); every part is a read of its own, decided and audited
like any other. Part I of N is rows ``[R*I//N, R*(I+1)//N)`` of the version's R rows. They are cut from the
version's Arrow copy (``vNNNN.arrow``, memory-mapped: the batches before the part are skipped without reading
their data, and nothing is decompressed), or, without one, from the whole Parquet row groups that hold them.
``limit=0`` returns no rows, only the columns and types, read from the Parquet footer.
"""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from commons_hub.store import arrow_file
from commons_kernel.exceptions import CommonsError

PART = re.compile(r"^(\d{1,6})/(\d{1,6})$")


def parse_part(raw: str | None) -> tuple[int, int] | None:
    """``"3/8"`` -> (3, 8); None when absent. Raises CommonsError naming the value and the form."""
    if raw is None or raw == "":
        return None
    match = PART.match(raw.strip())
    if not match or not int(match[2]) or int(match[1]) >= int(match[2]):
        raise CommonsError(
            f"part={raw!r} is not a part of the data: write part=I/N with 0 <= I < N, e.g. "
            f"part=0/8 for the first of 8 parts."
        )
    return int(match[1]), int(match[2])


def parse_limit(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    if not raw.isdigit():
        raise CommonsError(
            f"limit={raw!r} is not a number of rows: write limit=0 for the columns only, or "
            f"limit=100 for the first 100 rows."
        )
    return int(raw)


def part_label(part: tuple[int, int] | None) -> str | None:
    return f"{part[0]}/{part[1]}" if part else None


def read_rows(path, columns: list[str] | None, part: tuple[int, int] | None, limit: int | None, arrow=None) -> pa.Table:
    """The rows of ``part`` (all rows without one) of the Parquet file at ``path``, at most ``limit`` of them.
    ``path`` may be the file's bytes instead (checked against the manifest already), ``arrow`` then its Arrow copy."""
    in_memory = not isinstance(path, (str, Path))
    file = pq.ParquetFile(pa.BufferReader(path) if in_memory else path)
    if limit == 0:
        schema = file.schema_arrow
        if columns:
            schema = pa.schema([schema.field(name) for name in columns], metadata=schema.metadata)
        return schema.empty_table()
    if part is None:
        table = file.read(columns=columns)
    elif in_memory and arrow is not None:
        table = _read_part_arrow(pa.BufferReader(arrow), columns, file.metadata.num_rows, *part)
    elif not in_memory and Path(arrow_file(path)).is_file():
        table = _read_part_arrow(pa.memory_map(arrow_file(path)), columns, file.metadata.num_rows, *part)
    else:
        table = _read_part(file, columns, *part)
    return table.slice(0, limit) if limit is not None else table


def _read_part_arrow(source, columns: list[str] | None, rows: int, index: int, count: int) -> pa.Table:
    start, stop = rows * index // count, rows * (index + 1) // count
    reader = ipc.open_stream(source)  # the buffers keep the mapping (or bytes) alive, not the file
    batches, offset = [], 0
    for batch in reader:
        end = offset + batch.num_rows
        if end > start and offset < stop:
            first = max(start, offset)
            batches.append(batch.slice(first - offset, min(stop, end) - first))
        offset = end
        if offset >= stop:
            break
    table = pa.Table.from_batches(batches, schema=reader.schema)
    return table.select(columns) if columns else table


def _read_part(file: pq.ParquetFile, columns: list[str] | None, index: int, count: int) -> pa.Table:
    rows = file.metadata.num_rows
    start, stop = rows * index // count, rows * (index + 1) // count
    sizes = [file.metadata.row_group(g).num_rows for g in range(file.metadata.num_row_groups)]
    chosen, first_row, offset = [], None, 0
    for group, size in enumerate(sizes):
        if offset < stop and offset + size > start:
            chosen.append(group)
            first_row = offset if first_row is None else first_row
        offset += size
    if not chosen:
        return file.schema_arrow.empty_table().select(columns) if columns else file.schema_arrow.empty_table()
    table = file.read_row_groups(chosen, columns=columns)
    return table.slice(start - first_row, stop - start)


class VerifiedCopies:
    """Arrow copies whose sha256 was checked, kept a short while for the next parts of the same read.

    A Dask read asks for N parts of one version within seconds; checking the whole file for each of them costs N
    times the file. The bytes kept are the very bytes that were checked, so what leaves is still verified data; a
    copy is read (and checked) again after ``seconds`` or when the manifest's hash differs. At most ``entries``
    copies are held (the newest), so memory stays bounded by a few versions.
    """

    def __init__(self, seconds: float = 120.0, entries: int = 2):
        self.seconds, self.entries = seconds, entries
        self._copies: dict[tuple, tuple[float, bytes]] = {}
        self._locks: dict[tuple, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, store, name: str, entry: dict) -> bytes:
        key = (str(store.root), name, entry["version"], entry["arrow_sha256"])
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:  # two workers asking at once: one check, the other waits for it
            now = time.monotonic()
            with self._lock:
                held = self._copies.get(key)
            if held and now - held[0] < self.seconds:
                return held[1]
            data = store.version_bytes(name, entry, "arrow")  # StoredFileCorrupt on a mismatch
            with self._lock:
                self._copies[key] = (now, data)
                for old in sorted(self._copies, key=lambda k: self._copies[k][0])[: -self.entries]:
                    self._copies.pop(old, None)
                    self._locks.pop(old, None)
            return data


VERIFIED = VerifiedCopies()


def read_from_copy(
    arrow: bytes, columns: list[str] | None, rows: int, part: tuple[int, int] | None, limit: int | None
) -> pa.Table:
    """``part`` (or all rows) of a version from its verified Arrow copy alone; ``limit=0``: its schema."""
    if limit == 0:
        schema = ipc.open_stream(pa.BufferReader(arrow)).schema
        if columns:
            schema = pa.schema([schema.field(name) for name in columns], metadata=schema.metadata)
        return schema.empty_table()
    table = _read_part_arrow(pa.BufferReader(arrow), columns, rows, *(part or (0, 1)))
    return table.slice(0, limit) if limit is not None else table
