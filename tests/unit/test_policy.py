"""The read policy on its whole matrix: tier × membership × project state × dataset listed × dates."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from commons_hub.policy import Caller, ProjectView, decide_read

pytestmark = pytest.mark.unit

TODAY = date(2026, 11, 21)
MEMBER = Caller("ana", groups=frozenset({"members"}))
OUTSIDER = Caller("olu", groups=frozenset())
SERVICE = Caller("stories", kind="service")


def project(status="approved", members=("ana",), datasets=("secret",), start=date(2026, 1, 1), end=date(2026, 12, 31)):
    return ProjectView("p1", status, end, frozenset(members), frozenset(datasets), start)


@pytest.mark.parametrize("caller", [MEMBER, OUTSIDER, SERVICE])
def test_open_data_is_readable_by_any_authenticated_caller(caller):
    assert decide_read(caller, "imd", "open", today=TODAY).allowed


@pytest.mark.parametrize(("caller", "allowed"), [(MEMBER, True), (OUTSIDER, False), (SERVICE, False)])
def test_community_data_needs_the_members_group(caller, allowed):
    decision = decide_read(caller, "foodbank", "community", today=TODAY)
    assert decision.allowed is allowed
    if not allowed:
        assert "members group" in decision.reason and decision.how_to_get_access


CASES = list(
    itertools.product(
        ["ana", "olu"],  # caller
        [None, "approved", "proposed", "rejected"],  # project state (None: no project named)
        [True, False],  # project lists the dataset
        [date(2026, 6, 1), date(2025, 6, 1), date(2027, 6, 1)],  # today: within, before start, after end
    )
)


@pytest.mark.parametrize(("name", "status", "listed", "today"), CASES)
def test_restricted_matrix(name, status, listed, today):
    caller = Caller(name, groups=frozenset({"members"}))
    view = None if status is None else project(status=status, datasets=("secret",) if listed else ("other",))
    decision = decide_read(caller, "secret", "restricted", project=view, today=today)
    expected = name == "ana" and status == "approved" and listed and date(2026, 1, 1) <= today <= date(2026, 12, 31)
    assert decision.allowed is expected
    if not expected:
        assert decision.reason and decision.how_to_get_access


def test_reasons_say_what_is_wrong_in_order_of_what_to_fix_first():
    assert "name the approved project" in decide_read(MEMBER, "secret", "restricted", today=TODAY).reason
    assert "not a member" in decide_read(OUTSIDER, "secret", "restricted", project=project(), today=TODAY).reason
    assert "is proposed" in decide_read(MEMBER, "secret", "restricted", project=project("proposed"), today=TODAY).reason
    assert (
        "ended on 2026-12-31"
        in decide_read(MEMBER, "secret", "restricted", project=project(), today=date(2027, 1, 1)).reason
    )
    assert (
        "does not list"
        in decide_read(MEMBER, "secret", "restricted", project=project(datasets=("x",)), today=TODAY).reason
    )


def test_the_last_day_of_a_project_is_still_inside_it():
    assert decide_read(MEMBER, "secret", "restricted", project=project(), today=date(2026, 12, 31)).allowed


def test_withdrawn_datasets_are_refused_at_every_tier():
    for tier in ("open", "community", "restricted"):
        decision = decide_read(MEMBER, "gone", tier, project=project(datasets=("gone",)), today=TODAY, withdrawn=True)
        assert not decision.allowed and "withdrawn" in decision.reason


def test_unknown_tier_is_refused():
    assert not decide_read(MEMBER, "odd", "secret-squirrel", today=TODAY).allowed


def test_a_refusal_teaches_and_an_allowed_restricted_read_names_its_rule():
    refused = decide_read(OUTSIDER, "foodbank", "community", today=TODAY)
    assert not refused.allowed and "steward" in refused.how_to_get_access
    assert decide_read(MEMBER, "secret", "restricted", project=project(), today=TODAY).rule == "restricted"
