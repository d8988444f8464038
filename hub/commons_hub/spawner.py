"""The commons' spawner: the demo's SimpleLocalProcessSpawner, reporting the server as soon as it answers.

JupyterHub learns a new server is up by polling it with exponential back-off (0.2 s, 0.4 s, 0.8 s, 1.6 s...),
so a server ready after 3 s was noticed after 4.5 s. ``start`` polls every 50 ms itself and returns only when
the server answers, so the hub's first check succeeds at once. A production deployment keeps this behaviour by
subclassing its own spawner the same way (LocalProcessSpawner, KubeSpawner).
"""

from __future__ import annotations

import asyncio
import time

from jupyterhub.spawner import SimpleLocalProcessSpawner
from tornado.httpclient import AsyncHTTPClient, HTTPClientError


class CommonsSpawner(SimpleLocalProcessSpawner):
    poll_every = 0.05

    async def start(self):
        ip, port = await super().start()
        await self._wait_until_answering(f"http://{ip}:{port}{self.server.base_url}api")
        return ip, port

    async def _wait_until_answering(self, url: str) -> None:
        client = AsyncHTTPClient()
        deadline = time.monotonic() + self.http_timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                return  # it died: let the hub's own check report the failure
            try:
                await client.fetch(url, request_timeout=2, raise_error=False)
                return
            except (OSError, HTTPClientError):
                await asyncio.sleep(self.poll_every)
