"""What a story notebook calls. A story notebook has two jobs in one file:

- run by hand (or ``papermill story.ipynb out.ipynb -p ward E05000886``): compute through the data-api with
  ``commons_kernel`` as whoever runs it, apply the disclosure rule, and show the page for one place;
- run by the refresher: first with ``save_artefacts=FOLDER`` (compute once, save raw artefacts), then once per
  place with ``artefacts=FOLDER`` (the disclosure-checked set) so each place's page is quick to make.

    story = kit.story_module("your-neighbourhood")
    data = kit.prepare(story, artefacts=artefacts, save_artefacts=save_artefacts)
    kit.show(story.headline(data, ward))
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import yaml

from commons_kernel.exceptions import ValidationFailed
from commons_kernel.standard.metadata_checks import is_web_url
from commons_kernel.stories import ACCESSIBILITY_STATEMENT_URL as ACCESSIBILITY_STATEMENT
from commons_kernel.stories import artefacts as artefact_store
from commons_kernel.stories.blocks import Text, display_blocks

_LOADED: dict[tuple, dict] = {}


def story_folder(slug: str) -> Path:
    """The story's folder: the current folder when it is that story (JupyterLab, Papermill's cwd, a published
    snapshot), else ``<stories_dir>/<slug>``."""
    from commons_kernel.stories.model import stories_dir

    here = Path.cwd()
    for candidate in (here, stories_dir() / slug):
        marker = candidate / "story.yaml"
        if marker.is_file() and (candidate.name == slug or _slug_of(candidate) == slug):
            return candidate
    raise ValidationFailed(
        f"Cannot find story {slug!r}: run the notebook from its folder (papermill --cwd "
        f"stories/{slug}) or set COMMONS_STORIES_DIR to the folder of stories."
    )


def _slug_of(folder: Path) -> str:
    import json

    published = folder / "story.json"
    return json.loads(published.read_text()).get("slug", "") if published.is_file() else ""


def story_module(slug: str):
    """Import the story's module (``module:`` in its story.yaml) from its folder."""
    folder = story_folder(slug)
    spec_yaml = yaml.safe_load((folder / "story.yaml").read_text())
    path = folder / f"{spec_yaml['module']}.py"
    name = f"commons_story_{slug.replace('-', '_')}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ValidationFailed(
            f"Cannot import {path} as Python: `module:` in {folder / 'story.yaml'} names a .py file of that folder."
        )
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    module.__dict__["STORY"] = {  # an attribute the story's file does not declare, so set through its namespace
        "slug": slug,
        "folder": folder,
        "datasets": list(spec_yaml.get("datasets") or []),
        "title": spec_yaml.get("title", slug),
    }
    return module


def sources_of(datasets: list[str]) -> list[dict]:
    """Title, publisher, licence and attribution of each dataset, from the catalogue (through the data-api)."""
    import commons_kernel as ck

    keep = ("name", "title", "publisher", "licence", "licence_url", "attribution", "synthetic", "version", "period")
    return [{k: ck.describe(name).get(k) for k in keep} for name in datasets]


def prepare(module, artefacts: str = "", save_artefacts: str = "") -> dict:
    """The story's data: from the published artefacts in ``artefacts``, or computed now through the data-api
    (saved raw to ``save_artefacts`` when given). Whatever is returned has passed the disclosure rule."""
    if artefacts:
        folder = Path(artefacts).resolve()
        key = (str(folder), (folder / artefact_store.MANIFEST).stat().st_mtime_ns)
        if key not in _LOADED:
            _LOADED.clear()
            _LOADED[key] = artefact_store.load(folder)
        return _LOADED[key]
    import commons_kernel as ck

    computed = module.compute(ck)
    # A story may describe its own sources (``sources(ck)``); by default, each dataset story.yaml names.
    sources = module.sources(ck) if hasattr(module, "sources") else sources_of(module.STORY["datasets"])
    if save_artefacts:
        artefact_store.save(computed, save_artefacts, sources)
    published, _ = artefact_store.disclose_all(computed)
    data = {name: a.outline if a.outline is not None else a.frame for name, a in published.items()}
    data["sources"] = sources
    return data


def show(blocks) -> None:
    """Display a section's blocks (nothing when the section has nothing for this place)."""
    display_blocks(blocks or [])


def page(module, data: dict, place: str) -> list:
    """Every block of the page for ``place``: the module's SECTIONS in order, then sources and licences."""
    blocks: list = []
    for section in module.SECTIONS:
        blocks.extend(section(data, place) or [])
    blocks.extend(sources_section(data))
    return blocks


def sources_section(data: dict) -> list:
    lines = ["## Where these numbers come from", ""]
    synthetic = False
    for source in data.get("sources", []):
        licence = source.get("licence") or "see the catalogue"
        if is_web_url(source.get("licence_url")):  # never a javascript: or data: link on a public page
            licence = f"[{licence}]({source['licence_url']})"
        flag = " **Synthetic data: made up for testing, not real people.**" if source.get("synthetic") else ""
        synthetic = synthetic or bool(source.get("synthetic"))
        lines.append(
            f"- **{source.get('title') or source['name']}** ({source.get('period') or 'period not stated'})"
            f", {source.get('publisher') or 'publisher not stated'}. Licence: {licence}. "
            f"{source.get('attribution') or ''}{flag}"
        )
    lines += [
        "",
        'Small counts (under 10) are hidden to protect privacy: they read "fewer than 10". '
        "Made by the Liverpool City Region Data Commons.",
    ]
    if not synthetic:
        lines.append("No synthetic data is used in this story.")
    lines += [
        "",
        f"[Accessibility statement]({ACCESSIBILITY_STATEMENT}): how these pages are tested, what does "
        "not work yet, and how to tell us about a problem.",
    ]
    return [Text("\n".join(lines))]


def save_thumbnail(module, data: dict, path: str) -> None:
    """Draw the story's gallery picture (``module.thumbnail(data)``, a matplotlib figure) to ``path``."""
    if not path:
        return
    import matplotlib

    matplotlib.use("agg")
    figure = module.thumbnail(data)
    figure.savefig(path, dpi=80, bbox_inches="tight", facecolor="white")
    import matplotlib.pyplot as plt

    plt.close(figure)


def require_place(frame, column: str, place: str, what: str):
    rows = frame[frame[column] == place]
    if rows.empty:
        examples = ", ".join(frame[column].astype(str).head(3))
        raise ValidationFailed(f"{place!r} is not a {what} this story knows; try one of {examples}.")
    return rows.iloc[0]
