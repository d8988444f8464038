"""docs/dev/architecture.md names files; every one of them exists (so the page cannot drift from the tree unseen)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "dev" / "architecture.md"
CODE_SPAN = re.compile(r"`([^`\s]+)`")
FILE_ENDINGS = (".py", ".md", ".yaml", ".yml", ".toml", ".txt", ".sh", ".ipynb", ".html", ".json")
PLACEHOLDER = re.compile(r"<[^>]+>")


def named_paths(text: str) -> list[str]:
    """Code spans that are paths: they hold a slash or end like a file, and are not a request (``GET api/...``
    has a space, so it is not one span)."""
    return [
        span
        for span in CODE_SPAN.findall(text)
        if ("/" in span or span.endswith(FILE_ENDINGS)) and not span.startswith(("http", "api/"))
    ]


def exists(path: str) -> bool:
    """``stories/<slug>/`` exists when some folder stands in for <slug>."""
    if PLACEHOLDER.search(path):
        return any(ROOT.glob(PLACEHOLDER.sub("*", path).rstrip("/")))
    return (ROOT / path).exists()


def test_the_page_names_files():
    paths = named_paths(PAGE.read_text())
    assert len(paths) > 40
    assert "hub/commons_hub/services/data_api/reads.py" in paths and "stories/<slug>/" in paths


def test_every_file_the_page_names_exists():
    missing = [path for path in named_paths(PAGE.read_text()) if not exists(path)]
    assert not missing, (
        f"docs/dev/architecture.md names files that do not exist: {', '.join(missing)}. Update the "
        f"page where they moved."
    )


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("see `hub/commons_hub/nowhere.py` and `ck.read`", ["hub/commons_hub/nowhere.py"]),
        ("the form posts `GET api/datasets/NAME` to `api/contributions`", []),
        ("one per slug: `stories/<slug>/story.yaml`", ["stories/<slug>/story.yaml"]),
    ],
)
def test_paths_are_told_from_other_code_spans(text, found):
    assert named_paths(text) == found


def test_a_missing_file_is_caught():
    assert not exists("hub/commons_hub/nowhere.py") and not exists("stories/<slug>/nowhere.yaml")
    assert exists("stories/<slug>/story.yaml")
