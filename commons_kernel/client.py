"""The one HTTP client of the data-api: the kernel (``ck.*``), the Intake reader, Dask's workers, the stories and
their refresher, the assistant and the ``commons`` commands that act as a member all ask through ``DataApiClient``.

Identity comes from the hub's environment (JUPYTERHUB_API_TOKEN) or COMMONS_API_TOKEN (``environment_token``). A
refusal comes back as the exception the data-api raised, by its code in the one table (``for_code`` in
commons_kernel.exceptions). Never falls back to reading files: if the data-api cannot be reached,
DataApiUnavailable says how to check.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
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

FRESH_TOKEN = (
    "Get a fresh one with `commons token USER` and set COMMONS_API_TOKEN, or restart your server from the hub."
)


def environment_token() -> str:
    """The caller's token: the hub's JUPYTERHUB_API_TOKEN inside a user server or service, else COMMONS_API_TOKEN;
    "" when there is none."""
    return os.environ.get("JUPYTERHUB_API_TOKEN") or config.setting("api_token") or ""


def _token() -> str:
    token = environment_token()
    if not token:
        raise NotAuthenticated(
            "No API token. Inside the commons (JupyterLab, the refresher) the hub sets JUPYTERHUB_API_TOKEN; in a "
            "script set COMMONS_API_TOKEN (an operator makes one with `commons token USERNAME`)."
        )
    return token


@dataclass
class DataApiClient:
    """``url`` ends with the data-api's prefix (``.../services/data-api/``); ``http``: a requests session to use
    (default: one of its own that never goes through a proxy from the environment)."""

    url: str
    token: str = field(repr=False)  # never in a log, a traceback or a Dask dashboard
    timeout: float = 120.0
    http: requests.Session | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.url.endswith("/"):
            self.url += "/"

    @classmethod
    def from_environment(cls) -> DataApiClient:
        return cls(config.data_api_url(), _token(), float(config.setting("request_timeout")))

    @classmethod
    def for_hub(cls, hub_url: str, token: str) -> DataApiClient:
        """The data-api of the hub at ``hub_url``, asked with ``token`` (the stories identity, a service's)."""
        return cls(hub_url.rstrip("/") + "/services/data-api/", token, float(config.setting("request_timeout")))

    def send(self, method: str, path: str, *, headers: dict | None = None, **options) -> requests.Response:
        """One request to ``path`` as the token's owner, within the client's timeout. No status check, and requests'
        own exceptions pass through: for a caller that reads the raw answer (an upload, which must tell a dropped
        connection or a proxy's 413 from the data-api's refusal); the rest use get_json, post_json, get_bytes and
        read_table, which turn failures into commons errors."""
        return self.session.request(
            method,
            self.url + path,
            timeout=self.timeout,
            headers={"Authorization": f"token {self.token}", **(headers or {})},
            **options,
        )

    def _checked(self, method: str, path: str, **options) -> requests.Response:
        try:
            response = self.send(method, path, **options)
        except requests.RequestException as exc:
            raise DataApiUnavailable(self.url, type(exc).__name__) from None
        if response.status_code >= 400:
            raise self.error(response)
        return response

    def _get(self, path: str, params: dict | None = None, headers: dict | None = None, stream: bool = False):
        return self._checked("GET", path, params=params, headers=headers, stream=stream)

    @property
    def session(self) -> requests.Session:
        if self.http is None:
            self.http = requests.Session()
            self.http.trust_env = False  # loopback: never through an HTTP proxy from the environment
        return self.http

    def error(self, response) -> CommonsError:
        """The commons exception a refused answer stands for, by its code in the one table (``for_code``)."""
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
            return NotAuthenticated(f"The data-api did not accept the token: {reason} {FRESH_TOKEN}")
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
            return NotAuthenticated(
                f"The data-api refused the token (HTTP 403 on {getattr(response, 'url', None) or self.url}): "
                f"{reason or code or 'no reason given'}. {FRESH_TOKEN}"
            )
        if code == DatasetNotFound.code:
            name = reason.split("'")[1] if "'" in reason else "?"
            return DatasetNotFound(name, body.get("close") or [])
        if code == ValidationFailed.code:
            return ValidationFailed(reason, report=body.get("report"))
        if response.status_code in (502, 503, 504) or (response.status_code >= 500 and not reason):
            # a proxy's answer, or a server error that says nothing (the data-api's own 500 names an error id)
            return DataApiUnavailable(self.url, f"HTTP {response.status_code}")
        error = kind(f"data-api: {reason} (HTTP {response.status_code})")
        error.payload = body  # type: ignore[attr-defined]  # the whole answer, for callers reading more (releases)
        return error

    def get_json(self, path: str, **params):
        return self._get(path, params={k: v for k, v in params.items() if v is not None}).json()

    def get_bytes(self, path: str) -> bytes:
        """The body of ``GET path`` as it came (a release's file, for the caller to check its sha256)."""
        return self._get(path).content

    def records(self, path: str, key: str) -> list[dict]:
        """``GET path`` as a list of records, bare or wrapped (``{key: [...]}``); DataApiUnavailable for anything
        else, so a caller never takes a broken answer for an empty catalogue."""
        payload = self.get_json(path)
        if isinstance(payload, dict):
            payload = payload.get(key, [])
        if not isinstance(payload, list) or not all(isinstance(item, dict) for item in payload):
            raise DataApiUnavailable(self.url, f"{path} did not return a list of records")
        return payload

    def answers(self, timeout: float = 3.0) -> bool:
        """Whether the data-api answers its health check (``GET api/health``, no token needed): for waiting on it."""
        try:
            return self.session.get(self.url + "api/health", timeout=timeout).status_code == 200
        except requests.RequestException:
            return False

    def post_json(self, path: str, payload: dict):
        return self._checked("POST", path, json=payload).json()

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
