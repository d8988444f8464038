"""A warm kernel for Papermill: start one kernel and execute many parameterised notebooks in it.

Starting a kernel and importing pandas, plotly and the story's module costs about two seconds; a story page
takes a fraction of that. The refresher starts one ``WarmKernel`` per story and worker and calls
``papermill.execute_notebook`` with its kernel manager, so each place costs only its own cells. Each run's
parameters cell assigns every parameter afresh and the story's cells recompute everything from them, so one
place's run cannot leak into the next.
"""

from __future__ import annotations

import os
from pathlib import Path

import papermill
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

KERNEL_NAME = "python3"


class WarmKernel:
    def __init__(self, cwd: Path | str, env: dict[str, str], start_timeout: float = 60,
                 cell_timeout: float = 600):
        self.cwd, self.env = str(cwd), dict(env)
        self.start_timeout, self.cell_timeout = start_timeout, cell_timeout
        self.km: AsyncKernelManager | None = None

    def start(self) -> "WarmKernel":
        self.km = AsyncKernelManager(kernel_name=KERNEL_NAME)
        run_sync(self.km.start_kernel)(cwd=self.cwd, env=self.env)
        return self

    def execute(self, notebook: Path | str, output: Path | str, parameters: dict) -> None:
        """Run ``notebook`` with ``parameters`` into ``output`` (written even when a cell fails)."""
        if self.km is None or not run_sync(self.km.is_alive)():
            self.start()
        papermill.execute_notebook(str(notebook), str(output), parameters=parameters, km=self.km,
                                   kernel_name=KERNEL_NAME, progress_bar=False, log_output=False,
                                   start_timeout=self.start_timeout, execution_timeout=self.cell_timeout,
                                   request_save_on_cell_execute=False, autosave_cell_every=0)

    def stop(self) -> None:
        if self.km is not None:
            try:
                run_sync(self.km.shutdown_kernel)(now=True)
            finally:
                self.km = None

    def __enter__(self) -> "WarmKernel":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def kernel_environment(token: str, hub_url: str, extra: dict | None = None) -> dict[str, str]:
    """The environment of a story's kernel: the stories token as COMMONS_API_TOKEN and nothing of the hub's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTERHUB_", "JPY_"))}
    env.update({"COMMONS_API_TOKEN": token, "COMMONS_HUB_URL": hub_url, "MPLBACKEND": "agg",
                "HF_HUB_OFFLINE": "1", **(extra or {})})
    return env
