"""Static pages: an executed story notebook as a small HTML page, input cells hidden, for phones and no-JS readers.

nbconvert's ``basic`` template gives the outputs' HTML; we wrap it in a light page of our own (readable type, a
link back to the gallery, plotly.js from the stories service, no CDN). Figures are drawn by plotly.js when it
loads; without JavaScript the caption under each figure says in words what it shows.
"""

from __future__ import annotations

import html
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from traitlets.config import Config

HIDE_TAG = "hide-on-page"

SHELL = """<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{static}/page.css">
<script src="{static}/plotly.min.js" defer></script>
<script src="{static}/page.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to the content</a>
<header><a href="{gallery}">&larr; All stories</a> · <a href="{app}">Open the interactive version</a>{choose_link}
</header>
<main id="main">
{body}
{chooser}
</main>
<footer><p>{footer}</p><p><a href="/services/stories/static/accessibility.html">Accessibility statement</a></p></footer>
</body>
</html>
"""


def exporter() -> HTMLExporter:
    config = Config()
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = {HIDE_TAG, "parameters", "injected-parameters"}
    return HTMLExporter(config=config, template_name="basic")


def render_page(
    notebook: Path | str,
    title: str,
    links: dict[str, str],
    footer: str,
    html_exporter: HTMLExporter | None = None,
    chooser: str = "",
    choose_label: str = "Choose another place",
) -> str:
    """The page's HTML. ``links``: gallery, app and static (the folder with plotly.min.js and page.css);
    ``chooser``: the place chooser (chooser.chooser_html), after the story, linked from the header."""
    node = nbformat.read(str(notebook), as_version=4)
    body, _ = (html_exporter or exporter()).from_notebook_node(node)
    choose_link = f' · <a href="#choose">{html.escape(choose_label)}</a>' if chooser else ""
    return SHELL.format(
        title=html.escape(title),
        body=body,
        footer=html.escape(footer),
        chooser=chooser,
        choose_link=choose_link,
        **links,
    )


def write_page(notebook: Path | str, target: Path | str, **kwargs) -> Path:
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_page(notebook, **kwargs), encoding="utf-8")
    return target


def write_app(template: Path | str, target: Path | str, title: str) -> Path:
    """The Voilà app of a story: the app template with the story's title (the browser tab's title, not "app")."""
    node = nbformat.read(str(template), as_version=4)
    node.metadata["title"] = title
    nbformat.write(node, str(target))
    return Path(target)
