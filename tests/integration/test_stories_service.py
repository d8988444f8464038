"""Stories end to end on the real hub: the refresher's CLI publishes each story for two places as the stories
identity; residents reach the gallery, static pages and Voilà apps anonymously through the proxy; public kernels
hold no token; unchanged inputs are skipped; every run is in the history and the audit log."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.integration.hubfixture import ROOT, free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# Two places per story, St Helens' 2022 wards and Halton (no Merseyside Police data) included.
PLACES = {
    "your-neighbourhood": ["E05000887", "E05014121"],
    "deprivation-across-the-region": ["E47000004", "E08000011"],
    "crime-by-area": ["E08000012", "E47000004"],
    "children-and-older-people": ["E05000887", "E05014121"],
}
TITLES = {
    "your-neighbourhood": "Your neighbourhood",
    "deprivation-across-the-region": "Deprivation across the City Region",
    "crime-by-area": "Recorded crime by area",
    "children-and-older-people": "Children and older people on low incomes",
}


def commons(hub, *args, timeout=600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "commons_hub.cli", *args],
        env=hub.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def published(hub):
    for slug, places in PLACES.items():
        info = hub.public_dir / "stories" / "published" / slug / "story.json"
        if info.exists() and set(places) == {p["code"] for p in json.loads(info.read_text())["places"]}:
            continue  # published already (by another test) with these places
        args = ["stories", "refresh", slug]
        for place in places:
            args += ["--place", place]
        result = commons(hub, *args)
        assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
        assert f"{slug}: published" in result.stdout
    return hub.public_dir / "stories" / "published"


def test_each_story_is_published_for_two_places(published):
    for slug, places in PLACES.items():
        info = json.loads((published / slug / "story.json").read_text())
        assert sorted(p["code"] for p in info["places"]) == sorted(places)
        assert sorted(p.stem for p in (published / slug / "pages").glob("*.html")) == sorted(places)
        assert (published / slug / "thumbnail.png").stat().st_size > 1000


def test_gallery_and_static_pages_are_public(hub, published):
    gallery = requests.get(f"{hub.url}/services/stories/", timeout=30)
    assert gallery.status_code == 200
    for slug, title in TITLES.items():
        assert title in gallery.text and f'href="{slug}/app"' in gallery.text
    page = requests.get(f"{hub.url}/services/stories/your-neighbourhood/pages/E05000887.html", timeout=30)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    assert "Anfield, Liverpool" in page.text and "Where these numbers come from" in page.text
    assert "Open Government Licence" in page.text or "OGL" in page.text
    assert "kit.prepare" not in page.text  # input cells hidden
    st_helens = requests.get(f"{hub.url}/services/stories/your-neighbourhood/pages/E05014121.html", timeout=30)
    assert "Blackbrook" in st_helens.text
    crime = requests.get(f"{hub.url}/services/stories/crime-by-area/pages/E08000012.html", timeout=30).text
    assert "per 1,000 residents" in crime and "Cheshire Constabulary" in crime
    picture = requests.get(f"{hub.url}/services/stories/deprivation-across-the-region/thumbnail.png", timeout=30)
    assert picture.status_code == 200 and picture.headers["Content-Type"] == "image/png"
    plotly = requests.get(f"{hub.url}/services/stories/static/plotly.min.js", timeout=30)
    assert plotly.status_code == 200 and len(plotly.content) > 1_000_000  # served here: no CDN
    for outside in ("../../secrets.json", "your-neighbourhood/../../../secrets.json"):
        assert requests.get(f"{hub.url}/services/stories/{outside}", timeout=30).status_code in (403, 404)


def test_the_app_opens_anonymously_with_a_deep_link(hub, published):
    response = requests.get(f"{hub.url}/services/stories/your-neighbourhood/app?ward=E05014121", timeout=120)
    assert response.status_code == 200
    assert response.url.endswith("/services/stories/voila/render/your-neighbourhood/app.ipynb?ward=E05014121")
    assert "application/vnd.jupyter.widget-view+json" in response.text


def voila_kernel_environments(home: Path) -> list[dict]:
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            pairs = environ.read_bytes().split(b"\0")
        except OSError:
            continue
        env = dict(p.decode(errors="replace").split("=", 1) for p in pairs if b"=" in p)
        if env.get("COMMONS_HOME") == str(home) and "VOILA_BASE_URL" in env:
            found.append(env)
    return found


def test_public_kernels_hold_no_token(hub, published):
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not voila_kernel_environments(hub.home):
        time.sleep(1)
    kernels = voila_kernel_environments(hub.home)
    assert kernels, "no Voilà kernel found (the preheated pool should hold one per published story)"
    for env in kernels:
        assert not {"JUPYTERHUB_API_TOKEN", "JPY_API_TOKEN", "COMMONS_API_TOKEN"} & set(env)


def test_the_stories_token_reaches_only_the_data_api(hub):
    token = hub.secrets["stories_token"]
    me = requests.get(f"{hub.url}/hub/api/user", headers={"Authorization": f"token {token}"}, timeout=30).json()
    assert me["kind"] == "service" and me["name"] == "refresher"
    assert "access:services!service=data-api" in me["scopes"]
    assert not [s for s in me["scopes"] if s.startswith(("admin", "read:users", "tokens", "servers"))]
    assert (
        requests.get(f"{hub.url}/hub/api/users", headers={"Authorization": f"token {token}"}, timeout=30).status_code
        == 403
    )
    assert requests.get(f"{hub.url}/services/refresher/", timeout=30).status_code == 404


def test_runs_and_reads_are_audited_as_the_refresher(hub, published):
    from commons_hub.audit import AuditLog
    from commons_hub.db import engine

    entries = list(AuditLog(engine(f"sqlite:///{hub.home / 'governance.sqlite'}")).entries())
    runs = [e for e in entries if e["action"] == "story-run"]
    assert {
        json.loads(e["detail"])["story"] if isinstance(e["detail"], str) else e["detail"]["story"] for e in runs
    } >= set(PLACES)
    reads = [e for e in entries if e["action"] == "read" and e["actor"] == "refresher"]
    assert {"imd2019_lsoa11", "police_crime_2021_12", "boundaries_lsoa11"} <= {e["dataset"] for e in reads}
    assert all(e["actor_kind"] == "service" for e in reads)


def test_unchanged_inputs_are_skipped_and_status_shows_the_history(hub, published):
    result = commons(hub, "stories", "refresh", "crime-by-area")
    assert result.returncode == 0, result.stderr
    assert "crime-by-area: skipped" in result.stdout and "inputs unchanged" in result.stdout
    status = commons(hub, "stories", "status", "--json")
    report = json.loads(status.stdout)
    statuses = {(r["story"], r["status"]) for r in report["runs"]}
    assert ("crime-by-area", "skipped") in statuses and ("your-neighbourhood", "published") in statuses
    published_run = next(r for r in report["runs"] if r["story"] == "your-neighbourhood" and r["status"] == "published")
    assert published_run["input_versions"]["imd2025_lsoa21"] >= 1 and published_run["ended_at"]
    text = commons(hub, "stories", "status").stdout
    assert "your-neighbourhood" in text and "published run" in text


def test_the_stories_service_stops_within_seconds_after_a_page_was_opened(hub, published):
    port = free_port()
    env = {**hub.env, "JUPYTERHUB_SERVICE_URL": f"http://127.0.0.1:{port}"}
    service = subprocess.Popen(
        [sys.executable, "-m", "commons_hub.services.stories.app"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/services/stories/voila/render/crime-by-area/app.ipynb"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if requests.get(url, timeout=60).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.5)
        else:
            pytest.fail("the standalone stories service did not render the app")
        started = time.monotonic()
        os.kill(service.pid, signal.SIGTERM)
        service.wait(timeout=30)
        assert time.monotonic() - started < 12
    finally:
        if service.poll() is None:
            os.killpg(service.pid, signal.SIGKILL)
