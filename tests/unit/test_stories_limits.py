"""Bounded public kernels: the caps, the per-client rate of new sessions, the client's address behind the proxy,
the static page a resident gets when the live app is busy, and the kernel manager that every start goes through
(with real kernels)."""

from __future__ import annotations

import asyncio
import json

import pytest

from commons_hub.services.stories.app import voila_config
from commons_hub.services.stories.capacity import KernelCapacity, SessionRateLimit, StoriesBusy, client_address
from commons_hub.services.stories.fallback import BUSY_NOTE, busy_page
from commons_hub.services.stories.kernels import CappedKernelManager, story_of
from commons_hub.services.stories.render import APP_PATH

pytestmark = pytest.mark.unit


def test_a_story_may_hold_its_cap_of_kernels_and_no_more():
    capacity = KernelCapacity(per_story=2, total=3)
    capacity.reserve("a")
    capacity.started("a", "k1")
    capacity.reserve("a")  # still starting: counted already
    assert capacity.count("a") == 2 and not capacity.can_start("a")
    with pytest.raises(StoriesBusy, match="stories_max_kernels_per_story=2"):
        capacity.reserve("a")
    capacity.started("a", None)  # that start failed: its place is free again
    assert capacity.can_start("a")


def test_the_total_cap_holds_across_stories():
    capacity = KernelCapacity(per_story=5, total=2)
    for slug, kernel in (("a", "k1"), ("b", "k2")):
        capacity.reserve(slug)
        capacity.started(slug, kernel)
    assert capacity.refusal("c") == "2 live story kernels in all (stories_max_kernels=2)"
    capacity.stopped("k1")
    assert capacity.can_start("c")
    capacity.forget_missing([])  # the manager has none left (e.g. one died)
    assert capacity.snapshot() == {"kernels": 0, "max_kernels": 2, "max_kernels_per_story": 5, "stories": {}}


def test_caps_come_from_the_settings(monkeypatch):
    monkeypatch.setenv("COMMONS_STORIES_MAX_KERNELS_PER_STORY", "4")
    monkeypatch.setenv("COMMONS_STORIES_MAX_KERNELS", "9")
    capacity = KernelCapacity.from_settings()
    assert (capacity.per_story, capacity.total) == (4, 9)
    monkeypatch.setenv("COMMONS_STORIES_MAX_KERNELS", "0")
    from commons_kernel.exceptions import ConfigurationError

    with pytest.raises(ConfigurationError, match="COMMONS_STORIES_MAX_KERNELS='0'.*1 or more"):
        KernelCapacity.from_settings()


def test_a_client_may_open_so_many_sessions_a_minute():
    now = [1000.0]
    limit = SessionRateLimit(per_minute=3, clock=lambda: now[0])
    assert [limit.allow("10.0.0.1") for _ in range(4)] == [True, True, True, False]
    assert limit.allow("10.0.0.2")  # another visitor is not affected
    now[0] += 61
    assert limit.allow("10.0.0.1")


def test_the_client_is_the_address_the_proxy_added_last():
    assert client_address("127.0.0.1", "203.0.113.9") == "203.0.113.9"
    # a visitor can send their own X-Forwarded-For; the proxy appends what it saw, and only that counts
    assert client_address("127.0.0.1", "1.2.3.4, 203.0.113.9") == "203.0.113.9"
    assert client_address("127.0.0.1", None) == "127.0.0.1"


def test_only_published_apps_match_the_render_route():
    assert APP_PATH.match("your-neighbourhood/app.ipynb")["slug"] == "your-neighbourhood"
    for path in (
        "your-neighbourhood/story.ipynb",
        "../secrets/app.ipynb",
        "runs/x/app.ipynb/..",
        "a/b/app.ipynb",
        "app.ipynb",
        "",
    ):
        assert APP_PATH.match(path) is None, path


def snapshot_with_pages(tmp_path, places=("E05000001", "E05000002")):
    snapshot = tmp_path / "run"
    (snapshot / "pages").mkdir(parents=True)
    info = {
        "slug": "demo",
        "title": "Demo",
        "summary": "About <places>.",
        "parameter": "ward",
        "places": [{"code": code, "name": f"Place {code}"} for code in places],
    }
    (snapshot / "story.json").write_text(json.dumps(info))
    for code in places:
        (snapshot / "pages" / f"{code}.html").write_text(
            f"<!doctype html><html><head><title>{code}</title></head><body><main><h1>Page of {code}</h1></main>"
            "</body></html>"
        )
    return snapshot


def test_the_busy_page_is_the_static_page_of_the_place_asked_for(tmp_path):
    page = busy_page(snapshot_with_pages(tmp_path), "demo", "ward=E05000002", "/services/stories/")
    assert "Page of E05000002" in page and BUSY_NOTE in page
    assert '<base href="/services/stories/demo/pages/">' in page  # its relative links still work
    assert page.index(BUSY_NOTE) > page.index("<main>")
    assert 'href="../app?ward=E05000002"' in page


def test_the_busy_page_falls_back_to_the_first_place_and_escapes_the_query(tmp_path):
    page = busy_page(snapshot_with_pages(tmp_path), "demo", 'ward=nowhere"><script>', "/services/stories/")
    assert "Page of E05000001" in page and "<script>" not in page


def test_without_pages_the_busy_page_lists_the_places(tmp_path):
    snapshot = snapshot_with_pages(tmp_path)
    for page in (snapshot / "pages").iterdir():
        page.unlink()
    page = busy_page(snapshot, "demo", "", "/services/stories/")
    assert BUSY_NOTE in page and 'href="E05000002.html"' in page and "About &lt;places&gt;." in page


def test_voila_uses_the_capped_manager_and_culls_within_a_minute():
    c = voila_config("/srv/published", 10999, "127.0.0.1")
    assert c.VoilaConfiguration.multi_kernel_manager_class is CappedKernelManager
    assert c.MappingKernelManager.cull_idle_timeout + c.MappingKernelManager.cull_interval <= 60
    assert c.MappingKernelManager.cull_connected is True
    assert story_of("your-neighbourhood") == "your-neighbourhood" and story_of(None) == "(none)"


def test_the_manager_refuses_a_visitor_and_makes_the_pool_wait_when_full(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMONS_STORIES_MAX_KERNELS_PER_STORY", "1")
    (tmp_path / "demo").mkdir()

    async def scenario():
        (tmp_path / "conn").mkdir()
        manager = CappedKernelManager(root_dir=str(tmp_path), connection_dir=str(tmp_path / "conn"))
        first = await manager.start_kernel(path="demo")
        try:
            with pytest.raises(StoriesBusy):
                await manager.start_kernel(path="demo")
            assert manager.capacity.count("demo") == 1
            pooled = asyncio.ensure_future(manager.start_kernel(path="demo", env={"VOILA_PREHEAT": "True"}))
            await asyncio.sleep(0.5)
            assert not pooled.done()  # waits for a place, does not fail
            await manager.shutdown_kernel(first, now=True)
            second = await asyncio.wait_for(pooled, 60)
            assert manager.capacity.snapshot()["stories"] == {"demo": 1}
            await manager.shutdown_kernel(second, now=True)
            assert manager.capacity.count() == 0
        finally:
            await manager.shutdown_all(now=True)

    asyncio.run(scenario())
