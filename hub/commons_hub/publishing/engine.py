"""A warm kernel for Papermill: start one kernel and execute many parameterised notebooks in it.

Starting a kernel and importing pandas, plotly and the story's module costs about two seconds; a story page
takes a fraction of that. The refresher starts one ``WarmKernel`` per story and worker and calls
``papermill.execute_notebook`` with its kernel manager, so each place costs only its own cells. Each run's
parameters cell assigns every parameter afresh and the story's cells recompute everything from them, so one
place's run cannot leak into the next.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import papermill
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.utils import merge_kwargs, remove_args

KERNEL_NAME = "python3"
ENGINE_NAME = "commons-warm"


class WarmKernelEngine(NBClientEngine):
    """Papermill's nbclient engine for a kernel it does not own: the kernel stays up after the notebook, and the
    client's channels are closed (papermill leaves them open when it is handed a kernel manager)."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        **kwargs,
    ):
        kwargs = remove_args(["input_path"], **kwargs)
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        final_kwargs = merge_kwargs(
            safe_kwargs,
            timeout=execution_timeout or kwargs.get("timeout"),
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=logging.getLogger("papermill"),
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        client = PapermillNotebookClient(nb_man, **final_kwargs)
        try:
            return client.execute()
        finally:
            if client.kc is not None:
                client.kc.stop_channels()


papermill_engines.register(ENGINE_NAME, WarmKernelEngine)


class WarmKernel:
    def __init__(self, cwd: Path | str, env: dict[str, str], start_timeout: float = 60, cell_timeout: float = 600):
        self.cwd, self.env = str(cwd), dict(env)
        self.start_timeout, self.cell_timeout = start_timeout, cell_timeout
        self.km: AsyncKernelManager | None = None

    def start(self) -> WarmKernel:
        self.km = AsyncKernelManager(kernel_name=KERNEL_NAME)
        run_sync(self.km.start_kernel)(cwd=self.cwd, env=self.env)
        return self

    def execute(self, notebook: Path | str, output: Path | str, parameters: dict) -> None:
        """Run ``notebook`` with ``parameters`` into ``output`` (written even when a cell fails)."""
        if self.km is None or not run_sync(self.km.is_alive)():
            self.start()
        papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            km=self.km,
            engine_name=ENGINE_NAME,
            kernel_name=KERNEL_NAME,
            progress_bar=False,
            log_output=False,
            start_timeout=self.start_timeout,
            execution_timeout=self.cell_timeout,
            request_save_on_cell_execute=False,
            autosave_cell_every=0,
        )

    def stop(self) -> None:
        if self.km is not None:
            try:
                run_sync(self.km.shutdown_kernel)(now=True)
            finally:
                self.km = None

    def __enter__(self) -> WarmKernel:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def close_thread_loop() -> None:
    """Close the event loop jupyter_core made for this (worker) thread, which would otherwise leak with it."""
    import asyncio
    import threading

    from jupyter_core.utils import ensure_event_loop

    if threading.current_thread() is threading.main_thread():
        return
    loop = ensure_event_loop()
    if not loop.is_running() and not loop.is_closed():
        loop.close()
    asyncio.set_event_loop(None)


def kernel_environment(token: str, hub_url: str, extra: dict | None = None) -> dict[str, str]:
    """The environment of a story's kernel: the stories token as COMMONS_API_TOKEN and nothing of the hub's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTERHUB_", "JPY_"))}
    env.update(
        {
            "COMMONS_API_TOKEN": token,
            "COMMONS_HUB_URL": hub_url,
            "MPLBACKEND": "agg",
            "HF_HUB_OFFLINE": "1",
            **(extra or {}),
        }
    )
    return env
