"""What the assistant knows: catalogue metadata, projects, places and stories, with the five things it can do
with them (search, describe, access, code, stories). The langchain tools and the no-model answer both call these,
so both give the same facts. Nothing here reads a dataset's rows.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from commons_kernel.assistant import index as embedding
from commons_kernel.assistant.access import access_text
from commons_kernel.assistant.lexical import words
from commons_kernel.assistant.places import Gazetteer, Place, place_like_phrases
from commons_kernel.assistant.search import HybridSearch, SearchResult
from commons_kernel.assistant.snippets import code_snippet, link_snippet
from commons_kernel.assistant.sources import MetadataSource
from commons_kernel.assistant.stories import load_stories, stories_text
from commons_kernel.exceptions import DatasetNotFound


class Knowledge:
    """Metadata-only view of the commons. ``semantic=False`` gives keyword search only (no embedding model)."""

    def __init__(
        self,
        datasets: list[dict],
        projects: list[dict] | None = None,
        gazetteer: Gazetteer | None = None,
        stories_dir: Path | str | None = None,
        cache_path: Path | None = None,
        encoder: embedding.Encoder | None = None,
        semantic: bool = True,
    ):
        self.datasets = {d["name"]: d for d in datasets}
        self.projects = list(projects or [])
        self.gazetteer = gazetteer or Gazetteer.default()
        self.stories = load_stories(stories_dir)
        self.semantic = semantic
        self._cache_path = cache_path
        self._encoder = encoder or embedding.encode
        self._search: HybridSearch | None = None

    @classmethod
    def from_source(cls, source: MetadataSource, **options) -> Knowledge:
        return cls(source.datasets(), source.projects(), **options)

    # -- search -------------------------------------------------------------------------------------------------
    @property
    def searcher(self) -> HybridSearch:
        """Built on first use: the embedding index is loaded from the cache (or built) only when needed."""
        if self._search is None:
            datasets = list(self.datasets.values())
            index = embedding.load_or_build(datasets, self._cache_path, self._encoder) if self.semantic else None
            self._search = HybridSearch(datasets, index, self._encoder if self.semantic else None)
        return self._search

    def places(self, text: str) -> list[Place]:
        return self.gazetteer.find(text)

    def unknown_places(self, text: str, places: list[Place]) -> list[str]:
        """Capitalised phrases that look like places but are neither wards nor boroughs we know ("Bootle")."""
        known = {p.name.lower() for p in places}
        vocabulary = self.searcher.keywords.vocabulary()
        return [
            phrase
            for phrase in place_like_phrases(text)
            if phrase.lower() not in known
            and not any(phrase.lower() in k for k in known)
            and not set(words(phrase)) & vocabulary
        ]

    def search(self, query: str, limit: int = 5) -> SearchResult:
        return self.searcher.search(query, self.places(query), limit)

    # -- one dataset --------------------------------------------------------------------------------------------
    def get(self, name: str) -> dict:
        name = name.strip().strip("'\"`")
        if name not in self.datasets:
            raise DatasetNotFound(name, difflib.get_close_matches(name, list(self.datasets), n=3, cutoff=0.5))
        return self.datasets[name]

    def describe(self, name: str) -> str:
        meta = self.get(name)
        geography = meta.get("geography") or {}
        lines = [
            f"{meta['name']}: {meta.get('title', '')}",
            meta.get("description", "").strip(),
            f"Tier: {meta.get('tier', '')}. Licence: {meta.get('licence', '')}"
            + (f" ({meta['licence_url']})" if meta.get("licence_url") else "")
            + ".",
            f"Publisher: {meta.get('publisher', '')}. Attribution: {meta.get('attribution', '')}",
            f"Geography: {geography.get('level', '')}, {geography.get('vintage', '')}"
            + (f" (codes in {geography['code_column']})" if geography.get("code_column") else "")
            + ".",
            f"Period: {meta.get('period') or 'not stated'}. Updated: {meta.get('update_frequency') or 'not stated'}.",
        ]
        if meta.get("synthetic"):
            lines.append("SYNTHETIC: made for testing; not real people or places.")
        lines.append("Columns:")
        for column in meta.get("columns") or []:
            unit = f" [{column['unit']}]" if column.get("unit") else ""
            lines.append(
                f"  - {column.get('name')} ({column.get('type', '')}){unit}: {column.get('description') or ''}"
            )
        for note in meta.get("quality_notes") or []:
            lines.append(f"Note: {note}")
        return "\n".join(line for line in lines if line)

    def access(self, name: str, user: str | None = None) -> str:
        return access_text(self.get(name), self.projects, user)

    def snippet(self, name: str, place_text: str = "", project: str | None = None) -> str:
        return code_snippet(self.get(name), self.places(place_text) if place_text else [], project)

    def link(self, left: str, right: str) -> str:
        return link_snippet(self.get(left), self.get(right))

    def stories_for(self, name: str) -> str:
        self.get(name)
        return stories_text(name, self.stories)

    def citation(self, name: str, score: float | None = None) -> dict:
        meta = self.get(name)
        cited = {
            "name": name,
            "title": meta.get("title", ""),
            "licence": meta.get("licence", ""),
            "tier": meta.get("tier", ""),
        }
        if score is not None:
            cited["score"] = round(min(float(score), 1.0), 3)  # a dataset named outright scores above 1
        return cited
