"""The gallery: every published story with its picture, summary, app link, the period its data covers beside the
date it was refreshed ("Data: December 2021 · Updated 2026-12-01"), and a simple page for every place, grouped by
borough with a search by name (chooser.py; page.js)."""

from __future__ import annotations

import html
import json

from tornado import web

from commons_hub.publishing import snapshot
from commons_kernel.standard.metadata_checks import is_web_url
from commons_kernel.stories import periods
from commons_kernel.stories.chooser import chooser_html, noun

PAGE = """<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Stories for residents: Liverpool City Region Data Commons</title>
<link rel="stylesheet" href="static/page.css">
<script src="static/page.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to the content</a>
<main id="main">
<h1>Stories for residents</h1>
<p class="lead">Pick a story, then pick your area. Every number is compared with your borough and the whole
Liverpool City Region. No login needed. Made from open data by the Liverpool City Region Data Commons.</p>
{stories}
</main>
<footer><p><a href="/services/stories/static/accessibility.html">Accessibility statement</a> ·
<a href="/services/register/">Public register</a></p></footer>
</body>
</html>
"""

EMPTY = (
    '<p class="notice">The stories are being prepared: they are published a few minutes after the commons '
    "starts. Please check back soon.</p>"
)


def published_stories() -> list[dict]:
    folder = snapshot.published_dir()
    stories = []
    for link in sorted(folder.iterdir()) if folder.is_dir() else []:
        info = link / "story.json"
        if link.is_symlink() and info.is_file():
            stories.append(json.loads(info.read_text()))
    return stories


def story_card(info: dict) -> str:
    e = html.escape
    slug = info["slug"]
    places = chooser_html(
        info["places"],
        str(info.get("parameter") or "place"),
        href=lambda code: f"{slug}/pages/{code}.html",
        heading_level=3,
        element_id=f"{slug}-places",
        title=f"Find your {noun(str(info.get('parameter') or 'place'))}",
    )
    picture = (
        f'<img src="{slug}/thumbnail.png" alt="Map from the story {e(info["title"])}" width="240">'
        if info.get("thumbnail")
        else ""
    )
    dates = periods.gallery_line(info.get("periods") or [], str(info.get("published_at", ""))[:10])
    return (
        f'<section class="story" id="{slug}">{picture}<div><h2><a href="{slug}/app">{e(info["title"])}</a></h2>'
        f'<p>{e(info["summary"])}</p><p><a class="button" href="{slug}/app">Open the story</a></p>'
        f'<p class="small">{e(dates)}.</p>'
        f"<details><summary>Simple pages, one for each {e(noun(str(info.get('parameter') or 'place')))} "
        f"({len(info['places'])})</summary>{places}</details>{sources_list(info.get('sources') or [])}"
        f"</div></section>"
    )


def sources_list(sources: list[dict]) -> str:
    """The data behind the story and its picture, with licences and attributions (shown wherever data is)."""
    if not sources:
        return ""
    e = html.escape
    items = []
    for source in sources:
        licence = e(source.get("licence") or "see the catalogue")
        if is_web_url(source.get("licence_url")):
            licence = f'<a href="{e(source["licence_url"])}">{licence}</a>'
        items.append(
            f"<li>{e(source.get('title') or source.get('name') or '')}. Licence: {licence}. "
            f"{e(source.get('attribution') or '')}</li>"
        )
    return (
        f'<details class="small"><summary>Where the data and the map come from ({len(sources)} sources)'
        f"</summary><ul>{''.join(items)}</ul></details>"
    )


class GalleryHandler(web.RequestHandler):
    def get(self):
        stories = published_stories()
        body = "".join(story_card(info) for info in stories) if stories else EMPTY
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-cache")
        self.finish(PAGE.format(stories=body))
