"""Many users on one hub: a bounded load test with 200 simulated users, against a baseline of 1 in the same run.

Starts a real hub from the project's config (tests/integration/hubfixture.py) on free loopback ports, then:

1. baseline: one user is created with the operator token, gets a token ("logs in"), spawns a server, and calls
   the hub API and the data-api (catalogue list + a small open read);
2. load: 200 users do the same, 20 at a time; then all 200 call the hub API together while every server runs;
3. prints hub API p50/p95 (goal p95 <= 200 ms), spawns per minute, data-api p50/p95, the ratio of each p95 to the
   baseline's, and checks the audit: read entries of the bench users == reads made, and AuditLog.verify() ok.

BENCH-ONLY, not the product's behaviour: user servers are the lightweight server of this file
(``--lightweight-server``: answers HTTP on the hub-given URL, no Jupyter, no kernels), set in a hub config of the
bench's own that runs the project's hub/jupyterhub_config.py first and then overrides ``Spawner.cmd``; and the hub
runs with COMMONS_ISOLATION=off, so no Unix account is made per simulated user (200 would be made on this
machine). The numbers measure the hub, its proxy and the data-api, not JupyterLab's start-up.

Run: .venv/bin/python bench/bench_many_users.py [--users 200] [--concurrency 20]
"""

from __future__ import annotations

import os
import sys

LIGHTWEIGHT_FLAG = "--lightweight-server"


def lightweight_server() -> None:
    """A user server for the bench only: answers every GET with 200 on the URL the hub gave it."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import urlparse

    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = b'{"bench": "lightweight user server"}' if self.path.startswith(prefix) else b"{}"
            self.send_response(200 if self.path.startswith(prefix) else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-JupyterHub-Version", os.environ.get("BENCH_HUB_VERSION", ""))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    ThreadingHTTPServer((url.hostname, url.port), Handler).serve_forever()


if __name__ == "__main__" and LIGHTWEIGHT_FLAG in sys.argv:  # before any heavy import: 200 of these run
    lightweight_server()
    sys.exit(0)

import argparse  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from pathlib import Path  # noqa: E402

import requests  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tests.integration.hubfixture import RunningHub  # noqa: E402

BENCH_DATASET = "bench_small"
PURPOSE = "load test of the hub with many users"


def bench_hub_config(folder: Path) -> Path:
    """The bench's own hub config: the project's, then the bench-only lightweight user servers."""
    path = folder / "bench_jupyterhub_config.py"
    path.write_text(
        "# BENCH ONLY (bench/bench_many_users.py): the project's hub config, then lightweight user servers.\n"
        f"exec(compile(open({str(ROOT / 'hub' / 'jupyterhub_config.py')!r}).read(), 'jupyterhub_config.py', 'exec'))\n"
        f"c.Spawner.cmd = [{sys.executable!r}, {str(Path(__file__).resolve())!r}, {LIGHTWEIGHT_FLAG!r}]\n"
        "c.Spawner.args = []\n"
        "c.Spawner.pre_spawn_hook = None   # no example notebooks copied into 200 homes\n"
        "c.JupyterHub.concurrent_spawn_limit = 0\n"
    )
    return path


class BenchHub(RunningHub):
    """RunningHub started with the bench's hub config and isolation off (see the module docstring)."""

    def __init__(self, home: Path, log_path: Path):
        super().__init__(home, log_path)
        self.env["COMMONS_ISOLATION"] = "off"
        self.env["COMMONS_DEMO_ACCOUNTS"] = "true"
        self.config_file = bench_hub_config(log_path.parent)

    def start(self, timeout: float = 180) -> BenchHub:
        super().start(timeout)
        return self


