"""Start the data-api as a JupyterHub-managed service: `python -m commons_hub.services.data_api.app`.

Reads JUPYTERHUB_SERVICE_PREFIX and JUPYTERHUB_SERVICE_URL (set by the hub) like jupyterhub's
examples/service-whoami; binds the service URL's host (127.0.0.1) and port.
"""

from __future__ import annotations

import os

from jupyterhub.services.auth import HubOAuthCallbackHandler
from jupyterhub.utils import url_path_join
from tornado import web

from commons_hub.services.data_api.routes import all_routes
from commons_hub.services.data_api.state import ServiceState
from commons_hub.services.serve import serve_tornado


def make_app(state: ServiceState | None = None, prefix: str | None = None) -> web.Application:
    prefix = prefix or os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/data-api/")
    handlers = [(url_path_join(prefix, pattern) + "/?", handler) for pattern, handler in all_routes()]
    handlers.append((url_path_join(prefix, "oauth_callback"), HubOAuthCallbackHandler))
    return web.Application(
        handlers,
        commons=state or ServiceState(),
        cookie_secret=os.urandom(32),
        xsrf_cookies=True,
        template_path=os.path.join(os.path.dirname(__file__), "templates"),
    )


def main() -> None:
    serve_tornado("data-api", lambda: make_app(), "http://127.0.0.1:10101")


if __name__ == "__main__":
    main()
