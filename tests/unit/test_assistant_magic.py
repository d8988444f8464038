"""%ask and %%ask in a real IPython shell: the answer is printed and its code offered as the next cell."""

from __future__ import annotations

from pathlib import Path

import pytest

from commons_kernel.assistant import Assistant, CatalogMetadataSource, Gazetteer, magic
from tests.unit.test_assistant_places import WARDS

pytestmark = pytest.mark.unit

FIXTURE_CATALOG = Path(__file__).resolve().parents[1] / "fixtures" / "assistant_catalog"


@pytest.fixture
def shell(tmp_path, monkeypatch):
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance(history_load_length=0)
    shell.history_manager.enabled = False
    offered = []
    monkeypatch.setattr(shell, "set_next_input", lambda text, replace=False: offered.append(text))
    shell.offered = offered
    records = []
    magic.reset_assistant(
        Assistant(
            CatalogMetadataSource(FIXTURE_CATALOG),
            model="",
            record_use=records.append,
            gazetteer=Gazetteer(WARDS),
            stories_dir=tmp_path,
            semantic=False,
        )
    )
    shell.records = records
    shell.run_line_magic("load_ext", "commons_kernel.assistant")
    yield shell
    magic.reset_assistant()
    InteractiveShell.clear_instance()


def test_line_magic_prints_the_answer_and_offers_the_code(shell, capsys, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "ana")
    shell.run_line_magic("ask", "How deprived is Everton?")
    printed = capsys.readouterr().out
    assert "From the catalogue, best match first:" in printed and "E05000896" in printed
    assert "The code is in the next cell." in printed
    [code] = shell.offered
    assert code.startswith("import commons_kernel as ck") and "E05000896" in code
    assert shell.records[0]["user"] == "ana"


def test_cell_magic_takes_the_question_from_the_cell(shell, capsys):
    shell.run_cell_magic("ask", "", "Where do burglaries happen\nin Wirral?")
    assert "police_crime_2021_12" in capsys.readouterr().out
    assert "police_crime_2021_12" in shell.offered[0]


def test_an_empty_question_shows_usage(shell, capsys):
    shell.run_line_magic("ask", "  ")
    assert "Usage: %ask" in capsys.readouterr().out and shell.offered == []


def test_one_assistant_per_kernel():
    magic.reset_assistant()
    made = []
    first = magic.shared_assistant(lambda: made.append(1) or object())
    assert magic.shared_assistant(lambda: made.append(1) or object()) is first and made == [1]
    magic.reset_assistant()
