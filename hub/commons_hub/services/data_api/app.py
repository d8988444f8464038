"""Start the data-api as a JupyterHub-managed service: `python -m commons_hub.services.data_api.app`.

Reads JUPYTERHUB_SERVICE_PREFIX and JUPYTERHUB_SERVICE_URL (set by the hub) like jupyterhub's
examples/service-whoami; binds the service URL's host (127.0.0.1) and port.
"""

from __future__ import annotations

import logging
import os
import signal
from urllib.parse import urlparse

from jupyterhub.services.auth import HubOAuthCallbackHandler
from jupyterhub.utils import url_path_join
from tornado import httpserver, ioloop, web

from commons_hub.services.data_api.routes import all_routes
from commons_hub.services.data_api.state import ServiceState
from commons_kernel.exceptions import ConfigurationError


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
    logging.basicConfig(level=logging.INFO, format="[data-api %(asctime)s %(levelname)s] %(message)s")
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10101"))
    if url.port is None:  # tornado would listen on a random port the hub does not know
        raise ConfigurationError(f"JUPYTERHUB_SERVICE_URL {url.geturl()} has no port; give one, e.g. :10101.")
    app = make_app()
    server = httpserver.HTTPServer(app, xheaders=True)
    server.listen(url.port, url.hostname or "127.0.0.1")
    logging.info("data-api listening on %s:%s", url.hostname, url.port)
    loop = ioloop.IOLoop.current()
    signal.signal(signal.SIGTERM, lambda *_: loop.add_callback_from_signal(loop.stop))
    signal.signal(signal.SIGINT, lambda *_: loop.add_callback_from_signal(loop.stop))
    loop.start()
    logging.info("data-api stopped")


if __name__ == "__main__":
    main()
