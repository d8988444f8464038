"""The release rules on their own: who may request, review, resubmit and download, and what reviews add up to."""

from __future__ import annotations

from datetime import date

import pytest

from commons_hub.policy import Caller, ProjectView
from commons_hub.releases import rules
from commons_kernel.exceptions import AccessDenied, GovernanceError, ValidationFailed

pytestmark = pytest.mark.unit

TODAY = date(2026, 11, 21)
PROJECT = ProjectView(
    "early-help-demand",
    "approved",
    date(2027, 12, 31),
    frozenset({"analyst1", "checker"}),
    frozenset({"synthetic_referrals"}),
    date(2025, 1, 1),
)
ANALYST = Caller("analyst1", groups=frozenset({"members"}))
CHECKER = Caller("checker", groups=frozenset({"members", "checkers"}))
CHECKER2 = Caller("checker2", groups=frozenset({"members", "checkers"}))
OUTSIDER = Caller("analyst2", groups=frozenset({"members"}))


def release(requester="analyst1", status=rules.PENDING):
    return rules.ReleaseView(7, PROJECT.slug, requester, status)


def reviews(*pairs):
    return [rules.ReviewView(checker, decision) for checker, decision in pairs]


# -- what the reviews add up to -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "made, expected",
    [
        ([], rules.PENDING),
        ([("checker", "approve")], rules.PENDING),  # one approval is not enough
        ([("checker", "approve"), ("checker", "approve")], rules.PENDING),  # a checker counts once
        ([("checker", "approve"), ("checker2", "approve")], rules.RELEASED),
        ([("checker", "approve"), ("checker2", "reject")], rules.REJECTED),  # a rejection ends it
        ([("checker", "reject"), ("checker2", "approve")], rules.REJECTED),
        ([("checker", "request-changes")], rules.CHANGES_REQUESTED),
        ([("checker", "approve"), ("checker2", "request-changes")], rules.CHANGES_REQUESTED),
        ([("analyst1", "approve"), ("checker", "approve")], rules.PENDING),  # the requester's review never counts
    ],
)
def test_status_after_reviews(made, expected):
    assert rules.status_after(reviews(*made), requester="analyst1") == expected


def test_approvals_are_distinct_checkers_by_their_latest_decision():
    made = reviews(("checker", "approve"), ("checker", "approve"), ("checker2", "approve"))
    assert rules.approvals(made, "analyst1") == ["checker", "checker2"]
    assert rules.approvals(reviews(("checker", "approve"), ("checker", "reject")), "analyst1") == []


# -- reviewing ------------------------------------------------------------------------------------------------


def test_a_checker_may_review_a_pending_release_of_someone_else():
    assert rules.decide_review(CHECKER, release(), "approve").allowed


def test_self_approval_is_refused():
    decision = rules.decide_review(CHECKER, release(requester="checker"), "approve")
    assert not decision.allowed and "no self-approval" in decision.reason and decision.rule == "review-self"
    with pytest.raises(AccessDenied, match="cannot review it"):
        rules.check_can_review(CHECKER, release(requester="checker"), "approve")


def test_only_checkers_review():
    decision = rules.decide_review(OUTSIDER, release(), "approve")
    assert not decision.allowed and "checkers group" in decision.reason
    with pytest.raises(AccessDenied, match="checkers group") as refused:
        rules.check_can_review(OUTSIDER, release(), "approve")
    assert refused.value.name == "release 7"


def test_who_is_an_output_checker_and_who_sees_a_release_in_full():
    assert rules.can_check_outputs(CHECKER) and not rules.can_check_outputs(ANALYST)
    members = frozenset({"analyst1"})
    assert rules.can_see_details(CHECKER2, release(requester="analyst3"), frozenset())  # a checker
    assert rules.can_see_details(ANALYST, release(requester="analyst3"), members)  # a member
    assert rules.can_see_details(OUTSIDER, release(requester="analyst2"), members)  # the requester
    assert not rules.can_see_details(OUTSIDER, release(), members)


def test_check_can_returns_the_decision_when_it_allows():
    allowed = rules.check_can_review(CHECKER, release(), "approve")
    assert allowed.allowed and allowed.rule == "review"
    assert rules.check_can_request(ANALYST, PROJECT.slug, PROJECT, TODAY).rule == "request"
    assert rules.check_can_download(CHECKER2, release(), PROJECT.members).rule == "download-checker"
    sent_back = release(status=rules.CHANGES_REQUESTED)
    assert rules.check_can_resubmit(ANALYST, sent_back, None, PROJECT.slug).rule == "resubmit"


