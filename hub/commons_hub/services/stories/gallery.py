"""The gallery: every published story with its picture, summary, app link and a simple page for every place."""

from __future__ import annotations

import html
import json
from collections import defaultdict

from tornado import web

from commons_hub.stories import snapshot

PAGE = """<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Stories for residents: Liverpool City Region Data Commons</title>
<link rel="stylesheet" href="static/page.css">
</head>
<body>
<main>
<h1>Stories for residents</h1>
<p class="lead">Pick a story, then pick your area. Every number is compared with your borough and the whole
Liverpool City Region. No login needed. Made from open data by the Liverpool City Region Data Commons.</p>
{stories}
</main>
</body>
</html>
"""

EMPTY = ("<p class=\"notice\">The stories are being prepared: they are published a few minutes after the commons "
         "starts. Please check back soon.</p>")


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
    groups: dict[str, list[dict]] = defaultdict(list)
    for place in info["places"]:
        groups[place.get("group") or ""].append(place)
    lists = []
    for group, places in groups.items():
        items = "".join(f'<li><a href="{slug}/pages/{e(p["code"])}.html">{e(p["name"])}</a></li>' for p in places)
        heading = f"<h4>{e(group)}</h4>" if group else ""
        lists.append(f"{heading}<ul class=\"places\">{items}</ul>")
    picture = (f'<img src="{slug}/thumbnail.png" alt="Map from the story {e(info["title"])}" width="240">'
               if info.get("thumbnail") else "")
    published = e(info.get("published_at", "")[:10])
    return (f'<section class="story" id="{slug}">{picture}<div><h2><a href="{slug}/app">{e(info["title"])}</a></h2>'
            f'<p>{e(info["summary"])}</p><p><a class="button" href="{slug}/app">Open the story</a></p>'
            f'<details><summary>Simple pages, one for each {e(info.get("parameter", "place"))} '
            f'({len(info["places"])})</summary>{"".join(lists)}</details>'
            f'<p class="small">Updated {published}.</p></div></section>')


class GalleryHandler(web.RequestHandler):
    def get(self):
        stories = published_stories()
        body = "".join(story_card(info) for info in stories) if stories else EMPTY
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-cache")
        self.finish(PAGE.format(stories=body))
