"""Page blocks a story section returns, and how each displays in a notebook, a static page and the Voilà app.

A section is a function ``section(data, place) -> list[Block]``. ``Figure`` displays as Plotly's own mimetype
(JupyterLab and Voilà draw it with the jupyterlab-plotly extension, offline) with an HTML fallback that static
pages draw with the plotly.js the stories service serves. Under every figure: its text alternative as a caption
and its numbers as a table in a ``<details>`` (``figure_text``), on static pages, in the app and in JupyterLab.
Tables scroll inside themselves, so a wide one never makes a phone's page scroll sideways.
"""

from __future__ import annotations

import html
import json
import uuid
from dataclasses import dataclass

import pandas as pd

# Plotly's maps fetch a world outline (TopoJSON) even when the base map is hidden; the stories service serves an
# empty one, so no map ever reaches for a CDN (hub/commons_hub/services/stories/static/topojson/).
STORIES_STATIC = "/services/stories/static/"
TOPOJSON_URL = STORIES_STATIC + "topojson/"
PLOTLY_CONFIG = {"displayModeBar": False, "responsive": True, "scrollZoom": False, "topojsonURL": TOPOJSON_URL}


@dataclass
class Text:
    markdown: str


@dataclass
class Figure:
    figure: object  # a plotly Figure
    alt: str  # what the figure shows, in words (screen readers, captions, text-only readers)


@dataclass
class Table:
    frame: pd.DataFrame
    caption: str


def figure_spec(block: Figure) -> dict:
    import plotly.io as pio

    spec = json.loads(pio.to_json(block.figure, validate=False))
    spec["config"] = PLOTLY_CONFIG
    return spec


def _script_json(value) -> str:
    return json.dumps(value).replace("</", "<\\/")


def figure_iframe(block: Figure) -> str:
    """The figure as a small self-contained page in an iframe, drawn by the plotly.js the stories service serves.
    The Voilà app uses this: it draws the same way as the static pages, whatever the page's own extensions do."""
    spec = figure_spec(block)
    document = (
        f'<!doctype html><html lang="en-GB"><head><meta charset="utf-8">'
        f'<script src="{STORIES_STATIC}plotly.min.js"></script>'
        f"<style>body{{margin:0}}</style></head><body>"
        f'<div id="plot" role="img" aria-label="{html.escape(block.alt)}"></div>'
        f'<script>Plotly.newPlot("plot", {_script_json(spec["data"])}, {_script_json(spec["layout"])}, '
        f"{_script_json(spec['config'])});</script></body></html>"
    )
    height = int(spec["layout"].get("height") or 420) + 6
    return (
        f'<iframe class="commons-figure" title="{html.escape(block.alt)}" srcdoc="{html.escape(document)}" '
        f'style="width:100%;height:{height}px;border:0"></iframe>'
    )


def figure_bundle(block: Figure) -> dict:
    spec = figure_spec(block)
    element = f"plot-{uuid.uuid4().hex[:12]}"
    fallback = (
        f'<div id="{element}" class="commons-plot" role="img" aria-label="{html.escape(block.alt)}"></div>'
        f'<script>(window.commonsPlots = window.commonsPlots || []).push(["{element}", '
        f"{json.dumps(spec['data'])}, {json.dumps(spec['layout'])}, {json.dumps(PLOTLY_CONFIG)}]);</script>"
    )
    return {"application/vnd.plotly.v1+json": spec, "text/html": fallback, "text/plain": block.alt}


def _scrolling(table: str, label: str) -> str:
    # A region that scrolls by itself (inline style: the Voilà app does not load page.css); focusable, so a
    # keyboard can scroll it too.
    return (
        f'<div class="commons-scroll" role="region" tabindex="0" aria-label="{html.escape(label)}" '
        f'style="overflow-x:auto;max-width:100%">{table}</div>'
    )


def table_html(block: Table) -> str:
    body = block.frame.to_html(index=False, border=0, classes="commons-table", na_rep="fewer than 10", escape=True)
    return (
        f'<figure class="commons-table-figure" style="margin:1rem 0"><figcaption>{html.escape(block.caption)}'
        f"</figcaption>{_scrolling(body, block.caption)}</figure>"
    )


def figure_text(block: Figure) -> str:
    """The figure in words (its text alternative, shown) and its numbers as a table, folded away."""
    from commons_kernel.stories.charts import numbers

    frame = numbers(block.figure)
    table = frame.to_html(index=False, border=0, classes="commons-table", escape=True)
    return (
        f'<div class="commons-figure-text"><p class="commons-caption"><em>{html.escape(block.alt)}</em></p>'
        f'<details class="commons-numbers"><summary>The numbers in this chart</summary>'
        f"{_scrolling(table, 'The numbers in this chart')}</details></div>"
    )


def output_records(block) -> list[dict]:
    """The block as notebook output records (for an ``ipywidgets.Output``'s ``outputs``, set directly: capturing
    with ``with output:`` makes nbclient, and so Voilà, wait for its cell timeout)."""

    def record(data: dict) -> dict:
        return {"output_type": "display_data", "data": data, "metadata": {}}

    if isinstance(block, Text):
        return [record({"text/markdown": block.markdown, "text/plain": block.markdown})]
    if isinstance(block, Figure):
        return [
            record({"text/html": figure_iframe(block), "text/plain": block.alt}),
            record({"text/html": figure_text(block), "text/plain": block.alt}),
        ]
    if isinstance(block, Table):
        return [record({"text/html": table_html(block), "text/plain": block.caption})]
    raise TypeError(f"a story section returned {type(block).__name__}; return Text, Figure or Table blocks.")


def display_block(block) -> None:
    from IPython.display import HTML, Markdown, display

    if isinstance(block, Text):
        display(Markdown(block.markdown))
    elif isinstance(block, Figure):
        display(figure_bundle(block), raw=True)
        display(HTML(figure_text(block)))
    elif isinstance(block, Table):
        display(HTML(table_html(block)))
    else:
        raise TypeError(f"a story section returned {type(block).__name__}; return Text, Figure or Table blocks.")


def display_blocks(blocks) -> None:
    for block in blocks:
        display_block(block)
