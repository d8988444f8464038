"""A real JupyterHub started from the project's own config, for integration and browser tests.

``RunningHub`` starts ``jupyterhub -f hub/jupyterhub_config.py`` with a temporary COMMONS_HOME on free
loopback ports, waits for the hub and the data-api, and offers real tokens, user servers and kernel
execution. ``stop()`` stops user servers and the hub (the test session that started it calls it).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests

from tests import processes

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RunningHub:
    def __init__(self, home: Path, log_path: Path):
        self.home = home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.env = {
            **os.environ,
            "COMMONS_HOME": str(home),
            "COMMONS_PORT": str(self.port),
            "COMMONS_HUB_URL": self.url,
            "COMMONS_HUB_API_PORT": str(free_port()),
            "COMMONS_PROXY_API_PORT": str(free_port()),
            "COMMONS_DATA_API_PORT": str(free_port()),
            "COMMONS_STORIES_PORT": str(free_port()),
            "COMMONS_REGISTER_PORT": str(free_port()),
            "COMMONS_REFRESHER_PORT": str(free_port()),
            # tests refresh the stories they need (a few places); no full refresh at hub start
            "COMMONS_STORIES_REFRESH_ON_START": "false",
        }
        self.env.pop("JUPYTERHUB_API_TOKEN", None)
        self.config_file = ROOT / "hub" / "jupyterhub_config.py"  # a bench may start the hub with its own
        self.process: subprocess.Popen | None = None
        self._tokens: dict[str, str] = {}

    # lifecycle ---------------------------------------------------------------------------------------
    @classmethod
    def in_temporary_home(cls, log_path: Path) -> RunningHub:
        """A hub whose state lives in a fresh folder under /tmp, not under pytest's basetemp: pytest makes
        /tmp/pytest-of-USER mode 0700 again at every session start, which would lock the service and user accounts
        of an isolated hub out of their own state. ``remove_home`` deletes it (and the public and users folders)."""
        import tempfile

        return cls(Path(tempfile.mkdtemp(prefix="commons-test-")) / "var", log_path)

    def remove_home(self) -> None:
        import shutil

        if self.home.name == "var" and self.home.parent.name.startswith("commons-test-"):
            shutil.rmtree(self.home.parent, ignore_errors=True)

    def start(self, timeout: float = 300) -> RunningHub:
        init = subprocess.run(
            [sys.executable, "-m", "commons_hub.cli", "init"],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if init.returncode:
            raise RuntimeError(f"commons init failed:\n{init.stdout}\n{init.stderr}")
        self.passwords = self.create_demo_accounts()
        self._log = open(self.log_path, "w")  # noqa: SIM115 - the hub's log, open for the subprocess's lifetime
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(self.config_file)],
            cwd=self.home,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_ok(f"{self.url}/hub/health", timeout)
        self.wait_ok(f"{self.url}/services/data-api/api/health", timeout)
        return self

    def create_demo_accounts(self) -> dict[str, str]:
        """Each demo person's own password, made as `commons up` makes them before the hub's first start; kept in
        memory only (the state directory holds just their bcrypt hashes)."""
        from commons_hub.identity import create_demo_accounts

        return create_demo_accounts(self.home)

    def wait_ok(self, url: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process and self.process.poll() is not None:
                raise RuntimeError(f"hub exited ({self.process.returncode}); log:\n{self.log_tail()}")
            try:
                if requests.get(url, timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.25)
        raise TimeoutError(f"{url} not ready after {timeout} s; log:\n{self.log_tail()}")

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if not self.process or self.process.poll() is not None:
            return
        for key, token in list(self._tokens.items()):
            if ":" in key:
                continue
            try:
                self.hub_api("DELETE", f"users/{key}/server", token=token)
            except Exception:
                pass
        started = processes.descendants(self.process.pid)
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self._log.close()
        if leaked := processes.still_running(started):
            processes.kill_all(leaked)
            raise AssertionError(
                "these processes outlived the hub that started them (killed now):\n"
                + "\n".join(f"  {pid}: {cmd}" for pid, cmd in leaked.items())
            )

    @property
    def public_dir(self) -> Path:
        """Published story snapshots (the hub's COMMONS_PUBLIC_DIR default: beside the state directory)."""
        return Path(f"{self.home}-public")

    @property
    def users_dir(self) -> Path:
        return Path(f"{self.home}-users")

    # hub API -----------------------------------------------------------------------------------------
    @property
    def secrets(self) -> dict:
        return json.loads((self.home / "secrets.json").read_text())

    def hub_api(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        token = token or self.secrets["operator_token"]
        response = requests.request(
            method, f"{self.url}/hub/api/{path}", timeout=60, headers={"Authorization": f"token {token}"}, **kwargs
        )
        if response.status_code >= 400 and response.status_code != 404:
            response.raise_for_status()
        return response

    def token(self, user: str, scopes: list[str] | None = None) -> str:
        """A real API token for ``user`` (scopes: default the user's own; give a list to narrow it)."""
        key = user if scopes is None else f"{user}:{','.join(scopes)}"
        if key not in self._tokens:
            body = {"note": "integration test", "expires_in": 3600}
            if scopes is not None:
                body["scopes"] = scopes
            response = self.hub_api("POST", f"users/{user}/tokens", json=body)
            self._tokens[key] = response.json()["token"]
        return self._tokens[key]

    def data_api(self, path: str, user: str | None = None, token: str | None = None, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if user or token:
            headers["Authorization"] = f"token {token or self.token(user)}"
        return requests.get(f"{self.url}/services/data-api/{path}", headers=headers, timeout=60, **kwargs)

    # user servers and kernels ------------------------------------------------------------------------
    def spawn(self, user: str, timeout: float = 90) -> float:
        """Start ``user``'s server and wait until it answers; returns seconds taken."""
        token = self.token(user)  # a user starts their own server ("self"); the operator service cannot
        started = time.monotonic()
        if (self.hub_api("GET", f"users/{user}", token=token).json().get("servers") or {}).get("", {}).get("ready"):
            return 0.0
        self.hub_api("POST", f"users/{user}/server", token=token)
        deadline = started + timeout
        while time.monotonic() < deadline:
            model = self.hub_api("GET", f"users/{user}", token=token).json()
            server = (model.get("servers") or {}).get("", {})
            if server.get("ready"):
                return time.monotonic() - started
            time.sleep(0.2)
        raise TimeoutError(f"server of {user} not ready after {timeout} s; hub log:\n{self.log_tail()}")

    def stop_server(self, user: str) -> None:
        token = self.token(user)
        self.hub_api("DELETE", f"users/{user}/server", token=token)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if not self.hub_api("GET", f"users/{user}", token=token).json().get("servers"):
                return
            time.sleep(0.3)

    def server_api(self, user: str, method: str, path: str, **kwargs) -> requests.Response:
        return requests.request(
            method,
            f"{self.url}/user/{user}/{path}",
            timeout=60,
            headers={"Authorization": f"token {self.token(user)}"},
            **kwargs,
        )

    def execute(self, user: str, code: str, timeout: float = 120) -> dict:
        """Run ``code`` in a fresh real kernel of ``user``'s server; returns {stdout, stderr, error, traceback,
        results} (``traceback``: the error's lines as the notebook shows them)."""
        import asyncio

        kernel = self.server_api(user, "POST", "api/kernels", json={"name": "python3"}).json()
        try:
            return asyncio.run(self._execute(user, kernel["id"], code, timeout))
        finally:
            self.server_api(user, "DELETE", f"api/kernels/{kernel['id']}")

    async def _execute(self, user: str, kernel_id: str, code: str, timeout: float) -> dict:
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        ws_url = f"ws://127.0.0.1:{self.port}/user/{user}/api/kernels/{kernel_id}/channels"
        request = HTTPRequest(ws_url, headers={"Authorization": f"token {self.token(user)}"})
        conn = await websocket_connect(request)
        msg_id = uuid.uuid4().hex
        conn.write_message(
            json.dumps(
                {
                    "header": {
                        "msg_id": msg_id,
                        "username": user,
                        "session": uuid.uuid4().hex,
                        "msg_type": "execute_request",
                        "version": "5.3",
                    },
                    "parent_header": {},
                    "metadata": {},
                    "channel": "shell",
                    "content": {
                        "code": code,
                        "silent": False,
                        "store_history": False,
                        "user_expressions": {},
                        "allow_stdin": False,
                        "stop_on_error": True,
                    },
                }
            )
        )
        out = {"stdout": "", "stderr": "", "error": None, "traceback": [], "results": []}
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            raw = await asyncio.wait_for(conn.read_message(), timeout=max(1, deadline - time.monotonic()))
            if raw is None:
                break
            msg = json.loads(raw)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["header"]["msg_type"], msg["content"]
            if kind == "stream":
                out[content["name"]] += content["text"]
            elif kind in ("execute_result", "display_data"):
                out["results"].append(content["data"].get("text/plain", ""))
            elif kind == "error":
                out["error"] = f"{content['ename']}: {content['evalue']}"
                out["traceback"] = content["traceback"]
            elif kind == "status" and content["execution_state"] == "idle":
                break
        conn.close()
        try:  # wait for the server's close frame so the socket is really closed
            while await asyncio.wait_for(conn.read_message(), 5) is not None:
                pass
        except Exception:  # a timeout or a closed stream: either way we are done
            pass
        return out