class Timings:
    def __init__(self):
        self.samples: dict[str, list[float]] = {}
        self.errors: list[str] = []
        self.retries = 0
        self.lock = threading.Lock()

    def call(self, kind: str, session: requests.Session, method: str, url: str, **kwargs) -> requests.Response:
        started = time.perf_counter()
        try:
            response = session.request(method, url, timeout=120, **kwargs)
        except requests.ConnectionError:
            # A kept-alive connection idle past the proxy's keep-alive timeout (node: 5 s) can be closed just as
            # it is reused: GETs are retried once on a new connection, counted and shown, the time included.
            if method != "GET":
                raise
            with self.lock:
                self.retries += 1
            response = session.request(method, url, timeout=120, **kwargs)
        elapsed = time.perf_counter() - started
        with self.lock:
            self.samples.setdefault(kind, []).append(elapsed)
            if response.status_code >= 400:
                self.errors.append(f"{kind} {method} {url}: {response.status_code} {response.text[:200]}")
        return response

    def pct(self, kind: str, q: float) -> float:
        values = sorted(self.samples.get(kind, []))
        if not values:
            return float("nan")
        return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] * 1000


class Simulation:
    def __init__(self, hub: BenchHub):
        self.hub = hub
        self.operator = {"Authorization": f"token {hub.secrets['operator_token']}"}
        self.reads = 0
        self.reads_lock = threading.Lock()

    def api(self, path: str) -> str:
        return f"{self.hub.url}/hub/api/{path}"

    def user_session(self, name: str, t: Timings) -> tuple[requests.Session, float]:
        """Create the user, log in (a token), spawn their server and wait until ready; returns the spawn time."""
        operator = requests.Session()
        operator.headers.update(self.operator)
        t.call("hub api write", operator, "POST", self.api(f"users/{name}"))
        token = t.call(
            "hub api write",
            operator,
            "POST",
            self.api(f"users/{name}/tokens"),
            json={"note": "bench login", "expires_in": 3600},
        ).json()["token"]
        session = requests.Session()
        session.headers["Authorization"] = f"token {token}"
        started = time.monotonic()
        t.call("spawn request", session, "POST", self.api(f"users/{name}/server"))  # waits for a quick spawn
        deadline = started + 120
        while time.monotonic() < deadline:
            model = t.call("hub api", session, "GET", self.api(f"users/{name}")).json()
            if ((model.get("servers") or {}).get("") or {}).get("ready"):
                break
            time.sleep(0.25)
        else:
            raise TimeoutError(f"{name}'s server not ready after 120 s")
        return session, time.monotonic() - started

    def work(self, name: str, session: requests.Session, t: Timings, hub_calls: int = 3) -> None:
        """What each simulated person does once logged in: hub API, catalogue list, a small open read."""
        for _ in range(hub_calls):
            t.call("hub api", session, "GET", self.api("user"))
        t.call("user server", session, "GET", f"{self.hub.url}/user/{name}/api")
        t.call("data-api catalogue", session, "GET", f"{self.hub.url}/services/data-api/api/datasets")
        response = t.call(
            "data-api read",
            session,
            "GET",
            f"{self.hub.url}/services/data-api/api/datasets/{BENCH_DATASET}/data",
            params={"limit": 50, "purpose": PURPOSE},
        )
        if response.status_code == 200:
            with self.reads_lock:
                self.reads += 1


def add_dataset(home: Path) -> None:
    from bench_governed_read import add_bench_dataset

    add_bench_dataset(home, BENCH_DATASET, 1_000)


