"""The public kernels' manager: every kernel start goes through the capacity check (capacity.py).

Voilà's render handler and its preheated pool both start kernels with ``start_kernel``; Voilà wraps this class
with its pool (``VoilaConfiguration.multi_kernel_manager_class``), so both paths are counted here. A visitor's
start is refused at once when full (StoriesBusy: the handler answers with the static page). A start for the
pool waits for a free place instead (a kernel stopped or culled), so the pool never pushes past the cap and
never leaves a failed task behind.
"""

from __future__ import annotations

import asyncio

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

from commons_hub.services.stories.capacity import KernelCapacity, StoriesBusy

PREHEAT_ENV = "VOILA_PREHEAT"  # voila.utils.ENV_VARIABLE.VOILA_PREHEAT: "True" for a pool kernel


def story_of(path) -> str:
    """The story a kernel belongs to: the first part of its folder (``your-neighbourhood`` for its app)."""
    return str(path or "").strip("/").split("/", 1)[0] or "(none)"


class CappedKernelManager(AsyncMappingKernelManager):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.capacity = KernelCapacity.from_settings()
        self._freed = asyncio.Event()

    def _notify_freed(self) -> None:
        event, self._freed = self._freed, asyncio.Event()
        event.set()

    async def start_kernel(self, **kwargs) -> str:
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

    async def shutdown_kernel(self, kernel_id: str, *args, **kwargs):
        try:
            return await super().shutdown_kernel(kernel_id, *args, **kwargs)
        finally:
            self.capacity.stopped(kernel_id)
            self._notify_freed()

    def remove_kernel(self, kernel_id: str):
        # Called when a kernel is removed without a shutdown (e.g. it died); keep the count honest.
        try:
            return super().remove_kernel(kernel_id)
        finally:
            self.capacity.stopped(kernel_id)
            self._notify_freed()


__all__ = ["CappedKernelManager", "StoriesBusy", "story_of"]
