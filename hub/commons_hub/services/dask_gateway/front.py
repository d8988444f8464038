"""The gateway's front door on the hub: dashboards behind login, each only to its cluster's owner.

dask-gateway's own proxy serves every dashboard to whoever has its URL (dask/dask-gateway#570). So that proxy
listens on loopback only, and the hub routes ``/services/dask-gateway/`` here instead:

- ``clusters/NAME/...`` (dashboard pages and their websockets): the person must be logged in to the hub (OAuth, as
  the data-api's pages) and the gateway must say the cluster is theirs, asked with their own token; then the
  request is relayed to the gateway's proxy. Anyone else gets 403, logged out people the login page.
- ``api/...``: relayed as is; the gateway checks the token itself (scripts outside the machine use this).
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, TypeAlias

from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
from jupyterhub.utils import url_path_join
from tornado import httpclient, web, websocket

HOP_HEADERS = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "content-length",
    "host",
    "content-encoding",
}
OWNER_CACHE_SECONDS = 30


# For the type checker the mixin is a RequestHandler (it reads its settings and request); at run time it stays a
# plain mixin placed before RequestHandler or WebSocketHandler.
if TYPE_CHECKING:
    _MixinBase: TypeAlias = web.RequestHandler
else:
    _MixinBase = object


class _Relay(_MixinBase):
    @property
    def upstream(self) -> str:  # the gateway's own proxy, e.g. http://127.0.0.1:PORT
        return self.settings["upstream"]

    def upstream_url(self) -> str:
        return self.upstream + self.request.uri


class ApiRelay(_Relay, web.RequestHandler):
    """The gateway's API: it authenticates every request itself."""

    def check_xsrf_cookie(self):  # token-authenticated API, checked by the gateway; no cookies are accepted there
        return None

    async def _relay(self):
        body = self.request.body if self.request.method in ("POST", "PUT", "PATCH") else None
        headers = {k: v for k, v in self.request.headers.get_all() if k.lower() not in HOP_HEADERS | {"cookie"}}
        request = httpclient.HTTPRequest(
            self.upstream_url(),
            method=self.request.method,
            headers=headers,
            body=body,
            follow_redirects=False,
            request_timeout=120,
            allow_nonstandard_methods=True,
        )
        response = await httpclient.AsyncHTTPClient().fetch(request, raise_error=False)
        self.set_status(response.code, response.reason)
        for name, value in response.headers.get_all():
            if name.lower() not in HOP_HEADERS | {"set-cookie"}:
                self.add_header(name, value)
        if response.body:
            self.write(response.body)

    get = post = delete = put = patch = _relay


class _Owner(HubOAuthenticated):
    """Logged in, and the cluster is theirs (the gateway says so, asked with their own OAuth token)."""

    async def check_owner(self, cluster: str) -> None:
        user = self.current_user
        if not user:
            raise web.HTTPError(403, "log in to the hub first")
        key = (user["name"], cluster)
        cache = self.settings["owners"]
        if cache.get(key, 0) > time.monotonic():
            return
        token = self.hub_auth.get_token(self)
        url = f"{self.upstream}{self.settings['prefix']}/api/v1/clusters/{cluster}"
        response = await httpclient.AsyncHTTPClient().fetch(
            url, headers={"Authorization": f"jupyterhub {token}"}, raise_error=False, request_timeout=30
        )
        if response.code != 200 or json.loads(response.body).get("name") != cluster:
            raise web.HTTPError(403, f"cluster {cluster} is not yours (or has stopped)")
        cache[key] = time.monotonic() + OWNER_CACHE_SECONDS


class DashboardRelay(_Owner, _Relay, web.RequestHandler):
    @web.authenticated
    async def get(self, cluster, rest):
        if self.request.headers.get("Upgrade", "").lower() == "websocket":
            raise web.HTTPError(400, "websocket upgrade on a plain route")
        await self.check_owner(cluster)
        headers = {
            k: v
            for k, v in self.request.headers.get_all()
            if k.lower() not in HOP_HEADERS | {"cookie", "authorization"}
        }
        response = await httpclient.AsyncHTTPClient().fetch(
            httpclient.HTTPRequest(self.upstream_url(), headers=headers, follow_redirects=False, request_timeout=60),
            raise_error=False,
        )
        self.set_status(response.code, response.reason)
        for name, value in response.headers.get_all():
            if name.lower() not in HOP_HEADERS | {"set-cookie"}:
                self.add_header(name, value)
        if response.body:
            self.write(response.body)


class DashboardSocket(_Owner, _Relay, websocket.WebSocketHandler):
    """The dashboards' live updates (Bokeh's websocket), relayed both ways after the same checks."""

    upstream_socket = None

    async def get(self, cluster, rest):
        if not self.current_user:
            raise web.HTTPError(403, "log in to the hub first")
        await self.check_owner(cluster)
        target = "ws" + self.upstream_url()[len("http") :]
        self.upstream_socket = await websocket.websocket_connect(target, on_message_callback=self._from_upstream)
        await super().get(cluster, rest)

    def check_origin(self, origin):  # the hub's own pages only: same host as the request
        from urllib.parse import urlparse

        return urlparse(origin).netloc == self.request.host

    def _from_upstream(self, message):
        if message is None:
            self.close()
        elif self.ws_connection is not None:
            self.write_message(message, binary=isinstance(message, bytes))

    def on_message(self, message):
        if self.upstream_socket is not None:
            self.upstream_socket.write_message(message, binary=isinstance(message, bytes))

    def on_close(self):
        if self.upstream_socket is not None:
            self.upstream_socket.close()


def make_app(prefix: str, upstream: str, cookie_secret: bytes) -> web.Application:
    base = prefix.rstrip("/") + "/"
    handlers = [
        (url_path_join(base, "oauth_callback"), HubOAuthCallbackHandler),
        (url_path_join(base, r"api/(.*)"), ApiRelay),
        (url_path_join(base, r"clusters/([^/]+)/(.*/ws)"), DashboardSocket),
        (url_path_join(base, r"clusters/([^/]+)/(.*)"), DashboardRelay),
    ]
    return web.Application(
        handlers, upstream=upstream, prefix=prefix.rstrip("/"), owners={}, cookie_secret=cookie_secret
    )
