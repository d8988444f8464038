"""The refresher's runner on a toy story (real Papermill kernels, no data-api): publish, skip when nothing changed,
keep the last good version when a place fails or the process is killed, and record every run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from commons_hub.audit import AuditLog
from commons_hub.db import engine
from commons_hub.publishing import snapshot
from commons_hub.publishing.history import RunHistory
from commons_hub.publishing.runner import Refresher
from commons_kernel.stories.model import load_story
from tests.unit.stories_doubles import TOY_STORIES, FakeInputs

pytestmark = [pytest.mark.unit, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMONS_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture
def history(home):
    return RunHistory(engine(f"sqlite:///{home / 'governance.sqlite'}"))


@pytest.fixture
def story():
    return load_story(TOY_STORIES / "toy-story")


def refresher(home, history, inputs=None, workers=2):
    return Refresher(
        inputs or FakeInputs(),
        "token",
        "http://127.0.0.1:9",
        home=home,
        history=history,
        stories_folder=TOY_STORIES,
        workers=workers,
    )


def test_a_refresh_publishes_every_place_with_checked_numbers(home, history, story):
    result = refresher(home, history).refresh(story)
    assert result.status == "published", result.error
    published = snapshot.published("toy-story", home)
    assert published is not None and published.name == result.run_id
    link = json.loads((published / "story.json").read_text())["published"]
    assert not Path(link).is_absolute() and (published / link).resolve() == published  # a waiting app finds it
    pages = {p.stem: p.read_text() for p in (published / "pages").glob("*.html")}
    assert set(pages) == {"A1", "B2", "C3"}
    assert "People: 120." in pages["A1"]
    assert "People: fewer than 10." in pages["B2"]  # 4 people: suppressed before the page
    assert "artefacts =" not in pages["A1"] and "kit.show" not in pages["A1"]  # inputs hidden
    assert "Synthetic data" in pages["A1"]  # synthetic sources are named as such
    info = json.loads((published / "story.json").read_text())
    assert [p["code"] for p in info["places"]] == ["A1", "B2", "C3"] and info["thumbnail"]
    assert (published / "app.ipynb").is_file() and (published / "toy.py").is_file()
    assert not (home / "stories" / "work" / "toy-story" / result.run_id / "raw").exists()
    run = history.get(result.run_id)
    assert run["status"] == "published" and run["input_versions"]["toy_counts"] == 1
    assert run["parameters"] == {"place": ["A1", "B2", "C3"]}
    entry = AuditLog(history.engine).tail(1)[0]
    assert entry["action"] == "story-run" and entry["outcome"] == "ok" and entry["actor"] == "refresher"


def test_unchanged_inputs_are_skipped_unless_forced(home, history, story):
    inputs = FakeInputs()
    first = refresher(home, history, inputs).refresh(story)
    skipped = refresher(home, history, inputs).refresh(story)
    assert skipped.status == "skipped" and first.run_id in skipped.error
    assert snapshot.published("toy-story", home).name == first.run_id
    inputs.versions["toy_counts"] = 2
    changed = refresher(home, history, inputs).refresh(story)
    assert changed.status == "published" and changed.run_id != first.run_id
    forced = refresher(home, history, inputs).refresh(story, force=True)
    assert forced.status == "published"


def test_a_failure_mid_run_keeps_the_last_good_version(home, history, story):
    good = refresher(home, history).refresh(story)
    before = (snapshot.published("toy-story", home) / "pages" / "A1.html").read_text()
    failing = FakeInputs(places=("A1", "FAIL", "C3"), version=2)
    result = refresher(home, history, failing, workers=1).refresh(story)
    assert result.status == "failed"
    assert "FAIL" in result.error and "the toy story fails" in result.error
    assert snapshot.published("toy-story", home).name == good.run_id
    assert (snapshot.published("toy-story", home) / "pages" / "A1.html").read_text() == before
    assert not (home / "stories" / "runs" / "toy-story" / result.run_id).exists()
    assert history.get(result.run_id)["status"] == "failed"
    assert AuditLog(history.engine).tail(1)[0]["outcome"] == "error"


def rendering_a_place(home, history, previous_run: str) -> bool:
    """True once the new run is recorded as running and has started writing place notebooks."""
    latest = history.recent("toy-story", 1)[0]
    if latest["run_id"] == previous_run or latest["status"] != "running":
        return False
    return any((home / "stories" / "work" / "toy-story" / latest["run_id"] / "notebooks").glob("*.ipynb"))


def test_kill_9_during_a_run_leaves_the_published_snapshot_intact(home, history, story):
    good = refresher(home, history).refresh(story)
    published = snapshot.published("toy-story", home)
    files = {p: p.read_bytes() for p in published.rglob("*") if p.is_file()}
    env = {**os.environ, "COMMONS_HOME": str(home), "TOY_STORY_SLOW": "3"}
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.unit.stories_refresh_child", str(home)], cwd=ROOT, env=env, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not rendering_a_place(home, history, good.run_id):
            assert child.poll() is None, "the refresh ended before it could be killed"
            time.sleep(0.1)
        os.killpg(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
    assert snapshot.published("toy-story", home).name == good.run_id
    assert {p: p.read_bytes() for p in published.rglob("*") if p.is_file()} == files
    assert history.mark_interrupted() == 1
    assert history.recent("toy-story", 1)[0]["status"] == "interrupted"
    again = refresher(home, history, FakeInputs(version=3)).refresh(story)  # the lock died with the process
    assert again.status == "published"
