"""Where the assistant learns what the catalogue holds: a pluggable ``MetadataSource``.

A source returns metadata only (dataset descriptions and project records), never rows, so the assistant cannot
leak data whatever it is asked. Two sources ship: the catalogue files in the kernel's checkout, and the data-api
(which also knows the cooperative's projects).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

from commons_kernel import config
from commons_kernel.client import DataApiClient, environment_token
from commons_kernel.exceptions import NotAuthenticated


@runtime_checkable
class MetadataSource(Protocol):
    """Anything that can list dataset metadata (contract: catalog/datasets/<name>.yaml) and projects."""

    def datasets(self) -> list[dict]: ...

    def projects(self) -> list[dict]: ...


class CatalogMetadataSource:
    """Dataset metadata from ``catalog/datasets/*.yaml`` through ``commons_kernel.catalog.load_metadata``.

    The catalogue files do not hold projects (they live in the governance database behind the data-api), so
    ``projects`` is empty unless the caller passes the records it has.
    """

    def __init__(self, catalog_dir: Path | str | None = None, projects: list[dict] | None = None):
        self.catalog_dir = catalog_dir
        self._projects = list(projects or [])

    def datasets(self) -> list[dict]:
        from commons_kernel.catalog import load_metadata

        return [meta.to_dict() for meta in load_metadata(self.catalog_dir).values()]

    def projects(self) -> list[dict]:
        return list(self._projects)


class DataApiMetadataSource:
    """Dataset metadata and projects from the data-api: ``GET api/datasets`` and ``GET api/projects``, asked
    through ``DataApiClient`` (the one client: its token, timeout and error mapping)."""

    def __init__(self, url: str | None = None, token: str | None = None, session=None, timeout: float | None = None):
        self.client = DataApiClient(
            url or config.data_api_url(),
            token if token is not None else api_token(),
            float(timeout if timeout is not None else config.setting("request_timeout")),
            http=session,
        )

    @property
    def url(self) -> str:
        return self.client.url

    @property
    def token(self) -> str:
        return self.client.token

    def datasets(self) -> list[dict]:
        return self._records("api/datasets", "datasets")

    def projects(self) -> list[dict]:
        return self._records("api/projects", "projects")

    def _records(self, path: str, key: str) -> list[dict]:
        if not self.client.token:
            raise NotAuthenticated(
                "No API token for the data-api: inside the hub JUPYTERHUB_API_TOKEN is set for you; outside it, "
                "set COMMONS_API_TOKEN (`commons token USER`)."
            )
        return self.client.records(path, key)


def api_token() -> str:
    """The caller's token: the hub's JUPYTERHUB_API_TOKEN inside a user server, else COMMONS_API_TOKEN."""
    return environment_token()


def default_source() -> MetadataSource:
    """The data-api when this process has a token (it knows projects too), else the catalogue files."""
    return DataApiMetadataSource() if api_token() else CatalogMetadataSource()
