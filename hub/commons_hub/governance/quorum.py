"""The quorum rule: when do the votes on a proposal decide it, and which way? Pure functions over plain values.

Default (settings ``quorum_*`` and ``owner_veto``): a proposal is decided once it has at least 3 votes
(abstentions count) with at least 1 steward among the voters; it is approved when more than half of the approve
and reject votes approve, otherwise rejected. While it is open, a reject vote by someone who speaks for the
``owner`` of a restricted dataset the proposal names (a veto) rejects it at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CHOICES = ("approve", "reject", "abstain")


@dataclass(frozen=True)
class QuorumRule:
    min_votes: int = 3
    min_stewards: int = 1
    approve_share: float = 0.5
    owner_veto: bool = True

    @classmethod
    def from_settings(cls) -> QuorumRule:
        from commons_kernel.config import setting

        return cls(
            min_votes=setting("quorum_min_votes"),
            min_stewards=setting("quorum_min_stewards"),
            approve_share=setting("quorum_approve_share"),
            owner_veto=setting("owner_veto"),
        )

    def describe(self) -> str:
        veto = "; the owner of a restricted dataset may veto" if self.owner_veto else ""
        return (
            f"at least {self.min_votes} votes with at least {self.min_stewards} steward(s) among them; approved "
            f"when more than {self.approve_share:.0%} of approve and reject votes approve{veto}"
        )


@dataclass(frozen=True)
class Ballot:
    voter: str
    choice: str  # approve | reject | abstain
    steward: bool = False
    owner_of: frozenset[str] = frozenset()  # restricted datasets of the proposal whose owner this voter speaks for


@dataclass(frozen=True)
class Outcome:
    status: str  # open | approved | rejected
    reason: str
    counts: dict = field(default_factory=dict)

    @property
    def decided(self) -> bool:
        return self.status != "open"


def count(ballots: list[Ballot]) -> dict:
    counts = {choice: sum(1 for b in ballots if b.choice == choice) for choice in CHOICES}
    counts.update(votes=len(ballots), stewards=sum(1 for b in ballots if b.steward))
    return counts


def decide(ballots: list[Ballot], rule: QuorumRule | None = None) -> Outcome:
    """The outcome of ``ballots`` under ``rule``: still open, approved or rejected, and why (in plain words)."""
    rule = rule or QuorumRule()
    unknown = [b.choice for b in ballots if b.choice not in CHOICES]
    if unknown:
        raise ValueError(f"unknown vote choice(s) {unknown}; a vote is one of {', '.join(CHOICES)}")
    counts = count(ballots)
    if rule.owner_veto:
        vetoes = sorted({name for b in ballots if b.choice == "reject" for name in b.owner_of})
        if vetoes:
            return Outcome("rejected", f"the owner of restricted dataset(s) {', '.join(vetoes)} vetoed it.", counts)
    missing = []
    if counts["votes"] < rule.min_votes:
        missing.append(f"{rule.min_votes - counts['votes']} more vote(s)")
    if counts["stewards"] < rule.min_stewards:
        missing.append(f"{rule.min_stewards - counts['stewards']} steward vote(s)")
    if missing:
        return Outcome("open", f"waiting for {' and '.join(missing)} ({rule.describe()}).", counts)
    deciding = counts["approve"] + counts["reject"]
    if deciding == 0:
        return Outcome("open", "every vote so far is an abstention: waiting for an approve or reject vote.", counts)
    tally = f"{counts['approve']} approve, {counts['reject']} reject, {counts['abstain']} abstain"
    if counts["approve"] > rule.approve_share * deciding:
        return Outcome("approved", f"quorum reached and a majority approved ({tally}).", counts)
    return Outcome("rejected", f"quorum reached without a majority to approve ({tally}).", counts)
