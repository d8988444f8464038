"""The story apps' cell timeout: every cell is bounded except the one that waits for the visitor (kernels.py says
why: a preheated kernel interrupted in that wait died, and the next visitor saw "model not found")."""

from __future__ import annotations

import json

import nbformat
import pytest

from commons_hub.services.stories.app import CELL_TIMEOUT_SECONDS, voila_config
from commons_hub.services.stories.kernels import cell_timeout
from tests.integration.hubfixture import ROOT

pytestmark = pytest.mark.unit


def app_cells():
    notebook = nbformat.reads(json.dumps(json.loads((ROOT / "stories" / "_app" / "app.ipynb").read_text())), 4)
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def test_the_apps_wait_for_the_visitor_has_no_timeout_and_its_other_cells_have_one():
    timeout = voila_config("/srv/published", 10999, "127.0.0.1").VoilaExecutor.timeout_func
    limits = [timeout(cell) for cell in app_cells()]
    assert None in limits, "the app's follow_request() cell must not be timed out (kernels.cell_timeout)"
    assert CELL_TIMEOUT_SECONDS in limits, "the app's other cells keep their limit"


@pytest.mark.parametrize(
    "source",
    [
        "app.follow_request()",
        "app.follow_request ();",
        "from voila.utils import get_query_string\nq = get_query_string()",
        "wait_for_request()",
    ],
)
def test_cells_that_wait_for_the_visitor_are_not_timed_out(source):
    assert cell_timeout(60)(nbformat.v4.new_code_cell(source)) is None


@pytest.mark.parametrize(
    "source",
    [
        "app = StoryApp()\napp.view",
        "import time; time.sleep(600)",
        "# follow_request is called below, not here",
        "request_follow_up()",
    ],
)
def test_every_other_cell_keeps_the_limit(source):
    assert cell_timeout(60)(nbformat.v4.new_code_cell(source)) == 60


def test_markdown_never_matches():
    assert cell_timeout(60)(nbformat.v4.new_markdown_cell("call `app.follow_request()`")) == 60
