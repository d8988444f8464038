"""A visitor's kernel is not culled before the visitor's page has had time to connect to it (kernels.py says why:
on a slow phone the preheated kernel was culled while its page was still loading)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from types import SimpleNamespace

import pytest
from jupyter_server._tz import utcnow

from commons_hub.services.stories.kernels import PAGE_CONNECT_GRACE_FACTOR, CappedKernelManager

pytestmark = pytest.mark.unit
IDLE = 45


def manager_with_kernel(idle_seconds: float):
    manager = CappedKernelManager(cull_idle_timeout=IDLE)
    manager._kernels["k"] = SimpleNamespace(
        last_activity=utcnow() - timedelta(seconds=idle_seconds),
        execution_state="idle",
        kernel_name="python3",
        kernel_spec=SimpleNamespace(metadata={}),
    )
    manager._kernel_connections["k"] = 0
    stopped = []

    async def shutdown_kernel(kernel_id, *args, **kwargs):
        stopped.append(kernel_id)

    manager.shutdown_kernel = shutdown_kernel
    return manager, stopped


def cull(manager):
    asyncio.run(manager.cull_kernel_if_idle("k"))


def test_a_kernel_no_page_connected_to_yet_outlives_the_idle_timeout():
    manager, stopped = manager_with_kernel(IDLE + 15)
    cull(manager)
    assert stopped == []


def test_it_is_culled_once_the_grace_is_over():
    manager, stopped = manager_with_kernel(PAGE_CONNECT_GRACE_FACTOR * IDLE + 5)
    cull(manager)
    assert stopped == ["k"]


def test_a_kernel_a_page_connected_to_is_culled_after_the_idle_timeout_as_before():
    manager, stopped = manager_with_kernel(IDLE + 15)
    manager.notify_connect("k")
    manager.notify_disconnect("k")
    cull(manager)
    assert stopped == ["k"]


def test_a_recently_used_connected_kernel_is_kept():
    manager, stopped = manager_with_kernel(IDLE - 30)
    manager.notify_connect("k")
    cull(manager)
    assert stopped == []
