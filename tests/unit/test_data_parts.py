"""Parts of a dataset version (``part=I/N``, ``limit=K``): the slices Dask workers read, one governed read each."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
import pytest

from commons_hub.services.data_api.parts import parse_limit, parse_part, read_rows
from commons_kernel.exceptions import CommonsError

TABLE = pa.table({"id": list(range(1000)), "name": [f"r{i}" for i in range(1000)]})


@pytest.fixture(params=["with the arrow copy", "parquet only"])
def parquet(tmp_path, request):
    """A version as the store writes it (Parquet plus its Arrow copy, in batches), or a Parquet file alone."""
    path = tmp_path / "v0001.parquet"
    pq.write_table(TABLE, path, row_group_size=100)
    if request.param == "with the arrow copy":
        with pa.OSFile(str(path.with_suffix(".arrow")), "wb") as sink, ipc.new_stream(sink, TABLE.schema) as writer:
            writer.write_table(TABLE, max_chunksize=64)
    return path


@pytest.mark.parametrize("parts", [1, 3, 7, 10, 11, 64, 1000, 1500])
def test_parts_cover_every_row_once_in_order(parquet, parts):
    ids = []
    for index in range(parts):
        ids += read_rows(parquet, None, (index, parts), None)["id"].to_pylist()
    assert ids == list(range(1000))


def test_a_part_is_its_share_of_the_rows_with_the_columns_asked_for(parquet):
    part = read_rows(parquet, ["name"], (2, 10), None)
    assert part.column_names == ["name"] and part["name"].to_pylist() == [f"r{i}" for i in range(200, 300)]
    assert read_rows(parquet, ["id"], (0, 3), None)["id"].to_pylist() == list(range(333))


def test_limit_zero_is_the_schema_only(parquet):
    empty = read_rows(parquet, ["name"], None, 0)
    assert empty.num_rows == 0 and empty.column_names == ["name"] and empty.schema.field("name").type == pa.string()
    assert read_rows(parquet, None, (1, 2), 3)["id"].to_pylist() == [500, 501, 502]


@pytest.mark.parametrize("raw", ["3", "8/8", "9/8", "-1/8", "a/b", "1/0", "1/2/3", " /2"])
def test_a_bad_part_names_the_value_and_the_form(raw):
    with pytest.raises(CommonsError, match=r"part=.*write part=I/N with 0 <= I < N"):
        parse_part(raw)


def test_good_parts_and_limits():
    assert parse_part("3/8") == (3, 8) and parse_part(None) is None and parse_part("") is None
    assert parse_limit("0") == 0 and parse_limit(None) is None
    with pytest.raises(CommonsError, match="limit='-1' is not a number of rows"):
        parse_limit("-1")


class _CountingStore:
    """A test double of the store's checked read: counts how often the whole Arrow copy is read and checked."""

    root = "/nowhere"

    def __init__(self, data: bytes, corrupt: bool = False):
        self.data, self.corrupt, self.reads = data, corrupt, 0

    def version_bytes(self, name, entry, kind="parquet"):
        from commons_hub.store_files import StoredFileCorrupt

        assert kind == "arrow"
        self.reads += 1
        if self.corrupt:
            raise StoredFileCorrupt(f"{name}/v0001.arrow", entry["arrow_sha256"], "0" * 64)
        return self.data


def _arrow_bytes() -> bytes:
    sink = pa.BufferOutputStream()
    with ipc.new_stream(sink, TABLE.schema) as writer:
        writer.write_table(TABLE, max_chunksize=64)
    return sink.getvalue().to_pybytes()


def test_parts_from_the_checked_copy_cover_every_row_and_check_it_once():
    from commons_hub.services.data_api.parts import VerifiedCopies, read_from_copy

    store, copies = _CountingStore(_arrow_bytes()), VerifiedCopies(seconds=60)
    entry = {"version": 1, "arrow_sha256": "a" * 64}
    ids = []
    for index in range(7):
        ids += read_from_copy(copies.get(store, "d", entry), ["id"], 1000, (index, 7), None)["id"].to_pylist()
    assert ids == list(range(1000)) and store.reads == 1
    schema = read_from_copy(copies.get(store, "d", entry), ["name"], 1000, None, 0)
    assert schema.num_rows == 0 and schema.column_names == ["name"]
    copies.get(store, "d", {**entry, "arrow_sha256": "b" * 64})  # another hash in the manifest: checked again
    assert store.reads == 2


def test_a_corrupt_copy_is_never_kept_or_served():
    from commons_hub.services.data_api.parts import VerifiedCopies
    from commons_hub.store_files import StoredFileCorrupt

    store, copies = _CountingStore(b"", corrupt=True), VerifiedCopies()
    for _ in range(2):
        with pytest.raises(StoredFileCorrupt):
            copies.get(store, "d", {"version": 1, "arrow_sha256": "a" * 64})
    assert store.reads == 2
