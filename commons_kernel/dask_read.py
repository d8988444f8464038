"""``ck.read_dask``: a governed dataset as a Dask DataFrame whose partitions the workers read through the data-api.

Each partition is one read of ``part=I/N`` of one version, made on a worker with the analyst's own token (it
travels in the task graph; workers hold no store credentials and cannot open the store's files). The data-api
decides and audits each part under the analyst's name, project and purpose exactly as ``ck.read``; a refused
part fails the computation with the same ``AccessDenied``. Before building the graph the kernel reads the columns
and types (``limit=0``, no rows; itself decided and audited), so a refusal shows at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from commons_kernel import config
from commons_kernel.client import DataApiClient
from commons_kernel.frames import table_to_frame


@dataclass(frozen=True)
class PartReader:
    """Reads part ``index`` of ``parts`` on a worker. Picklable: the graph carries it (with the token)."""

    url: str
    token: str
    timeout: float
    name: str
    version: int
    parts: int
    project: str | None = None
    purpose: str | None = None
    columns: tuple[str, ...] | None = None
    attrs: tuple[tuple[str, object], ...] = ()  # name, version, licence, attribution: on every partition

    def __call__(self, index: int):
        client = DataApiClient(self.url, self.token, self.timeout)
        table, _ = client.read_table(
            self.name,
            project=self.project,
            purpose=self.purpose,
            version=self.version,
            columns=list(self.columns) if self.columns else None,
            part=f"{index}/{self.parts}",
        )
        frame = table_to_frame(table)
        frame.attrs.update(dict(self.attrs), part=f"{index}/{self.parts}")
        return frame

    def __repr__(self):  # never the token, in a dashboard, a log or a traceback
        return f"PartReader({self.name!r} v{self.version}, {self.parts} parts)"


def read_dask(
    name: str,
    project: str | None = None,
    purpose: str | None = None,
    columns: list[str] | None = None,
    version: int | None = None,
    partitions: int | None = None,
):
    """A dataset as a Dask DataFrame read through the data-api by the workers of your cluster.

    Start a cluster first (``cluster = ck.dask_cluster(workers=2)``; ``client = cluster.get_client()``), then
    ``df = ck.read_dask('synthetic_referrals', project='early-help-demand', purpose='...')`` and compute as usual.
    ``partitions``: how many parts (default: one per ``dask_partition_rows`` rows, one Parquet row group). All
    parts come from one version (the latest unless ``version=``). Every part is a governed read of its own.
    Each partition's ``attrs`` carry name, version, licence and attribution, as ``ck.read``'s frame does.
    """
    import dask.dataframe as dd

    from commons_kernel.api import client as api_client

    if partitions is not None and partitions < 1:
        raise ValueError(f"partitions={partitions!r}: a dataset is read in 1 or more parts.")
    client = api_client()
    # The columns and types, and the decision, before any work is sent to the workers.
    empty, info = client.read_table(name, project=project, purpose=purpose, columns=columns, version=version, limit=0)
    chosen = info["version"]
    described = client.get_json(f"api/datasets/{name}")
    rows = next(v["rows"] for v in described["versions"] if v["version"] == chosen)
    parts = partitions or max(1, math.ceil(rows / int(config.setting("dask_partition_rows"))))
    attrs = {
        "name": name,
        "version": chosen,
        **{key: described.get(key) for key in ("licence", "attribution", "title", "tier", "synthetic")},
    }
    reader = PartReader(
        client.url,
        client.token,
        client.timeout,
        name,
        chosen,
        parts,
        project,
        purpose,
        tuple(columns) if columns else None,
        tuple(attrs.items()),
    )
    meta = table_to_frame(empty)
    meta.attrs.update(attrs)
    return dd.from_map(reader, range(parts), meta=meta, label=f"read-{name}", enforce_metadata=False)
