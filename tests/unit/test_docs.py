"""Docs are tested: the generated reference is current, and the README keeps its two commands."""

from __future__ import annotations

import re

import pytest

from commons_hub import reference
from commons_kernel.config import PROJECT_ROOT

pytestmark = pytest.mark.unit


def test_reference_page_is_current():
    assert reference.PAGE.read_text() == reference.render(), (
        "docs/operators/reference.md is stale: run `.venv/bin/python -m commons_hub.reference`"
    )
    assert reference.SETTINGS_PAGE.read_text() == reference.render_settings(), (
        "docs/operators/settings.md is stale: run `.venv/bin/python -m commons_hub.reference`"
    )


def test_readme_has_exactly_two_setup_commands_and_ci_uses_the_test_one():
    readme = (PROJECT_ROOT / "README.md").read_text()
    block = re.search(r"<!-- setup -->\s*```(?:sh|bash)\n(.*?)```", readme, re.S)
    assert block, "README needs a ```sh block after <!-- setup -->"
    commands = [line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]
    assert commands == ["make up", "make test"]
    assert "make test" in (PROJECT_ROOT / ".ci" / "run").read_text()


def test_every_docs_link_in_the_readme_exists():
    readme = (PROJECT_ROOT / "README.md").read_text()
    for target in re.findall(r"\]\(((?:docs|notebooks|stories|catalog)/[^)#]+)\)", readme):
        assert (PROJECT_ROOT / target).exists(), f"README links to missing {target}"
