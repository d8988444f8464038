"""Each story runs unchanged with the plain `papermill` command, as a member would run it, against the real hub.

The refresher's own runs (two places per story, warm kernels) are tested in tests/integration/test_stories_service.py;
here the notebook computes through the data-api with an analyst's token and renders one place.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from commons_kernel.stories.model import discover

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
EXPECTED = {
    "your-neighbourhood": ("E05013169", "Appleton, Halton"),  # Halton: no police data
    "deprivation-across-the-region": ("E08000015", "Deprivation in Wirral"),
    "crime-by-area": ("E08000013", "Recorded crime in St. Helens"),
    "children-and-older-people": ("E05014121", "Children and older people on low incomes"),
}


def test_every_story_is_covered_here():
    assert {story.slug for story in discover()} == set(EXPECTED)


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_a_story_runs_with_plain_papermill(hub, slug, tmp_path):
    story = next(s for s in discover() if s.slug == slug)
    code, heading = EXPECTED[slug]
    env = {k: v for k, v in hub.env.items() if not k.startswith("JUPYTERHUB_")}
    env.update(COMMONS_API_TOKEN=hub.token("analyst1"), COMMONS_HUB_URL=hub.url, MPLBACKEND="agg")
    output = tmp_path / "out.ipynb"
    papermill = Path(sys.executable).parent / "papermill"
    result = subprocess.run(
        [
            str(papermill),
            str(story.notebook),
            str(output),
            "--cwd",
            str(story.folder),
            "-p",
            story.parameter.name,
            code,
            "--no-progress-bar",
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    notebook = json.loads(output.read_text())
    texts = []
    for cell in notebook["cells"]:
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", out
            data = out.get("data", {})
            texts.append("".join(data.get("text/markdown", "")) + "".join(data.get("text/plain", "")))
    page = "\n".join(texts)
    assert heading in page
    assert "Where these numbers come from" in page and "Licence" in page
    if slug == "your-neighbourhood":
        assert "Cheshire Constabulary" in page  # Halton's crime is not in the Merseyside records
    if slug == "children-and-older-people":
        assert "Income deprivation affecting children is the share" in page and "Local concentration" in page
    assert not os.path.exists(story.folder / "out.ipynb")
