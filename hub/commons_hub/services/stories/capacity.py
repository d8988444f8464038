"""How many public kernels may run, and how often one client may ask for a new one.

``KernelCapacity`` counts the live kernels of each story (preheated ones included) and the kernels being started,
so a check and the start it allows cannot be split by another request. ``SessionRateLimit`` is a sliding window
of new app sessions per client address. Both are plain objects: the kernel manager and the render handler use
them (kernels.py, render.py); the limits are settings (stories_max_kernels_per_story, stories_max_kernels,
stories_sessions_per_minute).
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from commons_kernel.config import setting


class StoriesBusy(Exception):
    """No kernel may start now; ``reason`` says which limit, for the log and the health page."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class KernelCapacity:
    per_story: int
    total: int
    running: dict[str, str] = field(default_factory=dict)  # kernel id -> story slug
    starting: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @classmethod
    def from_settings(cls) -> KernelCapacity:
        return cls(per_story=setting("stories_max_kernels_per_story"), total=setting("stories_max_kernels"))

    def count(self, slug: str | None = None) -> int:
        if slug is None:
            return len(self.running) + sum(self.starting.values())
        return sum(1 for s in self.running.values() if s == slug) + self.starting.get(slug, 0)

    def refusal(self, slug: str) -> str | None:
        """Why a new kernel for ``slug`` may not start now, or None when it may."""
        if self.count(slug) >= self.per_story:
            return f"story {slug} has {self.count(slug)} live kernels (stories_max_kernels_per_story={self.per_story})"
        if self.count() >= self.total:
            return f"{self.count()} live story kernels in all (stories_max_kernels={self.total})"
        return None

    def can_start(self, slug: str) -> bool:
        return self.refusal(slug) is None

    def check_can_start(self, slug: str) -> None:
        reason = self.refusal(slug)
        if reason:
            raise StoriesBusy(reason)

    def reserve(self, slug: str) -> None:
        """Check and count a kernel that is about to start, in one step (raises StoriesBusy when full)."""
        self.check_can_start(slug)
        self.starting[slug] += 1

    def started(self, slug: str, kernel_id: str | None) -> None:
        """The reserved start finished (``kernel_id``) or failed (None)."""
        self.starting[slug] = max(0, self.starting[slug] - 1)
        if kernel_id:
            self.running[kernel_id] = slug

    def stopped(self, kernel_id: str) -> None:
        self.running.pop(kernel_id, None)

    def forget_missing(self, live_ids) -> None:
        """Drop kernels the manager no longer has (died, or removed without our shutdown)."""
        live = set(live_ids)
        for kernel_id in [k for k in self.running if k not in live]:
            self.running.pop(kernel_id)

    def snapshot(self) -> dict:
        stories = sorted(set(self.running.values()) | {s for s, n in self.starting.items() if n})
        return {
            "kernels": self.count(),
            "max_kernels": self.total,
            "max_kernels_per_story": self.per_story,
            "stories": {slug: self.count(slug) for slug in stories},
        }


@dataclass
class SessionRateLimit:
    per_minute: int
    window_seconds: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _seen: dict[str, deque] = field(default_factory=dict)

    @classmethod
    def from_settings(cls) -> SessionRateLimit:
        return cls(per_minute=setting("stories_sessions_per_minute"))

    def allow(self, client: str) -> bool:
        """Count a new session of ``client``; False when it already opened ``per_minute`` in the window."""
        now = self.clock()
        seen = self._seen.setdefault(client, deque())
        while seen and now - seen[0] >= self.window_seconds:
            seen.popleft()
        if len(seen) >= self.per_minute:
            return False
        seen.append(now)
        if len(self._seen) > 10_000:  # forget clients that went quiet, so the table stays small
            for key in [k for k, q in self._seen.items() if not q or now - q[-1] >= self.window_seconds]:
                self._seen.pop(key, None)
        return True


def client_address(remote_ip: str, forwarded_for: str | None) -> str:
    """The visitor's address as the hub's proxy saw it.

    The stories service listens on loopback behind configurable-http-proxy, so ``remote_ip`` is the proxy.
    The proxy appends the address it saw to X-Forwarded-For; entries to the left of it come from the client
    and can be made up, so only the last one counts."""
    if forwarded_for:
        last = forwarded_for.split(",")[-1].strip()
        if last:
            return last
    return remote_ip
