"""Browser tests: Debian's Chromium driven by Playwright (pytest-playwright's ``page`` fixture), as a person would.

- ``browser_type_launch_args`` (session): launches /usr/bin/chromium headless, offline-friendly (no sync, no
  component updates, no background networking); skips the tier, saying why, when Chromium is not installed
  (`WITH_BROWSER=1 scripts/setup.sh` installs it).
- ``hub`` (session, from tests/conftest.py): the real hub shared with the integration and notebook tiers.
- ``base_url`` (session): None (replaces pytest-base-url's, which warns).
- ``artifacts`` (function): a folder under test-artifacts/browser/ for the test's screenshots (gitignored).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"


def chromium_launch_args() -> dict:
    """Playwright's launch arguments for Debian's Chromium (also used by bench/bench_stories.py)."""
    return {
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": [
            "--no-sandbox",
            "--headless",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_type_launch_args():
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium: run `WITH_BROWSER=1 scripts/setup.sh`")
    return chromium_launch_args()


@pytest.fixture(scope="session")
def base_url():
    """pytest-base-url's own fixture is an instance method that pytest deprecates (an error here); tests use the
    hub's URL instead."""
    return None


@pytest.fixture
def artifacts(request) -> Path:
    folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
