"""A read's purpose has real words (setting purpose_min_words); a read names only a project its caller is in."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from commons_hub.policy import Caller, ProjectView, decide_read
from commons_hub.purpose import is_blank, purpose_problem, purpose_words

pytestmark = pytest.mark.unit

MEMBER, OTHER = Caller("analyst1", groups=frozenset({"members"})), Caller("analyst2", groups=frozenset({"members"}))
PROJECT = ProjectView(
    "early-help-demand",
    "approved",
    date.today() + timedelta(days=30),
    frozenset({"analyst1"}),
    frozenset({"synthetic_referrals"}),
)


@pytest.mark.parametrize(
    "purpose, words",
    [
        ("weekly demand by borough", ["weekly", "demand", "by", "borough"]),
        ("ｗｅｅｋｌｙ ｄｅｍａｎｄ", ["weekly", "demand"]),  # full-width letters are letters (NFKC)
        ("zero\u200bwidth\u200bsplit", ["zero", "width", "split"]),
        ("a b c 12 34 _ -", []),
        (".", []),
        ("\u200b", []),
        ("", []),
        (None, []),
        ("Évaluation des besoins", ["Évaluation", "des", "besoins"]),
    ],
)
def test_words_are_runs_of_two_or_more_letters(purpose, words):
    assert purpose_words(purpose) == words


@pytest.mark.parametrize(
    "purpose", [".", "\u200b", "\u200b\u200b\u200b", "x", "test", "kernel test", "!!! ??? ...", "a b c d e f"]
)
def test_placeholders_are_refused_with_what_to_write(purpose):
    problem = purpose_problem(purpose)
    assert "at least 3 words" in problem and "purpose='" in problem and "public register" in problem


def test_an_invisible_purpose_is_named_as_such():
    assert "an invisible character" in purpose_problem("\u200b\u2060")


def test_the_minimum_is_a_setting(monkeypatch):
    assert purpose_problem("plan outreach visits") == ""
    monkeypatch.setenv("COMMONS_PURPOSE_MIN_WORDS", "5")
    assert "at least 5 words" in purpose_problem("plan outreach visits")
    assert purpose_problem("plan outreach visits in Sefton") == ""


def test_blank_means_nothing_given_and_zero_width_is_something():
    assert is_blank(None) and is_blank("") and is_blank("   ")
    assert not is_blank("\u200b")


@pytest.mark.parametrize("tier", ["open", "community", "restricted"])
def test_a_read_may_name_only_a_project_the_caller_is_in(tier):
    refused = decide_read(OTHER, "synthetic_referrals", tier, project=PROJECT)
    assert not refused.allowed and refused.rule == "project-member"
    assert "analyst2 is not a member of project 'early-help-demand'" in refused.reason
    assert decide_read(MEMBER, "synthetic_referrals", tier, project=PROJECT).allowed


@pytest.mark.parametrize("tier", ["open", "community"])
def test_open_and_community_reads_need_no_project(tier):
    assert decide_read(OTHER, "imd2019_lsoa11", tier).allowed
