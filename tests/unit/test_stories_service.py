"""The public stories service's configuration: no token reaches it, Voilà as the issue asks, the gallery."""

from __future__ import annotations

import json

import pytest

from commons_hub.publishing import snapshot
from commons_hub.services.refresher import hub as refresher_hub
from commons_hub.services.stories import hub as stories_hub
from commons_hub.services.stories.app import scrub_environment, voila_config
from commons_hub.services.stories.gallery import published_stories, story_card

pytestmark = pytest.mark.unit


class Ctx:
    env = {"COMMONS_HOME": "/tmp/x"}
    python = "python"

    def service_url(self, name):
        return "http://127.0.0.1:10999"


def test_tokens_are_removed_from_the_public_service_environment():
    environ = {
        "JUPYTERHUB_API_TOKEN": "secret",
        "JPY_API_TOKEN": "secret",
        "COMMONS_API_TOKEN": "secret",
        "JUPYTERHUB_API_URL": "http://hub",
        "JUPYTERHUB_SERVICE_URL": "http://127.0.0.1:1",
        "PATH": "/bin",
    }
    removed = scrub_environment(environ)
    assert set(removed) == {"JUPYTERHUB_API_TOKEN", "JPY_API_TOKEN", "COMMONS_API_TOKEN", "JUPYTERHUB_API_URL"}
    assert environ == {"JUPYTERHUB_SERVICE_URL": "http://127.0.0.1:1", "PATH": "/bin"}


def test_voila_is_configured_for_public_story_apps():
    c = voila_config("/srv/published", 10999, "127.0.0.1")
    assert c.Voila.base_url == "/services/stories/" and c.Voila.port == 10999 and c.Voila.ip == "127.0.0.1"
    assert {"@jupyter-widgets/jupyterlab-manager", "@voila-dashboards/widgets-manager8", "jupyterlab-plotly"} <= set(
        c.VoilaConfiguration.extension_allowlist
    )
    assert c.VoilaConfiguration.preheat_kernel is True and c.VoilaConfiguration.default_pool_size >= 1
    assert c.VoilaExecutor.timeout > 0 and c.MappingKernelManager.cull_idle_timeout > 0
    assert c.VoilaConfiguration.file_allowlist == []


def test_the_stories_service_is_public_and_holds_no_token_and_no_role():
    spec = stories_hub.configure(Ctx(), {"stories_token": "t"})
    assert spec["role"] is None and "api_token" not in spec["service"]
    assert spec["service"]["name"] == "stories" and spec["service"]["url"].startswith("http://127.0.0.1")


def test_the_refresher_has_no_route_and_reaches_only_the_data_api():
    spec = refresher_hub.configure(Ctx(), {"stories_token": "t"})
    assert "url" not in spec["service"]
    assert spec["service"]["api_token"] == "t"
    assert spec["role"]["scopes"] == ["access:services!service=data-api"]
    assert spec["role"]["services"] == ["refresher"]


def test_the_gallery_lists_published_stories_with_links(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMONS_HOME", str(tmp_path))
    run = tmp_path / "stories" / "runs" / "demo" / "r1"
    run.mkdir(parents=True)
    info = {
        "slug": "demo",
        "title": "Demo <story>",
        "summary": "About places.",
        "parameter": "ward",
        "published_at": "2026-11-21T10:00:00",
        "thumbnail": True,
        "places": [
            {"code": "E05000001", "name": "First", "group": "Borough A"},
            {"code": "E05000002", "name": "Second", "group": "Borough B"},
        ],
    }
    (run / "story.json").write_text(json.dumps(info))
    snapshot.promote("demo", run)
    (listed,) = published_stories()
    card = story_card(listed)
    assert "Demo &lt;story&gt;" in card  # escaped
    assert 'href="demo/app"' in card and 'src="demo/thumbnail.png"' in card
    assert 'href="demo/pages/E05000002.html"' in card and "<h4>Borough B</h4>" in card


def test_the_gallery_says_the_data_period_beside_the_refresh_date_and_the_licences(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMONS_HOME", str(tmp_path))
    run = tmp_path / "stories" / "runs" / "crime" / "r1"
    run.mkdir(parents=True)
    info = {
        "slug": "crime",
        "title": "Crime",
        "summary": "Crime.",
        "parameter": "area",
        "published_at": "2026-12-01T05:50:00",
        "thumbnail": True,
        "places": [{"code": "E08000012", "name": "Liverpool", "group": ""}],
        "periods": [{"what": "crime", "dataset": "police_crime_2021_12", "period": "December 2021"}],
        "sources": [
            {
                "name": "police_crime_2021_12",
                "title": "Street crime <police.uk>",
                "licence": "OGL-UK-3.0",
                "licence_url": "javascript:alert(1)",
                "attribution": "Contains public sector information",
            }
        ],
    }
    (run / "story.json").write_text(json.dumps(info))
    snapshot.promote("crime", run)
    card = story_card(published_stories()[0])
    assert '<p class="small">Data: December 2021 · Updated 2026-12-01.</p>' in card
    assert "Street crime &lt;police.uk&gt;. Licence: OGL-UK-3.0. Contains public sector information" in card
    assert "javascript:" not in card  # a licence is linked only when it is http(s)
    assert 'id="crime-places"' in card and "Find your area" in card
