"""A commons error shows in a notebook as what happened and the next step, without a traceback; others keep theirs."""

from __future__ import annotations

import json
import pickle

import pytest
import requests
from IPython.core.interactiveshell import InteractiveShell

import commons_kernel as ck
from commons_kernel.client import DataApiClient
from commons_kernel.exceptions import CommonsError
from commons_kernel.notebook_errors import render_lines, render_traceback

pytestmark = pytest.mark.unit

DENIAL = {
    "error": "access-denied",
    "dataset": "synthetic_referrals",
    "project": None,
    "reason": "synthetic_referrals is restricted: name the approved project you are reading it for.",
    "how_to_get_access": "You are a member of 'early-help-demand', which is approved for synthetic_referrals: "
    "name it, `ck.read('synthetic_referrals', project='early-help-demand', purpose='...')`.",
    "why": "no-project-named",
    "advice": "name-your-project",
    "projects_listing": ["early-help-demand"],
    "your_projects": ["early-help-demand"],
}


def denied(body=DENIAL) -> ck.AccessDenied:
    response = requests.Response()
    response.status_code, response._content = 403, json.dumps(body).encode()
    return DataApiClient("http://127.0.0.1:9/services/data-api/", "t").error(response)


def test_a_denial_from_the_data_api_renders_as_reason_and_its_advice_in_three_lines():
    error = denied()
    assert (error.why, error.advice_code, error.your_projects) == (
        "no-project-named",
        "name-your-project",
        ["early-help-demand"],
    )
    lines = render_lines(error, colour=False)
    assert lines == [
        "AccessDenied: Access to 'synthetic_referrals' denied: " + DENIAL["reason"],
        "Next step: " + DENIAL["how_to_get_access"],
        "(`ck.show_traceback()` shows where this came from.)",
    ]


def test_the_fields_issue_14_will_table_are_explicit_on_each_class():
    assert (ck.AccessDenied.code, ck.AccessDenied.status) == ("access-denied", 403)
    assert (ck.DatasetNotFound.code, ck.DatasetNotFound.status) == ("dataset-not-found", 404)
    assert (ck.NotAuthenticated.status, ck.DataApiUnavailable.status, ck.ValidationFailed.status) == (401, 503, 422)
    error = ck.DatasetNotFound("imd", ["imd2019_lsoa11"])
    assert error.headline == "No dataset called 'imd'. Did you mean 'imd2019_lsoa11'?"
    assert "ck.catalog()" in error.advice and str(error) == f"{error.headline} {error.advice}"


def test_a_denial_pickles_whole_with_its_codes():
    again = pickle.loads(pickle.dumps(denied()))
    assert (again.why, again.projects, str(again)) == ("no-project-named", ["early-help-demand"], str(denied()))


def test_an_error_without_separate_advice_shows_its_message_once():
    lines = render_lines(CommonsError("format 'xls' is not one of arrow, parquet, csv."), colour=False)
    assert lines[0] == "CommonsError: format 'xls' is not one of arrow, parquet, csv." and len(lines) == 2


@pytest.fixture
def shell(capsys):
    shell = InteractiveShell.instance(colors="nocolor")
    yield shell
    InteractiveShell.clear_instance()


def shown(shell, capsys, code) -> str:
    shell.run_cell(code)
    return capsys.readouterr().out


def test_in_ipython_a_commons_error_is_short_and_other_errors_keep_their_traceback(shell, capsys, monkeypatch):
    monkeypatch.delenv("COMMONS_TRACEBACKS", raising=False)
    shell.user_ns["error"] = denied()
    out = shown(shell, capsys, "def read():\n    raise error\nread()")
    assert out.count("\n") <= 4 and "Traceback" not in out and "raise error" not in out
    assert "Next step:" in out and "project='early-help-demand'" in out
    plain = shown(shell, capsys, "def parse():\n    int('x')\nparse()")
    assert "ValueError" in plain and "int('x')" in plain and "Traceback" in plain


def test_show_traceback_prints_the_last_errors_traceback(shell, capsys, monkeypatch):
    monkeypatch.delenv("COMMONS_TRACEBACKS", raising=False)
    shell.user_ns["error"] = denied()
    shown(shell, capsys, "def read():\n    raise error\nread()")
    out = shown(shell, capsys, "import commons_kernel as ck\nck.show_traceback()")
    assert "raise error" in out and "read()" in out


def test_the_setting_shows_every_traceback(shell, capsys, monkeypatch):
    monkeypatch.setenv("COMMONS_TRACEBACKS", "true")
    shell.user_ns["error"] = denied()
    out = shown(shell, capsys, "def read():\n    raise error\nread()")
    assert "raise error" in out and "Next step:" in out


def test_a_mistyped_setting_does_not_hide_the_error(monkeypatch):
    monkeypatch.setenv("COMMONS_TRACEBACKS", "perhaps")
    assert "Next step:" in "\n".join(render_traceback(denied()))
