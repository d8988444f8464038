"""The static page a resident gets when the live app is busy: the same story, pre-rendered, with a short note.

The page for the place the app was asked for (``?ward=E05000887``) when there is one, else the story's first
place. It is served at the app's own address, so a ``<base>`` element keeps the page's relative links working.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import parse_qs

BUSY_NOTE = "The live version is busy; this is the same story as a page."
CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")

NOTE_HTML = (
    '<p class="notice" role="status" id="commons-busy">{note} <a href="{app}">Try the live version again'
    "</a> in a minute.</p>"
)

NO_PAGE = """<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><base href="{base}"><link rel="stylesheet" href="../../static/page.css"></head>
<body><header><a href="../../">&larr; All stories</a></header><main><h1>{title}</h1>{note}
<p>{summary}</p><ul class="places">{places}</ul></main></body></html>
"""


def chosen_place(info: dict, query: str) -> dict | None:
    """The place the app was asked for, if the story has a page for it; else its first place."""
    places = info.get("places") or []
    asked = parse_qs(query).get(str(info.get("parameter") or ""))
    wanted = asked[0] if asked else None
    for place in places:
        if wanted and place.get("code") == wanted:
            return place
    return places[0] if places else None


def busy_page(snapshot: Path, slug: str, query: str, prefix: str) -> str:
    """The fallback page's HTML for story ``slug`` whose published snapshot is ``snapshot``."""
    info = json.loads((snapshot / "story.json").read_text())
    base = f"{prefix.rstrip('/')}/{slug}/pages/"
    place = chosen_place(info, query)
    app = f"../app?{html.escape(query)}" if query else "../app"
    note = NOTE_HTML.format(note=html.escape(BUSY_NOTE), app=app)
    page = snapshot / "pages" / f"{place['code']}.html" if place and CODE.match(str(place.get("code"))) else None
    if page is None or not page.is_file():
        e = html.escape
        places = "".join(
            f'<li><a href="{e(p["code"])}.html">{e(p["name"])}</a></li>'
            for p in info.get("places") or []
            if CODE.match(str(p.get("code")))
        )
        return NO_PAGE.format(
            title=e(info.get("title", slug)), base=e(base), note=note, summary=e(info.get("summary", "")), places=places
        )
    text = page.read_text(encoding="utf-8")
    text = text.replace("<head>", f'<head>\n<base href="{html.escape(base)}">', 1)
    if "<main>" in text:
        return text.replace("<main>", f"<main>\n{note}", 1)
    return text.replace("<body>", f"<body>\n{note}", 1)
