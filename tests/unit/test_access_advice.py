"""The advice after a refused read fits the person: the policy says why, access_advice says what they should do."""

from __future__ import annotations

from datetime import date

import pytest

from commons_hub.access_advice import advise, denial_fields
from commons_hub.policy import Caller, ProjectView, decide_read

pytestmark = pytest.mark.unit

TODAY = date(2026, 11, 21)
ANA = Caller("ana", groups=frozenset({"members"}))  # member of early-help, which lists the dataset
OLU = Caller("olu", groups=frozenset({"members"}))  # member of no project


def row(slug, members, datasets, status="approved", active=True):
    return {
        "slug": slug,
        "status": status,
        "active": active,
        "datasets": list(datasets),
        "members": [{"username": m, "organisation": ""} for m in members],
    }


PROJECTS = [
    row("early-help", ["ana"], ["referrals", "imd"]),
    row("housing", ["ana", "olu"], ["imd"]),
    row("school-moves", ["bea"], ["referrals"]),
    row("old-one", ["olu"], ["referrals"], "approved", False),
]


def view(slug):
    found = next(p for p in PROJECTS if p["slug"] == slug)
    return ProjectView(
        slug,
        found["status"],
        date(2026, 12, 31),
        frozenset(m["username"] for m in found["members"]),
        frozenset(found["datasets"]),
        date(2026, 1, 1),
    )


def refused(caller, project=None, projects=PROJECTS, dataset="referrals", tier="restricted"):
    decision = decide_read(caller, dataset, tier, project=view(project) if project else None, today=TODAY)
    assert not decision.allowed
    return advise(decision, caller.name, dataset, tier, projects, rule_text="at least 3 votes")


def test_a_member_of_a_listing_project_who_named_none_is_told_to_name_it():
    decision = refused(ANA)
    assert decision.why == "no-project-named" and decision.details["advice"] == "name-your-project"
    assert "project='early-help'" in decision.how_to_get_access
    assert "propose_project" not in decision.how_to_get_access
    assert decision.details["your_projects"] == ["early-help"]


def test_someone_in_no_listing_project_is_told_which_projects_list_it_and_how_to_join_or_propose():
    decision = refused(OLU)
    assert decision.details["advice"] == "join-or-propose"
    assert "'early-help', 'school-moves'" in decision.how_to_get_access  # active ones only: not old-one
    assert "old-one" not in decision.how_to_get_access
    assert "ck.propose_member('early-help', 'olu')" in decision.how_to_get_access
    assert "ck.propose_project(" in decision.how_to_get_access
    assert decision.details["projects_listing"] == ["early-help", "school-moves"]


def test_when_no_project_lists_it_the_advice_is_to_propose_one():
    decision = refused(OLU, projects=[row("housing", ["olu"], ["imd"])])
    assert decision.details["advice"] == "propose-project"
    assert "No active project lists referrals" in decision.how_to_get_access
    assert "datasets=['referrals']" in decision.how_to_get_access


def test_naming_a_project_that_does_not_list_it_names_the_one_of_yours_that_does():
    decision = refused(ANA, project="housing")
    assert decision.why == "project-does-not-list" and decision.details["advice"] == "name-your-project"
    assert "project='early-help'" in decision.how_to_get_access


def test_naming_a_project_that_does_not_list_it_without_one_of_your_own_lists_those_that_do():
    decision = refused(OLU, project="housing")
    assert decision.details["advice"] == "join-or-propose"
    assert (
        "'early-help', 'school-moves'" in decision.how_to_get_access
        and "housing" not in decision.how_to_get_access.split("Projects approved")[1].split(".")[0]
    )


def test_naming_someone_elses_project_says_how_to_ask_its_members():
    decision = refused(OLU, project="school-moves")
    assert decision.why == "not-project-member"
    assert "ck.propose_member('school-moves', 'olu')" in decision.how_to_get_access


def test_a_project_waiting_for_its_vote_says_who_decides():
    projects = [row("new-study", ["olu"], ["referrals"], status="proposed", active=False)]
    decision = refused(OLU, projects=projects)
    assert decision.details["advice"] == "await-approval"
    assert "members and stewards decide (the rule: at least 3 votes)" in decision.how_to_get_access
    assert "/services/data-api/decisions" in decision.how_to_get_access


def test_community_data_refused_to_a_non_member_says_a_steward_decides():
    decision = decide_read(Caller("zed"), "foodbank", "community", today=TODAY)
    advised = advise(decision, "zed", "foodbank", "community", PROJECTS)
    assert advised.details["advice"] == "ask-a-steward" and "A steward decides" in advised.how_to_get_access


def test_open_data_under_someone_elses_project_keeps_the_policys_advice():
    decision = decide_read(OLU, "imd", "open", project=view("early-help"), today=TODAY)
    assert advise(decision, "olu", "imd", "open", PROJECTS) == decision
    assert "Read without project=" in decision.how_to_get_access


def test_allowed_reads_are_left_alone_and_the_json_fields_are_explicit():
    allowed = decide_read(ANA, "referrals", "restricted", project=view("early-help"), today=TODAY)
    assert advise(allowed, "ana", "referrals", "restricted", PROJECTS) is allowed
    fields = denial_fields(refused(ANA))
    assert fields == {
        "why": "no-project-named",
        "advice": "name-your-project",
        "projects_listing": ["early-help", "school-moves"],
        "your_projects": ["early-help"],
    }
