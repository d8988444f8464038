"""Proposals, votes and decisions in a real (temporary SQLite) governance database: the decision takes effect in
the policy at once, membership changes go through the same vote, projects lapse at their end date, all audited."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from commons_hub.audit import AuditLog
from commons_hub.db import engine
from commons_hub.governance import decisions
from commons_hub.governance.permissions import NotPermitted
from commons_hub.governance.projects import project_view
from commons_hub.policy import Caller, decide_read
from commons_kernel.exceptions import GovernanceError

pytestmark = pytest.mark.unit

FUTURE = date.today() + timedelta(days=365)
CATALOGUE = {
    "synthetic_referrals": SimpleNamespace(tier="restricted", owner="Imaginary Borough Council"),
    "imd2019_lsoa11": SimpleNamespace(tier="open", owner=None),
}


def member(name: str, *groups: str) -> Caller:
    return Caller(name, groups=frozenset({"members", *groups}))


ANALYST, OTHER, THIRD = member("analyst1"), member("analyst2"), member("checker")
STEWARD = member("steward", "stewards")
OWNER = member("council_rep", "Imaginary Borough Council")  # speaks for the owner through a hub group
OUTSIDER = Caller("visitor")


@pytest.fixture
def gov(tmp_path):
    eng = engine(f"sqlite:///{tmp_path / 'governance.sqlite'}")
    return SimpleNamespace(eng=eng, audit=AuditLog(eng, anchor=tmp_path / "audit.anchor"))


def propose(gov, **changes) -> dict:
    values = dict(
        title="Referrals and deprivation",
        purpose="Plan outreach where referrals rise.",
        public_benefit="Earlier help for families.",
        datasets=["synthetic_referrals"],
        end_date=FUTURE,
        members=["analyst1"],
    )
    values.update(changes)
    return decisions.propose_project(ANALYST, catalogue=CATALOGUE, eng=gov.eng, audit=gov.audit, **values)


def vote(gov, caller, proposal, choice, comment="", **kwargs) -> dict:
    return decisions.vote(
        caller, proposal["id"], choice, comment, eng=gov.eng, audit=gov.audit, catalogue=CATALOGUE, **kwargs
    )


def can_read(gov, caller, slug) -> bool:
    return decide_read(caller, "synthetic_referrals", "restricted", project=project_view(slug, gov.eng)).allowed


def test_proposal_then_quorum_approves_and_policy_allows_at_once(gov):
    proposal = propose(gov)
    slug = proposal["project"]
    assert proposal["status"] == "open" and not can_read(gov, ANALYST, slug)
    vote(gov, THIRD, proposal, "approve")
    vote(gov, OTHER, proposal, "abstain", "fine by me")
    assert decisions.proposal(proposal["id"], gov.eng)["status"] == "open"
    decided = vote(gov, STEWARD, proposal, "approve", "public benefit is clear")
    assert decided["status"] == "approved" and decided["counts"]["stewards"] == 1
    assert can_read(gov, ANALYST, slug)
    assert not can_read(gov, OTHER, slug)  # not a member of the project
    actions = [e["action"] for e in gov.audit.entries()]
    assert actions == ["propose", "vote", "vote", "vote", "decide"]
    decide_entry = list(gov.audit.entries())[-1]
    assert decide_entry["project"] == slug and '"decision":"approved"' in decide_entry["detail"]
    assert gov.audit.verify().ok


def test_rejection_takes_effect_and_is_final(gov):
    proposal = propose(gov)
    for caller in (OTHER, THIRD):
        vote(gov, caller, proposal, "reject")
    assert vote(gov, STEWARD, proposal, "approve")["status"] == "rejected"
    assert project_view(proposal["project"], gov.eng).status == "rejected"
    with pytest.raises(GovernanceError, match="already decided"):
        vote(gov, OWNER, proposal, "approve")


def test_one_vote_each(gov):
    proposal = propose(gov)
    vote(gov, OTHER, proposal, "approve")
    with pytest.raises(GovernanceError, match="already voted"):
        vote(gov, OTHER, proposal, "reject")


def test_owner_of_restricted_dataset_vetoes(gov):
    proposal = propose(gov)
    vote(gov, STEWARD, proposal, "approve")
    vote(gov, OTHER, proposal, "approve")
    vetoed = vote(gov, OWNER, proposal, "reject", "we did not agree to this use")
    assert vetoed["status"] == "rejected" and "vetoed" in vetoed["decision_reason"]
    assert vetoed["votes"][-1]["veto_for"] == ["synthetic_referrals"]
    assert project_view(proposal["project"], gov.eng).status == "rejected"


def test_owner_of_an_open_dataset_has_no_veto(gov):
    catalogue = {**CATALOGUE, "imd2019_lsoa11": SimpleNamespace(tier="open", owner="Imaginary Borough Council")}
    proposal = decisions.propose_project(
        ANALYST,
        title="Open only",
        purpose="p",
        public_benefit="b",
        datasets=["imd2019_lsoa11"],
        end_date=FUTURE,
        catalogue=catalogue,
        eng=gov.eng,
        audit=gov.audit,
    )
    decided = decisions.vote(OWNER, proposal["id"], "reject", eng=gov.eng, audit=gov.audit, catalogue=catalogue)
    assert decided["status"] == "open"


def test_only_members_propose_and_vote_and_refusals_are_audited(gov):
    with pytest.raises(NotPermitted, match="not a member"):
        decisions.propose_project(
            OUTSIDER,
            title="t",
            purpose="p",
            public_benefit="b",
            datasets=["imd2019_lsoa11"],
            end_date=FUTURE,
            catalogue=CATALOGUE,
            eng=gov.eng,
            audit=gov.audit,
        )
    proposal = propose(gov)
    with pytest.raises(NotPermitted):
        vote(gov, OUTSIDER, proposal, "approve")
    denials = [e for e in gov.audit.entries() if e["action"] == "deny"]
    assert [e["actor"] for e in denials] == ["visitor", "visitor"]


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"datasets": ["no_such_dataset"]}, "No dataset called no_such_dataset"),
        ({"datasets": []}, "Name the datasets"),
        ({"end_date": date.today()}, "end date must be after today"),
        ({"end_date": "31/12/2030"}, "write it as YYYY-MM-DD"),
        ({"title": "  "}, "needs a title"),
        ({"slug": "Bad Slug!"}, "cannot be a project's short name"),
        ({"members": ["../etc"]}, "not a user name"),
    ],
)
def test_bad_proposals_say_how_to_fix_them(gov, changes, message):
    with pytest.raises(GovernanceError, match=message):
        propose(gov, **changes)


def test_duplicate_project_name_is_refused(gov):
    propose(gov)
    with pytest.raises(GovernanceError, match="already exists"):
        propose(gov)


def approved_project(gov) -> dict:
    proposal = propose(gov)
    for caller in (OTHER, THIRD, STEWARD):
        vote(gov, caller, proposal, "approve")
    return proposal


def test_membership_changes_go_through_the_same_vote(gov):
    slug = approved_project(gov)["project"]
    add = decisions.propose_membership(
        ANALYST, slug, "analyst2", organisation="Merseyside CVS", eng=gov.eng, audit=gov.audit, catalogue=CATALOGUE
    )
    assert add["kind"] == "add-member" and not can_read(gov, OTHER, slug)
    with pytest.raises(GovernanceError, match="still open"):
        decisions.propose_membership(STEWARD, slug, "analyst2", eng=gov.eng, audit=gov.audit, catalogue=CATALOGUE)
    for caller in (THIRD, STEWARD, OWNER):
        vote(gov, caller, add, "approve")
    assert can_read(gov, OTHER, slug)
    remove = decisions.propose_membership(
        OTHER,
        slug,
        "analyst1",
        change="remove",
        reason="left the council",
        eng=gov.eng,
        audit=gov.audit,
        catalogue=CATALOGUE,
    )
    for caller in (THIRD, STEWARD, OWNER):
        vote(gov, caller, remove, "approve")
    assert not can_read(gov, ANALYST, slug) and can_read(gov, OTHER, slug)
    with pytest.raises(GovernanceError, match="is not a member"):
        decisions.propose_membership(
            STEWARD, slug, "analyst1", change="remove", eng=gov.eng, audit=gov.audit, catalogue=CATALOGUE
        )


def test_membership_of_a_project_not_approved_cannot_change(gov):
    slug = propose(gov)["project"]
    with pytest.raises(GovernanceError, match="only an approved, running project"):
        decisions.propose_membership(ANALYST, slug, "analyst2", eng=gov.eng, audit=gov.audit, catalogue=CATALOGUE)


def test_projects_expire_at_their_end_date(gov):
    proposal = approved_project(gov)
    slug, end = proposal["project"], date.fromisoformat(proposal["end_date"])
    view = project_view(slug, gov.eng)
    assert decide_read(ANALYST, "synthetic_referrals", "restricted", project=view, today=end).allowed
    after = decide_read(ANALYST, "synthetic_referrals", "restricted", project=view, today=end + timedelta(days=1))
    assert not after.allowed and "ended" in after.reason
    assert decisions.project_status(slug, gov.eng, today=end + timedelta(days=1)) == "ended"


def test_an_open_proposal_lapses_at_the_end_date(gov):
    proposal = propose(gov)
    later = date.fromisoformat(proposal["end_date"]) + timedelta(days=1)
    with pytest.raises(GovernanceError, match="lapsed"):
        vote(gov, OTHER, proposal, "approve", today=later)
    assert decisions.proposal(proposal["id"], gov.eng)["status"] == "lapsed"
    assert not decisions.list_proposals(gov.eng, "open")
    assert [e["action"] for e in gov.audit.entries()][-1] == "decide"


def test_vote_by_project_name(gov):
    proposal = propose(gov)
    assert decisions.open_project_proposal(proposal["project"], gov.eng) == proposal["id"]
    with pytest.raises(GovernanceError, match="no proposal"):
        decisions.open_project_proposal("no-such-project", gov.eng)


def test_the_proposer_cannot_vote_on_their_own_proposal_and_the_refusal_is_audited(gov):
    proposal = propose(gov, members=["analyst2"])  # the proposer is not even a member of the project
    with pytest.raises(NotPermitted, match="analyst1 proposed proposal"):
        vote(gov, ANALYST, proposal, "approve")
    denied = [e for e in gov.audit.entries() if e["action"] == "deny"]
    assert [(e["actor"], e["project"]) for e in denied] == [("analyst1", proposal["project"])]
    assert '"attempted":"vote"' in denied[0]["detail"]
    assert decisions.proposal(proposal["id"], gov.eng)["votes"] == []


def test_members_a_proposal_names_cannot_vote_on_it(gov):
    proposal = propose(gov, members=["analyst1", "checker"])
    with pytest.raises(NotPermitted, match="checker is named in proposal"):
        vote(gov, THIRD, proposal, "approve")
    assert vote(gov, OTHER, proposal, "approve")["counts"]["approve"] == 1  # not named: may vote


def test_the_person_a_membership_change_is_about_cannot_vote_on_it(gov):
    slug = approved_project(gov)["project"]
    add = decisions.propose_membership(ANALYST, slug, "analyst2", eng=gov.eng, audit=gov.audit, catalogue=CATALOGUE)
    with pytest.raises(NotPermitted, match="analyst2 is named"):
        vote(gov, OTHER, add, "approve")
    with pytest.raises(NotPermitted, match="proposed proposal"):
        vote(gov, ANALYST, add, "approve")


def test_can_vote_is_the_bool_twin_of_check_can_vote():
    from commons_hub.governance.permissions import can_vote

    assert can_vote(OTHER, "analyst1", {"analyst1"})
    assert not can_vote(ANALYST, "analyst1", set())
    assert not can_vote(OTHER, "analyst1", {"analyst2"})
    assert not can_vote(OUTSIDER, "analyst1", set())
