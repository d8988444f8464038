"""The ``dask-gateway`` service process: dask-gateway-server as a child, and the front door (front.py) in front.

As root (isolated), the child stays root, because it starts each person's scheduler and workers as their own
account (backend.py); this process then drops to the public account (``commons-public``, which can read only the
published stories): the front needs nothing on disk. The child is told to stop when this process ends
(PR_SET_PDEATHSIG), and this process ends when the child does, so the hub sees one service.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import pwd
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

from commons_hub.services.dask_gateway.front import make_app
from commons_kernel import config

CONFIG = Path(__file__).with_name("gateway_config.py")
PR_SET_PDEATHSIG = 1


def _stop_with_parent():
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def start_gateway() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "dask_gateway_server", "-f", str(CONFIG)],
                            preexec_fn=_stop_with_parent)


def drop_privileges() -> None:
    if os.geteuid() != 0:
        return
    from commons_hub import isolation

    account = pwd.getpwnam(config.setting("public_user"))
    isolation.become(account)


async def serve(gateway: subprocess.Popen) -> None:
    service_url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    prefix = os.environ["JUPYTERHUB_SERVICE_PREFIX"]
    upstream = f"http://{config.setting('bind_ip')}:{os.environ['COMMONS_DASK_GATEWAY_PORT']}"
    app = make_app(prefix, upstream, os.urandom(32))
    app.listen(service_url.port, address=config.setting("bind_ip"))
    print(f"[dask-gateway] front on {service_url.geturl()} for {upstream}{prefix}", file=sys.stderr)
    while gateway.poll() is None:
        await asyncio.sleep(1)
    print(f"[dask-gateway] the gateway exited ({gateway.returncode}); stopping", file=sys.stderr)


def main() -> None:
    gateway = start_gateway()
    drop_privileges()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        asyncio.run(serve(gateway))
    finally:
        if gateway.poll() is None:
            try:
                gateway.terminate()
            except PermissionError:   # root's child: it stops by itself (PR_SET_PDEATHSIG)
                pass
    sys.exit(gateway.returncode or 0)


if __name__ == "__main__":
    main()