def audit_check(home: Path, users: set[str]) -> tuple[int, object]:
    os.environ["COMMONS_HOME"] = str(home)
    from commons_hub.audit import AuditLog
    from commons_hub.db import engine

    log = AuditLog(engine(f"sqlite:///{home / 'governance.sqlite'}"), anchor=home / "audit.anchor")
    reads = sum(
        1
        for e in log.entries()
        if e["action"] == "read" and e["actor"] in users and e["dataset"] == BENCH_DATASET and e["outcome"] == "ok"
    )
    return reads, log.verify()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--baseline-calls", type=int, default=40)
    parser.add_argument("--period", type=float, default=30.0, help="seconds between a user's rounds (paced phase)")
    parser.add_argument("--paced-seconds", type=float, default=60.0, help="length of the paced phase")
    args = parser.parse_args()

    print(
        "BENCH-ONLY settings: lightweight user servers (no Jupyter), COMMONS_ISOLATION=off (no Unix account per "
        "simulated user); the hub, proxy, data-api and audit are the product's own."
    )
    load_before = os.getloadavg()[0]
    tmp = Path(tempfile.mkdtemp(prefix="bench-many-users-"))
    hub = BenchHub(tmp / "var", tmp / "hub.log")
    started = time.monotonic()
    hub.start()
    print(f"hub up in {time.monotonic() - started:.1f} s ({hub.url}); log {hub.log_path}")
    names: list[str] = []
    sessions: dict[str, requests.Session] = {}
    try:
        add_dataset(hub.home)
        sim = Simulation(hub)

        # 1. baseline: one user alone
        base = Timings()
        session, base_spawn = sim.user_session("bench-base", base)
        names.append("bench-base")
        sessions["bench-base"] = session
        for _ in range(max(1, args.baseline_calls // 3)):
            sim.work("bench-base", session, base)
        print(
            f"[baseline, 1 user] spawn {base_spawn:.2f} s; hub API p50 {base.pct('hub api', 0.5):.1f} ms "
            f"p95 {base.pct('hub api', 0.95):.1f} ms ({len(base.samples['hub api'])} calls); data-api read p95 "
            f"{base.pct('data-api read', 0.95):.1f} ms"
        )

        # 2. load: N users logging in and spawning, `concurrency` at a time
        load = Timings()
        users = [f"bench-{i:03d}" for i in range(args.users)]
        spawn_times: list[float] = []

        def arrive(name: str) -> None:
            session, seconds = sim.user_session(name, load)
            sessions[name] = session
            spawn_times.append(seconds)
            sim.work(name, session, load)

        wave = time.monotonic()
        with ThreadPoolExecutor(args.concurrency) as pool:
            for name, future in [(n, pool.submit(arrive, n)) for n in users]:
                try:
                    future.result()
                    names.append(name)
                except Exception as exc:  # noqa: BLE001 - counted and shown below
                    load.errors.append(f"{name}: {exc}")
        wave_seconds = time.monotonic() - wave
        running = len(sessions) - 1
        print(
            f"[load, {args.users} users, {args.concurrency} at a time] {running} servers running after "
            f"{wave_seconds:.1f} s: {running / wave_seconds * 60:.0f} spawns/minute; spawn p50 "
            f"{statistics.median(spawn_times):.2f} s p95 "
            f"{sorted(spawn_times)[int(0.95 * (len(spawn_times) - 1))]:.2f} s"
        )

        running_users = [n for n in sessions if n != "bench-base"]

        # 3a. paced: every running user works once per `period` seconds, staggered (an open-loop arrival rate)
        paced = Timings()
        rounds, period = max(1, round(args.paced_seconds / args.period)), args.period
        schedule = sorted(
            (r * period + i * period / len(running_users), n)
            for r in range(rounds)
            for i, n in enumerate(running_users)
        )
        lateness: list[float] = []
        paced_start = time.monotonic() + 1

        def at(offset: float, name: str) -> None:
            delay = paced_start + offset - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            lateness.append(max(0.0, -delay))
            sim.work(name, sessions[name], paced)

        with ThreadPoolExecutor(64) as pool:
            list(pool.map(lambda item: at(*item), schedule))
        paced_seconds = time.monotonic() - paced_start

        # 3b. saturated: `concurrency` clients back to back, every server running (the hub's throughput)
        busy = Timings()
        saturated_start = time.monotonic()
        with ThreadPoolExecutor(args.concurrency) as pool:
            list(pool.map(lambda n: sim.work(n, sessions[n], busy), running_users))
        saturated_seconds = time.monotonic() - saturated_start

        def line(label: str, t: Timings) -> str:
            writes = (
                f"; create user/token p95 {t.pct('hub api write', 0.95):.0f} ms, spawn request p95 "
                f"{t.pct('spawn request', 0.95):.0f} ms"
                if "spawn request" in t.samples
                else ""
            )
            return (
                f"[{label}] hub API p50 {t.pct('hub api', 0.5):.1f} ms p95 {t.pct('hub api', 0.95):.1f} ms "
                f"({len(t.samples.get('hub api', []))} GETs){writes}; data-api catalogue p95 "
                f"{t.pct('data-api catalogue', 0.95):.0f} ms, read p50 {t.pct('data-api read', 0.5):.0f} ms p95 "
                f"{t.pct('data-api read', 0.95):.0f} ms; a user server via the proxy p95 "
                f"{t.pct('user server', 0.95):.0f} ms"
            )

        print(line(f"while {args.users} log in and spawn, {args.concurrency} at a time", load))
        requests_paced = sum(len(v) for v in paced.samples.values())
        print(
            line(
                f"paced: {running} servers running, each user's round every {period:.0f} s, "
                f"{requests_paced / paced_seconds:.0f} requests/s",
                paced,
            )
            + f"; client started late by p95 {sorted(lateness)[int(0.95 * (len(lateness) - 1))] * 1000:.0f} ms"
        )
        requests_busy = sum(len(v) for v in busy.samples.values())
        print(
            line(
                f"saturated: {args.concurrency} clients back to back, {requests_busy / saturated_seconds:.0f} "
                f"requests/s",
                busy,
            )
        )
        goal = paced.pct("hub api", 0.95)
        print(
            f"[goal] hub API p95 <= 200 ms with {running} users (paced): {goal:.0f} ms, "
            f"{'met' if goal <= 200 else 'MISSED'}; load average now {os.getloadavg()[0]:.1f} on "
            f"{os.cpu_count()} cores (was {load_before:.1f} at the start)"
        )
        print(
            f"[ratios against the 1-user baseline, same run] hub API p95: "
            f"paced x{goal / base.pct('hub api', 0.95):.2f}, "
            f"saturated x{busy.pct('hub api', 0.95) / base.pct('hub api', 0.95):.2f}, while spawning "
            f"x{load.pct('hub api', 0.95) / base.pct('hub api', 0.95):.2f}; data-api read p95 paced "
            f"x{paced.pct('data-api read', 0.95) / base.pct('data-api read', 0.95):.2f}; spawn p50 "
            f"x{statistics.median(spawn_times) / base_spawn:.2f}"
        )

        errors = base.errors + load.errors + paced.errors + busy.errors
        logged, verified = audit_check(hub.home, set(names))
        print(
            f"[audit] reads made {sim.reads}, read entries of the bench users {logged}: "
            f"{'none lost' if logged == sim.reads else 'MISMATCH'}; AuditLog.verify() ok={verified.ok} "
            f"({verified.entries} entries{'' if verified.ok else ', ' + verified.reason})"
        )
        retries = base.retries + load.retries + paced.retries + busy.retries
        print(
            f"[errors] {len(errors)}; GETs retried once after a closed keep-alive connection: {retries}"
            + "".join(f"\n  {e}" for e in errors[:10])
        )
        ok = logged == sim.reads and verified.ok and not errors and running == args.users
        return 0 if ok else 1
    finally:
        stop = time.monotonic()

        def stop_server(name):  # a person stops their own server (the operator service may not)
            try:
                sessions[name].delete(f"{hub.url}/hub/api/users/{name}/server", timeout=60)
            except requests.RequestException:
                pass

        with ThreadPoolExecutor(args.concurrency) as pool:
            list(pool.map(stop_server, list(sessions)))
        hub.stop()
        import shutil

        for folder in (hub.home, hub.public_dir, hub.users_dir):
            shutil.rmtree(folder, ignore_errors=True)
        print(
            f"stopped {len(sessions)} servers and the hub in {time.monotonic() - stop:.1f} s (hub log kept: "
            f"{hub.log_path})"
        )


if __name__ == "__main__":
    sys.exit(main())
