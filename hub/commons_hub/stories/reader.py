"""The Voilà app of a published story: a place picker over the snapshot's artefacts that redraws the page in place.

It reads only files of its own snapshot folder (story.json, artefacts/, the story's module): a public kernel holds
no data-api token and reads no governed data. With preheated kernels, ``StoryApp()`` (imports, artefacts and the
example place's page) runs before a visitor arrives; ``follow_request()`` then waits for the visitor's request and
opens the place named in the address (``?ward=E05000886``), if any.
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from urllib.parse import parse_qs

import ipywidgets as widgets
from voila.utils import get_query_string  # imported before a visitor arrives (preheated kernels)

from commons_hub.stories import artefacts as artefact_store
from commons_hub.stories import kit
from commons_hub.stories.blocks import output_records


class StoryApp:
    def __init__(self, folder: Path | str = "."):
        self.folder = Path(folder).resolve()
        self.info = json.loads((self.folder / "story.json").read_text())
        self.module = kit.story_module(self.info["slug"])
        self.data = artefact_store.load(self.folder / "artefacts")
        self.codes = {place["code"] for place in self.info["places"]}
        example = self.info.get("example")
        initial = example if example in self.codes else self.info["places"][0]["code"]
        self.picker = widgets.Dropdown(
            options=[(place["label"], place["code"]) for place in self.info["places"]], value=initial,
            description=self.info.get("parameter_label", "Place"), style={"description_width": "initial"},
            layout=widgets.Layout(width="min(100%, 32rem)"))
        self.links = widgets.HTML()
        self.output = widgets.Output(layout=widgets.Layout(width="100%"))
        self.picker.observe(lambda change: self.show(change["new"]), names="value")
        header = widgets.HTML(f'<p><a href="../../../">&larr; All stories</a></p>'
                              f'<h1>{html.escape(self.info["title"])}</h1><p>{html.escape(self.info["summary"])}</p>')
        self.view = widgets.VBox([header, self.picker, self.links, self.output])
        self.show(initial)

    def show(self, code: str) -> None:
        self.output.outputs = tuple(record for block in kit.page(self.module, self.data, code)
                                    for record in output_records(block))
        page = f"../../../{self.info['slug']}/pages/{code}.html"
        self.links.value = (f'<p><a href="{page}">A simple page for this place</a> (quick to load, easy to share '
                            f'and print).</p>')

    def follow_request(self) -> str | None:
        """Wait for the visitor (preheated kernels) and open the place the address asks for."""
        query = get_query_string() or os.environ.get("QUERY_STRING", "")
        wanted = (parse_qs(query).get(self.info["parameter"]) or [None])[0]
        if wanted in self.codes and wanted != self.picker.value:
            self.picker.value = wanted
        return wanted
