"""The commons' spawner: each person's server as their own Unix account, reported as soon as it answers.

Isolated (the hub runs as root, see commons_hub.isolation): a LocalProcessSpawner whose server runs as
``commons-u-NAME`` (made on first spawn, no login shell) in a home of its own, mode 0700, under
``$COMMONS_USERS_DIR``. Not isolated (a laptop): the same process as the hub's account, as JupyterHub's
SimpleLocalProcessSpawner does, for trying it out only.

JupyterHub learns a new server is up by polling it with exponential back-off (0.2 s, 0.4 s, 0.8 s, 1.6 s...),
so a server ready after 3 s was noticed after 4.5 s. ``start`` polls every 50 ms itself and returns only when
the server answers, so the hub's first check succeeds at once.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner
from tornado.httpclient import AsyncHTTPClient, HTTPClientError
from traitlets import Bool, Unicode

from commons_hub import isolation


class CommonsSpawner(LocalProcessSpawner):
    poll_every = 0.05
    isolated = Bool(False, config=True, help="Run each server as the person's own Unix account (needs root).")
    home_dir_template = Unicode("", config=True, help="Each person's home; {username} is the hub user name.")

    @property
    def home_dir(self) -> str:
        return self.home_dir_template.format(username=self.user.name)

    @property
    def unix_user(self) -> str | None:
        return isolation.unix_name(self.user.name) if self.isolated else None

    def user_env(self, env):
        env["USER"] = self.unix_user or self.user.name
        env["HOME"] = self.home_dir
        env["SHELL"] = "/bin/bash"  # the terminal's shell: the person's own account, never root
        return env

    def make_preexec_fn(self, name):
        home = self.home_dir
        account = self._account

        def preexec():
            if account is not None:
                os.setgroups([])
                os.setgid(account.pw_gid)
                os.setuid(account.pw_uid)
            os.makedirs(home, 0o700, exist_ok=True)
            os.chdir(home)
            if account is not None:
                from commons_hub.install import populate_home

                try:  # as the person, after setuid: their files, their links
                    populate_home(Path(home))
                except OSError as exc:
                    print(f"[commons] could not copy the start-up file and example notebooks: {exc}", file=sys.stderr)

        return preexec

    _account = None

    async def start(self):
        if self.isolated:
            # Made (or checked) before the server starts; the pre-spawn hook's files in the home become theirs.
            self._account = await asyncio.to_thread(isolation.prepare_user, self.user.name, Path(self.home_dir))
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
