"""The public kernels' manager: every kernel start goes through the capacity check (capacity.py).

Voilà's render handler and its preheated pool both start kernels with ``start_kernel``; Voilà wraps this class
with its pool (``VoilaConfiguration.multi_kernel_manager_class``), so both paths are counted here. A visitor's
start is refused at once when full (StoriesBusy: the handler answers with the static page). A start for the
pool waits for a free place instead (a kernel stopped or culled), so the pool never pushes past the cap and
never leaves a failed task behind.
"""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

from commons_hub.services.stories.capacity import KernelCapacity, StoriesBusy

PREHEAT_ENV = "VOILA_PREHEAT"  # voila.utils.ENV_VARIABLE.VOILA_PREHEAT: "True" for a pool kernel
# A cell that waits for the visitor: the story app's ``follow_request()`` and Voilà's own helpers under it.
# A visitor's page has this many times stories_kernel_idle_seconds (135 s by default) after its kernel's last
# activity to connect to it before the idle culler may stop it; kernels a page has connected to are culled after
# stories_kernel_idle_seconds, as before.
PAGE_CONNECT_GRACE_FACTOR = 3
WAITS_FOR_VISITOR = re.compile(r"\b(?:follow_request|get_query_string|wait_for_request)\s*\(")


def cell_timeout(seconds: int):
    """``VoilaExecutor.timeout_func``: ``seconds`` for every cell, except no limit for the cell that waits for
    the visitor.

    Why: a preheated kernel runs the app up to ``follow_request()``, which blocks until a visitor arrives (Voilà's
    ``wait_for_request``). With the cell timeout on that cell too, a kernel left without visitors for 60 s was
    interrupted; ``wait_for_request`` answers the KeyboardInterrupt by stopping the kernel's event loop, the
    kernel exits and its restarter starts an empty one ("AsyncIOLoopKernelRestarter: restarting kernel"). The
    pool still counted it as ready, so the next visitor got the page pre-rendered for the old kernel in 2 ms and
    every widget said "Error displaying widget: model not found". Waiting for a visitor is not work to time out:
    the kernel is counted against the caps like any other, and replaced when its story's snapshot changes."""

    def timeout(cell) -> int | None:
        if cell.get("cell_type") == "code" and WAITS_FOR_VISITOR.search(str(cell.get("source", ""))):
            return None
        return seconds

    return timeout


def story_of(path) -> str:
    """The story a kernel belongs to: the first part of its folder (``your-neighbourhood`` for its app)."""
    return str(path or "").strip("/").split("/", 1)[0] or "(none)"


class CappedKernelManager(AsyncMappingKernelManager):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.capacity = KernelCapacity.from_settings()
        self._freed = asyncio.Event()
        self._connected: set[str] = set()  # kernels a visitor's page has connected to at least once

    def _notify_freed(self) -> None:
        event, self._freed = self._freed, asyncio.Event()
        event.set()

    # jupyter_client types MultiKernelManager's start_kernel and shutdown_kernel as sync (run_sync); the async
    # managers replace them with coroutines under their own type: ignore[assignment], so mypy sees the sync ones.
    async def start_kernel(self, **kwargs) -> str:  # type: ignore[override]
        slug = story_of(kwargs.get("path"))
        for_pool = (kwargs.get("env") or {}).get(PREHEAT_ENV) == "True"
        self.capacity.forget_missing(self.list_kernel_ids())
        while for_pool and not self.capacity.can_start(slug):
            await self._freed.wait()
        self.capacity.reserve(slug)
        kernel_id = None
        try:
            kernel_id = await super().start_kernel(**kwargs)
        finally:
            self.capacity.started(slug, kernel_id)
        self.log.info("story kernel %s started for %s (%s)", kernel_id, slug, self.capacity.snapshot())
        return kernel_id

    def notify_connect(self, kernel_id: str) -> None:
        self._connected.add(kernel_id)
        super().notify_connect(kernel_id)

    async def cull_kernel_if_idle(self, kernel_id: str):
        # A preheated kernel's last activity is its wait for the visitor, which ends the moment the page is served;
        # on a slow phone (or a busy machine) the page then needs many seconds to load Voilà's scripts and connect.
        # Culled after 45 s idle with 0 connections, the kernel was gone when the page asked for it (404
        # api/kernels/<id>) and the app showed its widgets as text. A kernel no page has connected to yet gets
        # PAGE_CONNECT_GRACE_FACTOR times as long; Voilà itself never culls the ones still in its pool.
        kernel = self._kernels.get(kernel_id)
        last = getattr(kernel, "last_activity", None)
        grace = timedelta(seconds=PAGE_CONNECT_GRACE_FACTOR * self.cull_idle_timeout)
        if (
            kernel_id not in self._connected
            and last is not None
            and getattr(kernel, "execution_state", "") != "dead"
            and utcnow() - last < grace
        ):
            return None
        return await super().cull_kernel_if_idle(kernel_id)

    async def shutdown_kernel(self, kernel_id: str, *args, **kwargs):  # type: ignore[override]  # see start_kernel
        try:
            return await super().shutdown_kernel(kernel_id, *args, **kwargs)
        finally:
            self.capacity.stopped(kernel_id)
            self._connected.discard(kernel_id)
            self._notify_freed()

    def remove_kernel(self, kernel_id: str):
        # Called when a kernel is removed without a shutdown (e.g. it died); keep the count honest.
        try:
            return super().remove_kernel(kernel_id)
        finally:
            self.capacity.stopped(kernel_id)
            self._connected.discard(kernel_id)
            self._notify_freed()


__all__ = ["CappedKernelManager", "StoriesBusy", "cell_timeout", "story_of"]
