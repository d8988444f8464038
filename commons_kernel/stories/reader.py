"""The Voilà app of a published story: a place chooser over the snapshot's artefacts that redraws the page in place.

It reads only files of its own snapshot folder (story.json, artefacts/, the story's module): a public kernel holds
no data-api token and reads no governed data. With preheated kernels, ``StoryApp()`` (imports, artefacts and the
example place's page) runs before a visitor arrives; ``follow_request()`` then waits for the visitor's request and
opens the place named in the address (``?ward=E05000886``). A place the story does not know gets a message and the
chooser, not the example. From then on the address and the tab's title follow the chosen place (a small hidden
frame calls ``history.replaceState`` in the page), so a copied link shares the place on the screen. If the story was
refreshed while the kernel waited, ``follow_request()`` shows the newly published snapshot instead.

The chooser: type-ahead search by name (a combobox over every place, "Anfield (Liverpool)"), and the places
grouped by borough (a borough, then one of its wards), all labelled native controls a keyboard can use.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

import ipywidgets as widgets
from voila.utils import get_query_string  # imported before a visitor arrives (preheated kernels)

from commons_kernel.stories import artefacts as artefact_store
from commons_kernel.stories import chooser, kit
from commons_kernel.stories.blocks import Text, output_records

SEARCH_FROM = 12  # places; fewer (in one group) fit in one list
WIDE = widgets.Layout(width="min(100%, 32rem)", margin="2px 0")  # ipywidgets' own 2 px side margins overflowed 100%
# The widgets' own focus is a 1 px border of a paler blue: a ring of 3:1 or more instead (WCAG 2.4.7, 1.4.11).
FOCUS_STYLE = (
    "<style>html .jupyter-widgets select:focus-visible, html .jupyter-widgets input:focus-visible, "
    "html .jupyter-widgets a:focus-visible, html .jupyter-widgets button:focus-visible "
    "{ outline: 3px solid #1b1b1b !important; outline-offset: 2px; }</style>"
)
NOTICE_STYLE = "background:#fff7d6;border-left:4px solid #b58a00;padding:0.75rem 1rem;margin:0.5rem 0"


def _script_json(value) -> str:
    return json.dumps(value).replace("</", "<\\/")


def address_frame(parameter: str, code: str, title: str) -> str:
    """A hidden frame whose script puts ``?parameter=code`` in the page's address (no reload) and sets its title.
    A ``srcdoc`` frame has the page's origin, so it may; the HTML widget shows it as it is, scripts included."""
    script = (
        "try{var w=window.parent,u=new URL(w.location.href);"
        f"u.searchParams.set({_script_json(parameter)},{_script_json(code)});"
        "w.history.replaceState(w.history.state,'',u.href);"
        f"w.document.title={_script_json(title)};}}catch(e){{}}"
    )
    document = f'<!doctype html><html lang="en-GB"><title>address</title><script>{script}</script></html>'
    return (
        f'<iframe hidden tabindex="-1" aria-hidden="true" title="address" data-commons-address="{html.escape(code)}"'
        f' srcdoc="{html.escape(document)}"></iframe>'
    )


def notice(message: str) -> str:
    return f'<p class="commons-notice" role="alert" style="{NOTICE_STYLE}">{html.escape(message)}</p>'


def demoted(block):
    """The story's headings one level down: the app's own title is the page's one <h1>."""
    if isinstance(block, Text):
        return Text(re.sub(r"^(#{1,5}) ", r"#\1 ", block.markdown, flags=re.MULTILINE))
    return block


