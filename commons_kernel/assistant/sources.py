"""Where the assistant learns what the catalogue holds: a pluggable ``MetadataSource``.

A source returns metadata only (dataset descriptions and project records), never rows, so the assistant cannot
leak data whatever it is asked. Two sources ship: the catalogue files in the kernel's checkout, and the data-api
(which also knows the cooperative's projects).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol, runtime_checkable

from commons_kernel import config
from commons_kernel.exceptions import DataApiUnavailable, NotAuthenticated

TOKEN_VARIABLES = ("JUPYTERHUB_API_TOKEN", "COMMONS_API_TOKEN")


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
    """Dataset metadata and projects from the data-api: ``GET api/datasets`` and ``GET api/projects``."""

    def __init__(self, url: str | None = None, token: str | None = None, session=None, timeout: float | None = None):
        self.url = url or config.data_api_url()
        if not self.url.endswith("/"):
            self.url += "/"
        self.token = token if token is not None else api_token()
        self.timeout = timeout if timeout is not None else config.setting("request_timeout")
        if session is None:
            import requests

            session = requests.Session()
        self.session = session

    def datasets(self) -> list[dict]:
        return _records(self._get("api/datasets"), "datasets", self.url)

    def projects(self) -> list[dict]:
        return _records(self._get("api/projects"), "projects", self.url)

    def _get(self, path: str):
        import requests

        if not self.token:
            raise NotAuthenticated(
                "No API token for the data-api: inside the hub JUPYTERHUB_API_TOKEN is set for you; outside it, "
                "set COMMONS_API_TOKEN (`commons token USER`)."
            )
        url = self.url + path
        try:
            response = self.session.get(url, headers={"Authorization": f"token {self.token}"}, timeout=self.timeout)
        except requests.RequestException as exc:
            raise DataApiUnavailable(self.url, f"{type(exc).__name__}: {exc}") from exc
        if response.status_code in (401, 403):
            raise NotAuthenticated(
                f"The data-api refused the token ({response.status_code} on {url}). Get a fresh one with "
                "`commons token USER` and set COMMONS_API_TOKEN, or restart your server from the hub."
            )
        if response.status_code != 200:
            raise DataApiUnavailable(self.url, f"HTTP {response.status_code} on {path}")
        return response.json()


def api_token() -> str:
    """The caller's token: the hub's JUPYTERHUB_API_TOKEN inside a user server, else COMMONS_API_TOKEN."""
    for variable in TOKEN_VARIABLES:
        if os.environ.get(variable):
            return os.environ[variable]
    return ""


def default_source() -> MetadataSource:
    """The data-api when this process has a token (it knows projects too), else the catalogue files."""
    return DataApiMetadataSource() if api_token() else CatalogMetadataSource()


def _records(payload, key: str, url: str) -> list[dict]:
    """Accept a bare list or an object wrapping it (``{"datasets": [...]}``)."""
    if isinstance(payload, dict):
        payload = payload.get(key, [])
    if not isinstance(payload, list) or not all(isinstance(item, dict) for item in payload):
        raise DataApiUnavailable(url, f"api/{key} did not return a list of records")
    return payload
