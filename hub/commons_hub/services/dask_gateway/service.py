"""The ``dask-gateway`` service process: a supervisor of dask-gateway-server and of the front door (front.py).

As root (isolated), the gateway stays root, because it starts each person's scheduler and workers as their own
account (backend.py); the front door runs as the public account (``commons-public``, which can read only the
published stories): it needs nothing on disk. This process does nothing but start both, wait, and stop both, so
it stays root too: a process that drops its privileges can no longer signal a root child, and Linux does not send
the parent-death signal to children of a process whose credentials changed (measured here: a root child with
PR_SET_PDEATHSIG outlived its parent after the parent's setuid). Each child also stops by itself when this process
dies without stopping it (killed with SIGKILL): it watches its parent (``watch_parent``).

The hub sees one service: when either child ends, the other is stopped and this process exits with its code.
"""

from __future__ import annotations

import os
import pwd
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from commons_kernel import config

CONFIG = Path(__file__).with_name("gateway_config.py")
STOP_SECONDS = 10
SUPERVISOR_PID = "COMMONS_SUPERVISOR_PID"


def watch_parent(interval: float = 1.0) -> None:
    """End this process (SIGTERM, so it cleans up) once its supervisor is gone and it has been handed to another
    parent (even when that happened before this process got this far)."""
    parent = int(os.environ.get(SUPERVISOR_PID, os.getppid()))

    def watch():
        while os.getppid() == parent:
            time.sleep(interval)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


ROLES = ("gateway", "front")


def _command(role: str) -> list[str]:
    return [sys.executable, "-m", "commons_hub.services.dask_gateway.service", role]


def stop(children: list[subprocess.Popen]) -> None:
    for child in children:
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for child in children:
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def supervise(commands: list[list[str]] | None = None) -> int:
    """Start the children (by default the gateway and the front door) and wait; stop both when told to or when
    one ends. Returns 0 when told to stop, else the ended child's exit code."""
    env = {**os.environ, SUPERVISOR_PID: str(os.getpid())}
    commands = commands or [_command(role) for role in ROLES]
    children = [subprocess.Popen(command, env=env) for command in commands]
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    hub = os.getppid()
    while not stopping.is_set() and all(child.poll() is None for child in children):
        stopping.wait(0.5)
        if os.getppid() != hub:  # the hub is gone without stopping us (killed, or it failed to start)
            print("[dask-gateway] the hub is gone; stopping", file=sys.stderr)
            stopping.set()
    ended = [child for child in children if child.poll() is not None]
    if ended and not stopping.is_set():
        command = " ".join(commands[children.index(ended[0])])
        print(f"[dask-gateway] {command} exited ({ended[0].returncode}); stopping", file=sys.stderr)
    stop(children)
    return 0 if stopping.is_set() else (ended[0].returncode or 1)


def run_gateway() -> None:
    watch_parent()
    from dask_gateway_server.app import main as gateway_main

    sys.argv = ["dask-gateway-server", "-f", str(CONFIG)]
    gateway_main()


def drop_privileges() -> None:
    if os.geteuid() != 0:
        return
    from commons_hub import isolation

    isolation.become(pwd.getpwnam(config.setting("public_user")))


def run_front() -> None:
    import asyncio

    from commons_hub.services.dask_gateway.front import make_app
    from commons_hub.services.serve import service_url

    drop_privileges()
    watch_parent()
    address = service_url()
    prefix = os.environ["JUPYTERHUB_SERVICE_PREFIX"]
    upstream = f"http://{config.setting('bind_ip')}:{os.environ['COMMONS_DASK_GATEWAY_PORT']}"

    async def serve():
        app = make_app(prefix, upstream, os.urandom(32))
        app.listen(address.port, address=config.setting("bind_ip"))
        print(f"[dask-gateway] front on {address.url} for {upstream}{prefix}", file=sys.stderr)
        await asyncio.Event().wait()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    asyncio.run(serve())


def main() -> None:
    role = sys.argv[1] if len(sys.argv) > 1 else "supervise"
    if role == "gateway":
        run_gateway()
    elif role == "front":
        run_front()
    else:
        sys.exit(supervise())


if __name__ == "__main__":
    main()
