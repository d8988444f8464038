"""The analyst's API: find, describe and read governed data through the data-api."""

from __future__ import annotations

import pandas as pd

from commons_kernel.catalog import DatasetMetadata
from commons_kernel.catalog import search as rank_datasets
from commons_kernel.client import DataApiClient
from commons_kernel.frames import table_to_frame

_CLIENT: DataApiClient | None = None


def client() -> DataApiClient:
    global _CLIENT
    if _CLIENT is None:
        _CLIENT = DataApiClient.from_environment()
    return _CLIENT


def reset_client() -> None:
    """Forget the cached client (after changing COMMONS_API_TOKEN or the hub URL)."""
    global _CLIENT
    _CLIENT = None


def _metadata() -> dict[str, DatasetMetadata]:
    return {record["name"]: DatasetMetadata.from_record(record) for record in client().get_json("api/datasets")}


def catalog() -> pd.DataFrame:
    """Every dataset: name, title, tier, licence, geography, period, rows, publisher, attribution."""
    rows = client().get_json("api/datasets")
    columns = [
        "name",
        "title",
        "tier",
        "licence",
        "geography",
        "period",
        "rows",
        "version",
        "publisher",
        "attribution",
        "synthetic",
    ]
    frame = pd.DataFrame([{**r, "geography": (r.get("geography") or {}).get("vintage", "")} for r in rows])
    return frame[columns] if not frame.empty else pd.DataFrame(columns=columns)


def search(text: str, limit: int = 10) -> pd.DataFrame:
    """Datasets matching ``text`` in titles, descriptions, tags and column descriptions, best first."""
    metadata = _metadata()
    ranked = rank_datasets(text, metadata, limit=limit)
    return pd.DataFrame(
        [
            {
                "name": n,
                "score": s,
                "title": metadata[n].title,
                "tier": metadata[n].tier,
                "licence": metadata[n].licence,
            }
            for n, s in ranked
        ],
        columns=["name", "score", "title", "tier", "licence"],
    )


def describe(name: str) -> dict:
    """Metadata, versions and whether you may read it (and why, and how to get access)."""
    return client().get_json(f"api/datasets/{name}")


def read(
    name: str,
    project: str | None = None,
    columns: list[str] | None = None,
    version: int | None = None,
    where: dict | None = None,
    purpose: str | None = None,
):
    """A dataset as a pandas DataFrame (GeoDataFrame for boundaries and points), read through the data-api.

    ``project``: the approved project you read restricted data for. ``where``: {area_code_column: [codes]}
    filters on the dataset's area codes at the server. ``frame.attrs`` carries name, version, licence and
    attribution: keep them with anything you publish.
    """
    areas = None
    if where:
        if len(where) != 1:
            raise ValueError("where= takes one area-code column, e.g. where={'lsoa11_code': ['E01006512']}")
        ((_, codes),) = where.items()
        areas = [codes] if isinstance(codes, str) else list(codes)
    table, info = client().read_table(
        name, project=project, purpose=purpose, columns=columns, version=version, areas=areas
    )
    frame = table_to_frame(table)
    # licence, attribution, title, tier and version come with the data (read_headers): no second request.
    frame.attrs.update(
        name=name,
        version=info["version"],
        licence=info.get("licence"),
        attribution=info.get("attribution"),
        title=info.get("title"),
        tier=info.get("tier"),
        synthetic=info.get("synthetic", False),
    )
    return frame


def projects() -> pd.DataFrame:
    rows = client().get_json("api/projects")
    return pd.DataFrame(rows)


def whoami() -> dict:
    return client().get_json("api/whoami")


def hello() -> str:
    """One line for the kernel banner: who you are and your projects."""
    me = whoami()
    projects_text = ", ".join(me["projects"]) or "none yet (see ck.projects())"
    return (
        f"LCR Data Commons: signed in as {me['name']} ({', '.join(me['groups']) or 'no groups'}); "
        f"projects: {projects_text}. Try ck.catalog(), ck.search('deprivation'), ck.read('imd2019_lsoa11')."
    )
