"""The quorum rule on its own: when votes decide a proposal, and which way (commons_hub.governance.quorum)."""

from __future__ import annotations

import pytest

from commons_hub.governance.quorum import Ballot, QuorumRule, decide
from commons_kernel.exceptions import ConfigurationError

pytestmark = pytest.mark.unit


def ballots(*specs) -> list[Ballot]:
    """'approve', 'reject!' (a steward), 'reject@imd' (speaks for the owner of dataset imd)."""
    result = []
    for i, spec in enumerate(specs):
        choice, _, owned = spec.partition("@")
        steward = choice.endswith("!")
        result.append(Ballot(f"voter{i}", choice.rstrip("!"), steward, frozenset([owned] if owned else [])))
    return result


@pytest.mark.parametrize(
    "specs, status",
    [
        ((), "open"),
        (("approve!", "approve"), "open"),  # too few votes
        (("approve", "approve", "approve"), "open"),  # no steward among them
        (("approve!", "approve", "reject"), "approved"),
        (("approve!", "reject", "reject"), "rejected"),
        (("approve!", "reject", "abstain", "abstain"), "rejected"),  # a tie is not a majority
        (("approve!", "abstain", "abstain"), "approved"),  # abstentions count for the quorum only
        (("abstain!", "abstain", "abstain"), "open"),  # nobody for or against yet
        (("reject!", "approve", "approve", "approve"), "approved"),
    ],
)
def test_default_rule(specs, status):
    outcome = decide(ballots(*specs))
    assert outcome.status == status, outcome.reason
    assert outcome.decided == (status != "open")


def test_reasons_say_what_is_missing():
    assert "1 more vote(s) and 1 steward vote(s)" in decide(ballots("approve", "approve")).reason
    assert "2 approve, 1 reject, 0 abstain" in decide(ballots("approve!", "approve", "reject")).reason


def test_owner_veto_rejects_at_once_even_before_quorum():
    outcome = decide(ballots("approve!", "reject@synthetic_referrals"))
    assert outcome.status == "rejected"
    assert "synthetic_referrals" in outcome.reason and "vetoed" in outcome.reason


def test_owner_approving_or_abstaining_is_an_ordinary_vote():
    assert (
        decide(ballots("approve!", "approve@synthetic_referrals", "abstain@synthetic_referrals")).status == "approved"
    )


def test_veto_can_be_turned_off():
    rule = QuorumRule(owner_veto=False)
    assert decide(ballots("approve!", "approve", "reject@synthetic_referrals"), rule).status == "approved"


def test_configurable_numbers():
    strict = QuorumRule(min_votes=5, min_stewards=2, approve_share=2 / 3)
    assert decide(ballots("approve!", "approve!", "approve", "reject"), strict).status == "open"
    assert decide(ballots("approve!", "approve!", "approve", "reject", "reject"), strict).status == "rejected"
    assert decide(ballots("approve!", "approve!", "approve", "approve", "reject"), strict).status == "approved"


def test_rule_from_settings(monkeypatch):
    monkeypatch.setenv("COMMONS_QUORUM_MIN_VOTES", "4")
    monkeypatch.setenv("COMMONS_QUORUM_MIN_STEWARDS", "0")
    monkeypatch.setenv("COMMONS_QUORUM_APPROVE_SHARE", "0.75")
    monkeypatch.setenv("COMMONS_OWNER_VETO", "false")
    rule = QuorumRule.from_settings()
    assert rule == QuorumRule(min_votes=4, min_stewards=0, approve_share=0.75, owner_veto=False)
    assert "at least 4 votes" in rule.describe() and "veto" not in rule.describe()
    assert decide(ballots("approve", "approve", "approve", "reject"), rule).status == "rejected"  # 75% is not more


def test_default_settings_are_the_documented_rule():
    assert QuorumRule.from_settings() == QuorumRule(3, 1, 0.5, True)


def test_bad_setting_says_what_to_do(monkeypatch):
    monkeypatch.setenv("COMMONS_QUORUM_APPROVE_SHARE", "1.5")
    with pytest.raises(ConfigurationError, match="COMMONS_QUORUM_APPROVE_SHARE"):
        QuorumRule.from_settings()


def test_unknown_choice_is_refused():
    with pytest.raises(ValueError, match="approve, reject, abstain"):
        decide([Ballot("x", "maybe")])
