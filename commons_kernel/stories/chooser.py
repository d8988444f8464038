"""Finding your area: a story's places grouped (wards by borough), the place an address asks for, and the chooser of
the static pages.

The live app (reader.py) and the static pages (pages.py, the gallery) use the same grouping and the same words.
An address that names a place the story does not know (``?ward=nonsense``, or ``?ward=``) gets a message and the
chooser, never some other place shown as if it were the one asked for.

The static chooser is a plain list of links, a heading for each group, so it works with no JavaScript; page.js adds
a search box that filters it as you type (type-ahead by name).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from urllib.parse import parse_qs

SHOWN_CHARACTERS = 60  # of a name asked for in the address, when we say we do not know it


@dataclass(frozen=True)
class Choice:
    """What the address asked for: ``code`` (a place of the story) or None, and what to tell the visitor."""

    code: str | None
    message: str = ""
    asked: bool = False  # the address named a place (known or not)


def noun(parameter: str) -> str:
    """What a place of the story is called: "ward", "area"."""
    return parameter.replace("_", " ").strip() or "place"


def _a(word: str) -> str:
    return f"an {word}" if word[:1].lower() in "aeiou" else f"a {word}"


def grouped(places: list[dict]) -> list[tuple[str, list[dict]]]:
    """[(group, places)] in the order the groups first come (the story's order: boroughs A to Z), each group's
    places by name. Places without a group make one group named ""."""
    groups: dict[str, list[dict]] = {}
    for place in places:
        groups.setdefault(str(place.get("group") or ""), []).append(place)
    return [(group, sorted(members, key=lambda p: str(p["name"]).casefold())) for group, members in groups.items()]


def unknown_message(parameter: str, wanted: str) -> str:
    word = noun(parameter)
    shown = " ".join(str(wanted).split())
    if not shown:
        return f"The address does not say which {word}. Choose one below."
    if len(shown) > SHOWN_CHARACTERS:
        shown = shown[:SHOWN_CHARACTERS] + "…"
    return f"We don't know {_a(word)} called '{shown}'. Choose one below."


def find(places: list[dict], wanted: str) -> dict | None:
    """The place whose code is ``wanted`` (any case), else the one place with that name (any case)."""
    key = str(wanted).strip().casefold()
    if not key:
        return None
    for place in places:
        if str(place["code"]).casefold() == key:
            return place
    named = [p for p in places if str(p["name"]).casefold() == key]
    return named[0] if len(named) == 1 else None


def choose(places: list[dict], parameter: str, query: str) -> Choice:
    """The place the address's query (``ward=E05000887``) asks for."""
    values = parse_qs(query or "", keep_blank_values=True).get(parameter)
    if values is None:
        return Choice(None)
    place = find(places, values[0])
    if place is None:
        return Choice(None, unknown_message(parameter, values[0]), asked=True)
    return Choice(str(place["code"]), asked=True)


def chooser_html(
    places: list[dict],
    parameter: str,
    *,
    href,
    current: str | None = None,
    heading_level: int = 2,
    title: str | None = None,
    element_id: str = "choose",
) -> str:
    """The static pages' chooser: a heading, a search box page.js shows (hidden without JavaScript) and a list of
    links per group. ``href(code)`` is the link of a place's page."""
    e = html.escape
    word = noun(parameter)
    heading = f"h{heading_level}"
    group_heading = f"h{min(heading_level + 1, 6)}"
    parts = [
        f'<section class="chooser" id="{e(element_id)}" aria-labelledby="{e(element_id)}-title" '
        f'data-place-chooser data-noun="{e(word)}">',
        f'<{heading} id="{e(element_id)}-title">{e(title or f"Choose another {word}")}</{heading}>',
        f'<p class="chooser-search" hidden><label for="{e(element_id)}-search">Find {_a(word)} by name</label> '
        f'<input id="{e(element_id)}-search" type="search" autocomplete="off" spellcheck="false" '
        f'aria-describedby="{e(element_id)}-count"> '
        f'<span id="{e(element_id)}-count" class="small" role="status" aria-live="polite"></span></p>',
    ]
    for group, members in grouped(places):
        items = []
        for place in members:
            marker = ' aria-current="page"' if current is not None and place["code"] == current else ""
            items.append(f'<li><a href="{e(href(place["code"]))}"{marker}>{e(str(place["name"]))}</a></li>')
        label = f"<{group_heading}>{e(group)}</{group_heading}>" if group else ""
        parts.append(f'<div class="chooser-group">{label}<ul class="places">{"".join(items)}</ul></div>')
    parts.append('<p class="chooser-none" hidden>No name matches. Check the spelling, or try part of the name.</p>')
    parts.append("</section>")
    return "".join(parts)
