"""The HTTP client of the data-api. Identity comes from the hub's environment or COMMONS_API_TOKEN.

Never falls back to reading files: if the data-api cannot be reached, DataApiUnavailable says how to check.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import quote

import pyarrow as pa
import requests

from commons_kernel import config, output_formats, read_headers
from commons_kernel.exceptions import (
    AccessDenied,
    CommonsError,
    DataApiUnavailable,
    DatasetNotFound,
    NotAuthenticated,
    ValidationFailed,
    for_code,
)


def _token() -> str:
    token = os.environ.get("JUPYTERHUB_API_TOKEN") or config.setting("api_token")
    if not token:
        raise NotAuthenticated(
            "No API token. Inside the commons (JupyterLab, the refresher) the hub sets JUPYTERHUB_API_TOKEN; in a "
            "script set COMMONS_API_TOKEN (an operator makes one with `commons token USERNAME`)."
        )
    return token


@dataclass
class DataApiClient:
    url: str
    token: str
    timeout: float = 120.0

    @classmethod
    def from_environment(cls) -> DataApiClient:
        return cls(config.data_api_url(), _token(), float(config.setting("request_timeout")))

    def _get(self, path: str, params: dict | None = None, headers: dict | None = None, stream: bool = False):
        target = self.url + path
        try:
            response = self.session.get(
                target,
                params=params,
                stream=stream,
                timeout=self.timeout,
                headers={"Authorization": f"token {self.token}", **(headers or {})},
            )
        except requests.RequestException as exc:
            raise DataApiUnavailable(self.url, type(exc).__name__) from None
        if response.status_code >= 400:
            raise self._error(response)
        return response

    @property
    def session(self) -> requests.Session:
        if not hasattr(self, "_session"):
            self._session = requests.Session()
            self._session.trust_env = False  # loopback: never through an HTTP proxy from the environment
        return self._session

    def _error(self, response) -> CommonsError:
        try:
            body = response.json()
        except ValueError:
            body = {"error": "http-error", "reason": response.text[:300]}
        reason, code = body.get("reason", ""), body.get("error", "")
        kind = for_code(code)
        if kind.__module__ != CommonsError.__module__ or kind.__init__ is not CommonsError.__init__:
            kind = CommonsError  # a hub-only code, or one with fields the answer does not carry: the plain root
        # Back to the exception the data-api raised, by its code in the one table (commons_kernel.exceptions).
        if response.status_code == 401:
            return NotAuthenticated(f"The data-api did not accept the token: {reason}")
        if code == AccessDenied.code:
            return AccessDenied(
                body.get("dataset", "?"),
                reason,
                body.get("how_to_get_access", ""),
                why=body.get("why", ""),
                advice_code=body.get("advice", ""),
                projects=body.get("projects_listing"),
                your_projects=body.get("your_projects"),
            )
        if response.status_code == 403 and kind is CommonsError:  # missing-scope, not-permitted, ...
            return NotAuthenticated(reason)
        if code == DatasetNotFound.code:
            name = reason.split("'")[1] if "'" in reason else "?"
            return DatasetNotFound(name, body.get("close") or [])
        if code == ValidationFailed.code:
            return ValidationFailed(reason, report=body.get("report"))
        if response.status_code in (502, 503, 504):
            return DataApiUnavailable(self.url, f"HTTP {response.status_code}")
        error = kind(f"data-api: {reason} (HTTP {response.status_code})")
        error.payload = body
        return error

    def get_json(self, path: str, **params):
        return self._get(path, params={k: v for k, v in params.items() if v is not None}).json()

    def post_json(self, path: str, payload: dict):
        try:
            response = self.session.post(
                self.url + path, json=payload, timeout=self.timeout, headers={"Authorization": f"token {self.token}"}
            )
        except requests.RequestException as exc:
            raise DataApiUnavailable(self.url, type(exc).__name__) from None
        if response.status_code >= 400:
            raise self._error(response)
        return response.json()

    def read_table(
        self,
        name: str,
        *,
        project: str | None = None,
        purpose: str | None = None,
        columns: list[str] | None = None,
        version: int | None = None,
        areas: list[str] | None = None,
        part: str | None = None,
        limit: int | None = None,
    ) -> tuple[pa.Table, dict]:
        params = {
            "format": output_formats.DEFAULT,
            "version": version,
            "columns": ",".join(columns) if columns else None,
            "areas": ",".join(areas) if areas else None,
            "part": part,
            "limit": limit,
        }
        headers = {}
        if project:
            headers["X-Commons-Project"] = project
        if purpose:
            headers["X-Commons-Purpose"] = purpose
        response = self._get(
            f"api/datasets/{quote(name)}/data",
            params={k: v for k, v in params.items() if v is not None},
            headers=headers,
            stream=True,
        )
        # Read the body in one go into one buffer (requests' .content copies it in 10 kB pieces), then let
        # Arrow read the IPC stream from it without another copy.
        body = response.raw.read(decode_content=True)
        table = output_formats.get(output_formats.DEFAULT).to_table(body)  # commons_kernel/output_formats.py
        return table, {
            "version": int(response.headers.get("X-Commons-Version", 0)),
            **read_headers.decode(response.headers),
        }
