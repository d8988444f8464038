"""How a hub-managed service starts: the one copy of what the data-api, the register and the Dask Gateway's front
door each did for themselves.

The hub gives a managed service its address in ``JUPYTERHUB_SERVICE_URL`` (as in jupyterhub's
examples/service-whoami). ``service_url`` reads it and refuses one without a port: tornado would otherwise listen
on a random free port that the hub's proxy never routes to. ``serve_tornado`` binds that host (127.0.0.1) and port,
stops cleanly on SIGTERM or SIGINT (the hub stops its services with SIGTERM), and logs both.
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import urlparse

from tornado import httpserver, ioloop, web

from commons_kernel.exceptions import ConfigurationError


class ServiceAddress(NamedTuple):
    url: str
    host: str
    port: int


def service_url(default: str = "") -> ServiceAddress:
    """The service's own address from the hub, ``default`` when run by hand; ConfigurationError without a port."""
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", default))
    if url.port is None:
        example = f":{urlparse(default).port}" if default else ":10101"
        raise ConfigurationError(f"JUPYTERHUB_SERVICE_URL {url.geturl()} has no port; give one, e.g. {example}.")
    return ServiceAddress(url.geturl(), url.hostname or "127.0.0.1", url.port)


def serve_tornado(name: str, make_app: Callable[[], web.Application], default_url: str) -> None:
    """Run the tornado app ``make_app()`` builds on the service URL until SIGTERM or SIGINT. The address is checked
    before the app is built, so a wrong setting fails at once with its name."""
    logging.basicConfig(level=logging.INFO, format=f"[{name} %(asctime)s %(levelname)s] %(message)s")
    address = service_url(default_url)
    server = httpserver.HTTPServer(make_app(), xheaders=True)
    server.listen(address.port, address.host)
    logging.info("%s listening on %s:%s", name, address.host, address.port)
    loop = ioloop.IOLoop.current()
    signal.signal(signal.SIGTERM, lambda *_: loop.add_callback_from_signal(loop.stop))
    signal.signal(signal.SIGINT, lambda *_: loop.add_callback_from_signal(loop.stop))
    loop.start()
    logging.info("%s stopped", name)