class StoryApp:
    def __init__(self, folder: Path | str = "."):
        self.folder = Path(folder).resolve()
        self.info = json.loads((self.folder / "story.json").read_text())
        self.module = kit.story_module(self.info["slug"])
        self.data = artefact_store.load(self.folder / "artefacts")
        self.places = self.info["places"]
        self.by_code = {place["code"]: place for place in self.places}
        self.codes = set(self.by_code)
        self.parameter = self.info["parameter"]
        self.word = chooser.noun(self.parameter)
        self.groups = chooser.grouped(self.places)
        self.current: str | None = None
        self.following = False  # the visitor's request has come: choices now change the address
        self._quiet = False  # widgets being set by the app itself, not by the visitor
        example = self.info.get("example")
        initial = example if example in self.codes else self.places[0]["code"]

        self.message = widgets.HTML()
        self.search = widgets.Combobox(
            options=[place["label"] for place in self.places],
            ensure_option=True,
            placeholder=f"Start typing a {self.word} name",
            description=f"Find your {self.word} by name",
            style={"description_width": "initial"},
            layout=WIDE,
        )
        self.by_label = {place["label"]: place["code"] for place in self.places}
        grouped = len(self.groups) > 1
        self.group = (
            widgets.Dropdown(
                options=[group for group, _ in self.groups],
                description=self.info.get("group_label") or "Borough",
                style={"description_width": "initial"},
                layout=WIDE,
            )
            if grouped
            else None
        )
        self.picker = widgets.Dropdown(
            options=self._options(self.by_code[initial].get("group", "")),
            value=initial,
            description=self.info.get("parameter_label", "Place"),
            style={"description_width": "initial"},
            layout=WIDE,
        )
        if self.group is not None:
            self.group.value = self.by_code[initial].get("group", "")
            self.group.observe(self._group_changed, names="value")
        self.picker.observe(self._picked, names="value")
        self.search.observe(self._searched, names="value")
        self.address = widgets.HTML()
        self.links = widgets.HTML()
        self.output = widgets.Output(layout=widgets.Layout(width="100%"))
        header = widgets.HTML(
            f'{FOCUS_STYLE}<p><a href="../../../">&larr; All stories</a></p>'
            f"<h1>{html.escape(self.info['title'])}</h1><p>{html.escape(self.info['summary'])}</p>"
        )
        controls = [self.search] if len(self.places) >= SEARCH_FROM or grouped else []
        controls += [self.group, self.picker] if self.group is not None else [self.picker]
        self.view = widgets.VBox([header, self.message, *controls, self.address, self.links, self.output])
        self.show(initial)

    # -- the chooser ---------------------------------------------------------------------------------------------
    def _options(self, group: str) -> list[tuple[str, str]]:
        if self.group is None:
            return [(place["label"], place["code"]) for place in self.places]
        members = next((m for g, m in self.groups if g == group), [])
        return [(place["name"], place["code"]) for place in members]

    def _set_quietly(self, widget, **values) -> None:
        self._quiet = True
        try:
            for name, value in values.items():
                setattr(widget, name, value)
        finally:
            self._quiet = False

    def _set_picker(self, options, value) -> None:
        """New options for the ward list. Its value is cleared first: otherwise ipywidgets picks the first option,
        the browser shows it as chosen, and choosing that ward then sends nothing to the kernel."""
        self._quiet = True
        try:
            self.picker.value = None
            self.picker.options = options
            self.picker.value = value
        finally:
            self._quiet = False

    def _group_changed(self, change) -> None:
        if self._quiet:
            return
        options = self._options(change["new"])
        self._set_picker(options, self.current if self.current in {code for _, code in options} else None)

    def _picked(self, change) -> None:
        if not self._quiet and change["new"]:
            self.choose(change["new"])

    def _searched(self, change) -> None:
        code = self.by_label.get(change["new"])
        if not self._quiet and code:
            self.choose(code)

    def choose(self, code: str) -> None:
        """Show ``code`` and bring every control, the address and the tab title into step with it."""
        group = self.by_code[code].get("group", "")
        if self.group is not None and self.group.value != group:
            self._set_quietly(self.group, value=group)
            self._set_picker(self._options(group), code)
        if self.picker.value != code:
            self._set_quietly(self.picker, value=code)
        if self.search.value and self.by_label.get(self.search.value) != code:
            self._set_quietly(self.search, value="")
        self.message.value = ""
        self.show(code)

    # -- the page ------------------------------------------------------------------------------------------------
    def title_for(self, code: str | None) -> str:
        place = self.by_code.get(code or "")
        return f"{self.info['title']}: {place['label']}" if place else self.info["title"]

    def show(self, code: str) -> None:
        self.current = code
        self.output.outputs = tuple(
            record for block in kit.page(self.module, self.data, code) for record in output_records(demoted(block))
        )
        page = f"../../../{self.info['slug']}/pages/{code}.html"
        self.links.value = (
            f'<p><a href="{page}">A simple page for this {html.escape(self.word)}</a> (quick to '
            f"load, easy to share and print).</p>"
        )
        if self.following:
            self.address.value = address_frame(self.parameter, code, self.title_for(code))

    def show_nothing(self, message: str) -> None:
        self.current = None
        self.output.outputs = ()
        self.links.value = ""
        self._set_quietly(self.picker, value=None)
        self._set_quietly(self.search, value="")
        self.message.value = notice(message)

    def newer_snapshot(self) -> StoryApp | None:
        """The app over the story's published snapshot if a refresh has switched it since this kernel loaded (a
        preheated kernel loads before its visitor comes): shown in this app's place, so the first visitor after a
        refresh sees the new places and numbers, not the ones of the run before. ``story.json``'s ``published`` is
        the link the refresher switches, relative to the run folder."""
        link = self.info.get("published")
        if not link:
            return None
        current = (self.folder / link).resolve()
        if current == self.folder or not (current / "story.json").is_file():
            return None
        newer = StoryApp(current)
        self.view.children = newer.view.children
        return newer

    def follow_request(self) -> str | None:
        """Wait for the visitor (preheated kernels) and open the place the address asks for: a place the story does
        not know gets a message and the chooser; no place named, the example with a note saying so."""
        query = get_query_string() or os.environ.get("QUERY_STRING", "")  # asked once: it waits for the visitor
        newer = self.newer_snapshot()
        return newer.open_request(query) if newer is not None else self.open_request(query)

    def open_request(self, query: str) -> str | None:
        """Open the place ``query`` (the visitor's address) asks for, as ``follow_request`` describes."""
        choice = chooser.choose(self.places, self.parameter, query)
        self.following = True
        if choice.code and choice.code != self.current:
            self.choose(choice.code)
        elif choice.code:
            self.address.value = address_frame(self.parameter, choice.code, self.title_for(choice.code))
        elif choice.asked:
            self.show_nothing(choice.message)
        else:
            name = self.by_code[self.current]["label"] if self.current else ""
            self.message.value = notice(f"This is an example: {name}. Choose your {self.word} below.")
        return choice.code