@pytest.mark.parametrize("status", [rules.RELEASED, rules.REJECTED, rules.CHANGES_REQUESTED])
def test_a_decided_release_is_not_reviewed_again(status):
    decision = rules.decide_review(CHECKER, release(status=status), "approve")
    assert not decision.allowed
    with pytest.raises(GovernanceError, match=f"is {status}"):
        rules.check_can_review(CHECKER, release(status=status), "approve")


def test_an_unknown_decision_is_a_validation_error():
    with pytest.raises(ValidationFailed, match="approve, request-changes, reject"):
        rules.decide_review(CHECKER, release(), "ok")


# -- requesting, resubmitting, downloading --------------------------------------------------------------------


def test_members_of_an_approved_running_project_may_request():
    assert rules.decide_request(ANALYST, PROJECT.slug, PROJECT, TODAY).allowed


@pytest.mark.parametrize(
    "caller, project, today, words",
    [
        (OUTSIDER, PROJECT, TODAY, "not a member"),
        (ANALYST, None, TODAY, "no project called"),
        (ANALYST, PROJECT, date(2028, 1, 1), "ended on 2027-12-31"),
        (ANALYST, PROJECT, date(2024, 6, 1), "starts on 2025-01-01"),
        (Caller("stories", kind="service"), PROJECT, TODAY, "only people"),
    ],
)
def test_request_refusals_say_why(caller, project, today, words):
    decision = rules.decide_request(caller, PROJECT.slug, project, today)
    assert not decision.allowed and words in decision.reason and decision.how_to_get_access
    with pytest.raises((AccessDenied, GovernanceError), match=words):
        rules.check_can_request(caller, PROJECT.slug, project, today)


def test_a_person_refusal_is_access_denied_and_a_state_refusal_is_not_allowed_now():
    with pytest.raises(AccessDenied, match="not a member") as refused:
        rules.check_can_request(OUTSIDER, PROJECT.slug, PROJECT, TODAY)
    assert refused.value.name == f"project {PROJECT.slug}"
    with pytest.raises(GovernanceError, match="ended on 2027-12-31. Propose an extension"):
        rules.check_can_request(ANALYST, PROJECT.slug, PROJECT, date(2028, 1, 1))


def test_a_proposed_project_cannot_release_yet():
    proposed = ProjectView(**{**PROJECT.__dict__, "status": "proposed"})
    decision = rules.decide_request(ANALYST, proposed.slug, proposed, TODAY)
    assert not decision.allowed and "not approved" in decision.reason


def test_resubmission_only_by_the_requester_of_a_release_sent_back_once():
    sent_back = release(status=rules.CHANGES_REQUESTED)
    assert rules.decide_resubmit(ANALYST, sent_back, None, PROJECT.slug).allowed
    assert not rules.decide_resubmit(CHECKER, sent_back, None, PROJECT.slug).allowed
    assert "already resubmitted as release 9" in rules.decide_resubmit(ANALYST, sent_back, 9, PROJECT.slug).reason
    assert not rules.decide_resubmit(ANALYST, release(status=rules.REJECTED), None, PROJECT.slug).allowed
    assert not rules.decide_resubmit(ANALYST, sent_back, None, "other-project").allowed
    with pytest.raises(AccessDenied, match="only they may resubmit"):
        rules.check_can_resubmit(CHECKER, sent_back, None, PROJECT.slug)
    with pytest.raises(GovernanceError, match="already resubmitted as release 9"):
        rules.check_can_resubmit(ANALYST, sent_back, 9, PROJECT.slug)


def test_downloads_members_once_released_checkers_always():
    members = PROJECT.members
    assert rules.decide_download(ANALYST, release(status=rules.RELEASED), members).allowed
    pending = rules.decide_download(ANALYST, release(), members)
    assert not pending.allowed and "once two checkers" in pending.reason
    assert rules.decide_download(CHECKER2, release(), members).allowed
    outsider = rules.decide_download(OUTSIDER, release(status=rules.RELEASED), members)
    assert not outsider.allowed and "not one of its members" in outsider.reason
    with pytest.raises(AccessDenied, match="not one of its members"):
        rules.check_can_download(OUTSIDER, release(status=rules.RELEASED), members)
    with pytest.raises(GovernanceError, match="once two checkers"):
        rules.check_can_download(ANALYST, release(), members)


def test_next_step_counts_the_missing_approvals():
    assert "2 more approvals" in rules.next_step(rules.PENDING, [])
    assert "1 more approval " in rules.next_step(rules.PENDING, ["checker"])
    assert "replaces=id" in rules.next_step(rules.CHANGES_REQUESTED, [])
