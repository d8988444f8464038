"""Who may take part in governance: permissions about the *person*, kept apart from what the state allows
(STYLE: who vs what). Each rule is a pair: ``may_...`` / ``can_...`` returns a bool; ``check(...)`` /
``check_can_...`` audits a refusal as a ``deny`` entry and raises NotPermitted, which the data-api answers with 403.
"""

from __future__ import annotations

from commons_hub.audit import AuditEvent
from commons_hub.policy import STEWARDS_GROUP, Caller
from commons_kernel.exceptions import GovernanceError


class NotPermitted(GovernanceError):
    """The caller may not take this governance action (not a member, not a steward, not the contributor)."""

    code, status = "not-permitted", 403


def is_steward(caller: Caller) -> bool:
    return STEWARDS_GROUP in caller.groups


def may_propose(caller: Caller) -> bool:
    return caller.kind == "user" and caller.is_member


def may_vote(caller: Caller) -> bool:
    return caller.kind == "user" and (caller.is_member or is_steward(caller))


def can_vote(caller: Caller, proposer: str, named=frozenset()) -> bool:
    """A member or steward votes, unless they proposed it or the proposal names them (as a member of the project
    it asks for, or as the person it would add or remove): nobody decides on their own request."""
    return may_vote(caller) and caller.name != proposer and caller.name not in set(named)


def check_can_vote(
    caller: Caller, audit, *, proposal_id: int, proposer: str, named=frozenset(), project: str | None = None
) -> None:
    """Raise NotPermitted (after a ``deny`` entry) unless ``can_vote``; the reason says which rule."""
    check(
        may_vote(caller),
        caller,
        audit,
        "vote",
        f"{caller.name} is neither a member nor a steward of the cooperative, so cannot vote.",
        "Ask a steward to add you to the members group.",
        project=project,
    )
    check(
        caller.name != proposer,
        caller,
        audit,
        "vote",
        f"{caller.name} proposed proposal {proposal_id} and cannot vote on it.",
        "The other members and stewards decide it; you can add a comment when they do.",
        project=project,
    )
    check(
        caller.name not in set(named),
        caller,
        audit,
        "vote",
        f"{caller.name} is named in proposal {proposal_id} (a member it would give access to, or the person it "
        f"would add or remove) and cannot vote on it.",
        "The other members and stewards decide it.",
        project=project,
    )


def may_contribute(caller: Caller) -> bool:
    return caller.kind == "user" and caller.is_member


def may_review_contributions(caller: Caller) -> bool:
    return caller.kind == "user" and is_steward(caller)


def may_withdraw(caller: Caller, contributors: set[str]) -> bool:
    """The dataset's contributor withdraws it; a steward may too (e.g. a takedown on legal grounds)."""
    return caller.kind == "user" and (caller.name in contributors or is_steward(caller))


def check(allowed: bool, caller: Caller, audit, action: str, reason: str, how: str, **where) -> None:
    """Raise NotPermitted (after a ``deny`` audit entry) unless ``allowed``."""
    if allowed:
        return
    if audit is not None:
        audit.append(
            AuditEvent(
                actor=caller.name,
                actor_kind=caller.kind,
                action="deny",
                outcome="denied",
                project=where.get("project"),
                dataset=where.get("dataset"),
                detail={"attempted": action, "reason": reason},
            )
        )
    raise NotPermitted(f"{reason} {how}".strip())
