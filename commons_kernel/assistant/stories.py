"""Which published stories use a dataset: ``stories/<slug>/story.yaml`` lists them under ``datasets:``.

There may be no stories yet (or no stories folder in this checkout): that is an ordinary answer, not an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from commons_kernel import config


@dataclass(frozen=True)
class StoryRef:
    slug: str
    title: str
    summary: str
    datasets: tuple[str, ...]


def default_stories_dir() -> Path:
    return config.PROJECT_ROOT / "stories"


def load_stories(stories_dir: Path | str | None = None) -> list[StoryRef]:
    """Every story with a readable story.yaml; a story whose file cannot be parsed is skipped."""
    folder = Path(stories_dir) if stories_dir else default_stories_dir()
    if not folder.is_dir():
        return []
    stories = []
    for file in sorted(folder.glob("*/story.yaml")):
        try:
            raw = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue  # a half-written story must not stop the assistant from answering
        if not isinstance(raw, dict):
            continue
        names = []
        for item in raw.get("datasets") or []:
            name = item.get("name") if isinstance(item, dict) else item
            if isinstance(name, str):
                names.append(name)
        stories.append(
            StoryRef(
                file.parent.name, str(raw.get("title") or file.parent.name), str(raw.get("summary") or ""), tuple(names)
            )
        )
    return stories


def stories_using(name: str, stories: list[StoryRef]) -> list[StoryRef]:
    return [story for story in stories if name in story.datasets]


def stories_text(name: str, stories: list[StoryRef]) -> str:
    using = stories_using(name, stories)
    if not using:
        return f"No published story uses {name} yet."
    return f"Stories that use {name}: " + "; ".join(f"'{s.title}' (stories/{s.slug})" for s in using) + "."
