"""Bounded public kernels on the real hub: residents who open more app sessions than the cap get the story's static
page with a note (status 200, never an error or a wait), the kernel count stays at the cap, idle kernels are
culled and the count drops, and no notebook but a published story's app can be rendered.

Through the hub's proxy the shared stories service has the default caps and cull timing (45 s), so the first
test tidies up after itself. The second runs a stories service of its own on the same state directory with a
cap of 2 and a 3-second idle timeout, so the cull is seen in seconds.
"""

from __future__ import annotations

import itertools
import os
import re
import signal
import subprocess
import sys
import time

import pytest
import requests

from commons_hub.services.stories.fallback import BUSY_NOTE
from tests.integration.hubfixture import ROOT, free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SLUG, PLACE = "crime-by-area", "E08000012"
KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]{36})"')


@pytest.fixture(scope="module")
def published(hub):
    if not (hub.home / "stories" / "published" / SLUG).exists():
        result = subprocess.run(
            [sys.executable, "-m", "commons_hub.cli", "stories", "refresh", SLUG, "--place", PLACE],
            env=hub.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    return hub.home / "stories" / "published" / SLUG


def capacity(base: str) -> dict:
    return requests.get(f"{base}/services/stories/api/capacity", timeout=30).json()


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    pytest.fail(f"not within {timeout} s: {what}")


ADDRESSES = (f"198.51.100.{i}" for i in itertools.count(1))


def open_sessions(base: str, count: int, client: str | None = None) -> list[requests.Response]:
    """``count`` app sessions; straight to a service of our own, each from ``client`` (default: a new address)."""
    out = []
    for _ in range(count):
        headers = (
            {}
            if base.startswith("http://127.0.0.1") and client == "proxy"
            else {"X-Forwarded-For": client or next(ADDRESSES)}
        )
        out.append(requests.get(f"{base}/services/stories/{SLUG}/app?ward={PLACE}", headers=headers, timeout=180))
    return out


def service_memory_mb(port: int) -> float:
    """Resident memory of the stories service listening on ``port`` and its kernels, in MB."""
    import psutil

    for connection in psutil.net_connections("tcp"):
        if connection.laddr and connection.laddr.port == port and connection.status == "LISTEN" and connection.pid:
            service = psutil.Process(connection.pid)
            return sum(p.memory_info().rss for p in [service, *service.children(recursive=True)]) / 1e6
    return 0.0


def test_past_the_cap_residents_get_the_static_page_through_the_proxy(hub, published):
    base = hub.url
    cap = capacity(base)["max_kernels_per_story"]
    wait_for(lambda: capacity(base)["stories"].get(SLUG), 120, "the preheated kernel")
    responses = []
    try:
        for _ in range(cap + 2):
            responses.append(open_sessions(base, 1, client="proxy")[0])
            assert capacity(base)["stories"].get(SLUG, 0) <= cap
        kinds = [r.headers.get("X-Commons-Live") for r in responses]
        assert all(r.status_code == 200 for r in responses), [r.status_code for r in responses]
        assert kinds[0] == "app" and "busy" in kinds, kinds
        busy = responses[kinds.index("busy")]
        assert BUSY_NOTE in busy.text and "per 1,000 residents" in busy.text  # the story's own static page
        assert f'<base href="/services/stories/{SLUG}/pages/">' in busy.text
        assert capacity(base)["stories"][SLUG] == cap
    finally:
        for response in responses:
            for kernel_id in KERNEL_ID.findall(response.text):
                requests.delete(f"{base}/services/stories/api/kernels/{kernel_id}", timeout=30)


def test_only_published_apps_can_be_rendered(hub, published):
    for path in (f"{SLUG}/story.ipynb", "runs/" + SLUG + "/app.ipynb", "nothing-here/app.ipynb", "app.ipynb"):
        response = requests.get(f"{hub.url}/services/stories/voila/render/{path}", timeout=60)
        assert response.status_code == 404, (path, response.status_code)
        assert response.headers.get("X-Commons-Live") is None


@pytest.fixture
def own_stories_service(hub, published):
    port = free_port()
    env = {
        **hub.env,
        "JUPYTERHUB_SERVICE_URL": f"http://127.0.0.1:{port}",
        "COMMONS_STORIES_MAX_KERNELS_PER_STORY": "2",
        "COMMONS_STORIES_MAX_KERNELS": "3",
        "COMMONS_STORIES_KERNEL_IDLE_SECONDS": "3",
        "COMMONS_STORIES_CULL_INTERVAL_SECONDS": "1",
        "COMMONS_STORIES_SESSIONS_PER_MINUTE": "3",
    }
    service = subprocess.Popen(
        [sys.executable, "-m", "commons_hub.services.stories.app"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"

    def up():
        try:
            return capacity(base)
        except requests.RequestException:
            return None

    try:
        wait_for(up, 60, "the stories service")
        yield base, port
    finally:
        os.killpg(service.pid, signal.SIGTERM)
        try:
            service.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(service.pid, signal.SIGKILL)


def test_kernels_stay_at_the_cap_and_idle_ones_are_culled(own_stories_service):
    base, port = own_stories_service
    wait_for(lambda: capacity(base)["stories"].get(SLUG), 120, "the preheated kernel")
    kinds = []
    for _ in range(6):  # six visitors: it took the service to 1.5 GB before
        kinds.append(open_sessions(base, 1)[0].headers.get("X-Commons-Live"))
        assert capacity(base)["stories"].get(SLUG, 0) <= 2
    print(
        f"stories service with {capacity(base)['kernels']} kernels after 6 visitors: {service_memory_mb(port):.0f} MB"
    )
    assert kinds[0] == "app" and "busy" in kinds, kinds
    assert capacity(base)["stories"][SLUG] == 2
    # the visitors' kernels are idle (no widget is used): culled after 3 s, checked every second
    dropped = wait_for(lambda: capacity(base)["stories"].get(SLUG, 0) < 2 or None, 60, "the idle kernels culled")
    assert dropped
    assert open_sessions(base, 1)[0].headers.get("X-Commons-Live") == "app"


def test_one_client_may_open_so_many_sessions_a_minute(own_stories_service):
    base, _ = own_stories_service
    kinds = [r.headers.get("X-Commons-Live") for r in open_sessions(base, 4, client="203.0.113.5, 198.51.100.250")]
    assert kinds[:3] != ["rate-limited"] * 3 and kinds[3] == "rate-limited", kinds
    # what the client put before the proxy's entry does not make it someone else
    spoofed = open_sessions(base, 1, client="10.9.9.9, 198.51.100.250")[0]
    assert spoofed.headers.get("X-Commons-Live") == "rate-limited" and BUSY_NOTE in spoofed.text
    assert open_sessions(base, 1)[0].headers.get("X-Commons-Live") in ("app", "busy")  # another visitor
