"""The governance permissions as pairs: for every permission and every kind of caller, ``can_X`` is True exactly
when ``check_can_X`` lets the caller through; a refusal raises NotPermitted with the reason and how to get
permission, after a ``deny`` entry (outcome ``denied``, the attempted action) in a real audit log."""

from __future__ import annotations

import json

import pytest

from commons_hub.audit import AuditLog
from commons_hub.db import engine
from commons_hub.governance import permissions
from commons_hub.governance.permissions import NotPermitted
from commons_hub.policy import Caller

pytestmark = pytest.mark.unit

MEMBER = Caller("analyst1", groups=frozenset({"members"}))
STEWARD = Caller("steward", groups=frozenset({"members", "stewards"}))
STEWARD_ONLY = Caller("steward2", groups=frozenset({"stewards"}))
OUTSIDER = Caller("visitor")
SERVICE = Caller("refresher", kind="service", groups=frozenset({"members", "stewards"}))
CALLERS = [MEMBER, STEWARD, STEWARD_ONLY, OUTSIDER, SERVICE]

# permission: (the bool, the check with the audit log, the action its deny entry names, who is allowed)
RULES = {
    "propose": (
        lambda c: permissions.can_propose(c),
        lambda c, audit: permissions.check_can_propose(c, audit),
        "propose",
        {"analyst1", "steward"},
    ),
    "vote at all": (
        lambda c: permissions.can_vote(c),
        lambda c, audit: permissions.check_can_vote(c, audit),
        "vote",
        {"analyst1", "steward", "steward2"},
    ),
    "vote on analyst1's proposal naming steward2": (
        lambda c: permissions.can_vote(c, "analyst1", {"steward2"}),
        lambda c, audit: permissions.check_can_vote(c, audit, proposal_id=4, proposer="analyst1", named={"steward2"}),
        "vote",
        {"steward"},
    ),
    "contribute": (
        lambda c: permissions.can_contribute(c),
        lambda c, audit: permissions.check_can_contribute(c, audit),
        "contribute",
        {"analyst1", "steward"},
    ),
    "steward": (
        lambda c: permissions.can_steward(c),
        lambda c, audit: permissions.check_can_steward(c, audit, action="steward-task", because="stewards do it."),
        "steward-task",
        {"steward", "steward2"},
    ),
    "review steward2's contribution": (
        lambda c: permissions.can_review_contributions(c, "steward2"),
        lambda c, audit: permissions.check_can_review_contributions(
            c, audit, action="approve-contribution", dataset="visits", contribution_id=7, contributor="steward2"
        ),
        "approve-contribution",
        {"steward"},
    ),
    "preview analyst1's contribution": (
        lambda c: permissions.can_preview_contribution(c, "analyst1"),
        lambda c, audit: permissions.check_can_preview_contribution(
            c, audit, contribution_id=7, dataset="visits", contributor="analyst1"
        ),
        "preview-contribution",
        {"analyst1", "steward", "steward2"},
    ),
    "withdraw analyst1's dataset": (
        lambda c: permissions.can_withdraw(c, {"analyst1"}),
        lambda c, audit: permissions.check_can_withdraw(c, audit, dataset="visits", contributors={"analyst1"}),
        "withdraw",
        {"analyst1", "steward", "steward2"},
    ),
}


@pytest.fixture
def audit(tmp_path):
    return AuditLog(engine(f"sqlite:///{tmp_path / 'governance.sqlite'}"), anchor=tmp_path / "audit.anchor")


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("caller", CALLERS, ids=[c.name for c in CALLERS])
def test_can_and_check_can_agree_and_a_refusal_is_audited_first(rule, caller, audit):
    can, check, action, allowed = RULES[rule]
    assert can(caller) == (caller.name in allowed)
    if caller.name in allowed:
        check(caller, audit)
        assert list(audit.entries()) == []
        return
    with pytest.raises(NotPermitted) as refused:
        check(caller, audit)
    (entry,) = audit.entries()
    detail = json.loads(entry["detail"])
    assert (entry["action"], entry["outcome"], entry["actor"], entry["actor_kind"]) == (
        "deny",
        "denied",
        caller.name,
        caller.kind,
    )
    assert detail["attempted"] == action and detail["reason"] in str(refused.value)
    assert str(refused.value) != detail["reason"]  # the message goes on to say how to get permission
    assert audit.verify().ok


@pytest.mark.parametrize("rule", RULES)
def test_without_the_audit_log_a_refusal_still_raises(rule):
    _, check, _, allowed = RULES[rule]
    refused = next(c for c in CALLERS if c.name not in allowed)
    with pytest.raises(NotPermitted):
        check(refused, None)


def test_a_refusal_names_the_dataset_or_project_it_was_about(audit):
    with pytest.raises(NotPermitted, match="did not contribute visits"):
        permissions.check_can_withdraw(MEMBER, audit, dataset="visits", contributors={"analyst2"})
    with pytest.raises(NotPermitted, match="cannot propose a membership change"):
        permissions.check_can_propose(OUTSIDER, audit, what="a membership change", project="early-help")
    withdrawn, proposed = audit.entries()
    assert (withdrawn["dataset"], withdrawn["project"]) == ("visits", None)
    assert (proposed["dataset"], proposed["project"]) == (None, "early-help")


def test_each_vote_rule_says_which_one_refused():
    with pytest.raises(NotPermitted, match="neither a member nor a steward"):
        permissions.check_can_vote(OUTSIDER, None, proposal_id=4, proposer="analyst1")
    with pytest.raises(NotPermitted, match="analyst1 proposed proposal 4"):
        permissions.check_can_vote(MEMBER, None, proposal_id=4, proposer="analyst1")
    with pytest.raises(NotPermitted, match="analyst1 is named in proposal 4"):
        permissions.check_can_vote(MEMBER, None, proposal_id=4, proposer="analyst2", named={"analyst1"})
    with pytest.raises(NotPermitted, match="steward contributed visits \\(contribution 7\\) and cannot review it"):
        permissions.check_can_review_contributions(
            STEWARD, None, action="reject-contribution", dataset="visits", contribution_id=7, contributor="steward"
        )
