"""Start the public stories service: `python -m commons_hub.services.stories.app`.

One process: Voilà 0.5 (story apps from the published snapshots, preheated kernels, capped and culled kernels, a
per-client rate of new sessions, a cell timeout) with the gallery and the static pages added to its tornado
application. The service is public (no HubAuth), so:
nothing from the hub's environment that could authenticate reaches it or its kernels, and it serves only
published snapshots. On SIGTERM it stops within a few seconds (kernels are killed, not asked).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from urllib.parse import urlparse

from traitlets.config import Config

from commons_hub.publishing import snapshot
from commons_hub.services.stories.kernels import CappedKernelManager, cell_timeout
from commons_hub.services.stories.voila_app import CommonsVoila
from commons_kernel.config import setting

SECRET_ENV_PREFIXES = ("JUPYTERHUB_API_TOKEN", "JPY_API_TOKEN", "COMMONS_API_TOKEN", "JUPYTERHUB_OAUTH")
PREFIX = "/services/stories/"
STOP_DEADLINE_SECONDS = 8
CELL_TIMEOUT_SECONDS = 60


def scrub_environment(environ=os.environ) -> list[str]:
    """Remove every token the hub gave this process, so Voilà's kernels (which copy it) hold none."""
    removed = [key for key in list(environ) if key.startswith(SECRET_ENV_PREFIXES) or key == "JUPYTERHUB_API_URL"]
    for key in removed:
        environ.pop(key, None)
    return removed


def voila_config(root: str, port: int, ip: str, prefix: str = PREFIX) -> Config:
    """Voilà's settings for the public service (docs/operators/stories.md explains each)."""
    c = Config()
    c.Voila.root_dir = root
    c.Voila.open_browser = False
    c.Voila.port = port
    c.Voila.port_retries = 0
    c.Voila.ip = ip
    c.Voila.base_url = prefix
    c.VoilaConfiguration.extension_allowlist = [
        "@jupyter-widgets/jupyterlab-manager",
        "@voila-dashboards/widgets-manager8",
        "jupyterlab-plotly",
    ]
    c.VoilaConfiguration.preheat_kernel = True
    c.VoilaConfiguration.default_pool_size = 1
    c.VoilaConfiguration.show_tracebacks = False
    c.VoilaConfiguration.file_allowlist = []  # the gallery serves pages and pictures, Voilà no files
    c.VoilaExecutor.timeout = CELL_TIMEOUT_SECONDS  # seconds a cell of a story app may run,
    c.VoilaExecutor.timeout_func = cell_timeout(CELL_TIMEOUT_SECONDS)  # but not the wait for a visitor (kernels.py)
    c.VoilaExecutor.interrupt_on_timeout = True
    # Bounded: every kernel start is counted against the caps (kernels.py), and a visitor's kernel idle for
    # stories_kernel_idle_seconds is stopped, even with its tab open; the preheated ones are kept.
    c.VoilaConfiguration.multi_kernel_manager_class = CappedKernelManager
    c.MappingKernelManager.cull_idle_timeout = setting("stories_kernel_idle_seconds")
    c.MappingKernelManager.cull_interval = setting("stories_cull_interval_seconds")
    c.MappingKernelManager.cull_connected = True
    c.KernelManager.shutdown_wait_time = 1
    return c


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="[stories %(asctime)s %(levelname)s] %(message)s")
    removed = scrub_environment()
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10102"))
    root = snapshot.published_dir()
    root.mkdir(parents=True, exist_ok=True)
    logging.info(
        "serving published stories from %s (removed from the environment: %s)", root, ", ".join(removed) or "nothing"
    )
    app = CommonsVoila(config=voila_config(str(root), url.port or 10102, url.hostname or "127.0.0.1"))
    app.initialize(argv or [])

    def stop(signum, _frame):
        logging.info("signal %s: stopping", signum)
        # A hard deadline: open websockets and kernels must not keep the hub waiting.
        threading.Timer(STOP_DEADLINE_SECONDS, lambda: os._exit(0)).start()
        app.ioloop.add_callback_from_signal(app.ioloop.stop)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    app.start()
    sys.exit(0)


if __name__ == "__main__":
    main()
