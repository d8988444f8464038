"""The live app's chooser without Voilà: the app over a published-like snapshot folder (artefacts computed from the
ingested store), the visitor's address given as Voilà gives it. A known ward opens it and the address follows; an
unknown one shows a message and nothing else; a borough then a ward, or the search, opens a ward."""

from __future__ import annotations

import json
import shutil

import pytest

from commons_kernel.stories import artefacts as artefact_store
from commons_kernel.stories import kit, reader
from commons_kernel.stories.model import stories_dir
from tests.unit.stories_store_double import StoreKernel

pytestmark = pytest.mark.unit
SLUG = "your-neighbourhood"
PLACES = [
    {"code": "E05000887", "name": "Anfield", "group": "Liverpool", "label": "Anfield (Liverpool)"},
    {"code": "E05014121", "name": "Blackbrook", "group": "St. Helens", "label": "Blackbrook (St. Helens)"},
]


@pytest.fixture(scope="module")
def snapshot_folder(seeded_home, tmp_path_factory):
    folder = tmp_path_factory.mktemp("published") / SLUG
    module = kit.story_module(SLUG)
    ck = StoreKernel(seeded_home)
    sources = [ck.describe(name) for name in module.STORY["datasets"]]
    artefact_store.save(module.compute(ck), folder / "raw", sources)
    artefact_store.disclose(folder / "raw", folder / "artefacts")
    shutil.rmtree(folder / "raw")
    for name in ("neighbourhood.py", "story.yaml"):
        shutil.copy(stories_dir() / SLUG / name, folder / name)
    (folder / "story.json").write_text(
        json.dumps(
            {
                "slug": SLUG,
                "title": "Your neighbourhood",
                "summary": "A ward against its borough.",
                "parameter": "ward",
                "parameter_label": "Your ward",
                "example": "E05000886",
                "places": PLACES,
            }
        )
    )
    return folder


@pytest.fixture
def app_for(snapshot_folder, monkeypatch):
    monkeypatch.chdir(snapshot_folder)

    def make(query: str) -> reader.StoryApp:
        monkeypatch.setattr(reader, "get_query_string", lambda: query)
        app = reader.StoryApp(snapshot_folder)
        app.follow_request()
        return app

    return make


def shown_heading(app) -> str:
    return next(r["data"]["text/markdown"] for r in app.output.outputs if "text/markdown" in r["data"]).split("\n")[0]


def test_a_known_ward_opens_and_the_address_and_title_follow(app_for):
    app = app_for("ward=E05014121")
    assert app.current == "E05014121" and shown_heading(app) == "## Blackbrook, St. Helens"
    assert 'data-commons-address="E05014121"' in app.address.value
    assert "Your neighbourhood: Blackbrook (St. Helens)" in app.address.value
    assert (app.group.value, app.picker.value, app.message.value) == ("St. Helens", "E05014121", "")


def test_an_unknown_ward_shows_a_message_and_the_chooser_not_another_ward(app_for):
    app = app_for("ward=Narnia")
    assert app.current is None and app.output.outputs == () and app.picker.value is None
    assert "We don&#x27;t know a ward called &#x27;Narnia&#x27;. Choose one below." in app.message.value
    assert app.address.value == ""  # the address stays as the visitor typed it
    assert app.search in app.view.children and app.picker in app.view.children


def test_a_borough_then_a_ward_or_the_search_opens_a_ward(app_for):
    app = app_for("")
    assert "This is an example: Anfield (Liverpool)" in app.message.value
    app.group.value = "St. Helens"
    assert app.picker.value is None and app.picker.options == (("Blackbrook", "E05014121"),)
    assert app.current == "E05000887"  # a borough alone changes no page
    app.picker.value = "E05014121"
    assert app.current == "E05014121" and 'data-commons-address="E05014121"' in app.address.value
    assert app.message.value == ""
    app.search.value = "Anfield (Liverpool)"
    assert (app.current, app.group.value, app.picker.value) == ("E05000887", "Liverpool", "E05000887")


def test_a_kernel_preheated_before_a_refresh_shows_the_new_snapshot(snapshot_folder, tmp_path, monkeypatch):
    """A preheated kernel loads its snapshot before the visitor comes; a refresh in between switches the published
    link. The visitor must get the new run's places, not the old run's."""
    runs, published = tmp_path / "runs", tmp_path / "published"
    published.mkdir()
    for run, places in (("r1", PLACES[:1]), ("r2", PLACES)):
        shutil.copytree(snapshot_folder, runs / run)
        info = json.loads((runs / run / "story.json").read_text())
        info.update(places=places, published=f"../../published/{SLUG}", example=places[0]["code"])
        (runs / run / "story.json").write_text(json.dumps(info))
    (published / SLUG).symlink_to(runs / "r1", target_is_directory=True)
    monkeypatch.chdir(published / SLUG)
    app = reader.StoryApp(published / SLUG)
    assert [p["code"] for p in app.places] == ["E05000887"]
    temporary = published / ".switch"
    temporary.symlink_to(runs / "r2", target_is_directory=True)
    temporary.replace(published / SLUG)  # what the refresher's promote does, atomically
    asked = []  # Voilà's get_query_string waits for the visitor's request: a second call would wait for ever
    monkeypatch.setattr(reader, "get_query_string", lambda: asked.append(1) or "ward=E05014121")
    assert app.follow_request() == "E05014121"
    assert len(asked) == 1
    assert "Blackbrook" in shown_heading_of(app.view) and "commons-notice" not in str(app.view.children[1].value)


def shown_heading_of(view) -> str:
    output = next(child for child in view.children if hasattr(child, "outputs"))
    return next(r["data"]["text/markdown"] for r in output.outputs if "text/markdown" in r["data"]).split("\n")[0]
