"""Who may take part in governance: permissions about the *person*, kept apart from what the state allows
(STYLE: who vs what). Each rule is a pair: ``may_...`` returns a bool; ``check(...)`` audits a refusal as a
``deny`` entry and raises NotPermitted, which the data-api answers with 403.
"""

from __future__ import annotations

from commons_hub.audit import AuditEvent
from commons_hub.policy import STEWARDS_GROUP, Caller
from commons_kernel.exceptions import GovernanceError


class NotPermitted(GovernanceError):
    """The caller may not take this governance action (not a member, not a steward, not the contributor)."""


def is_steward(caller: Caller) -> bool:
    return STEWARDS_GROUP in caller.groups


def may_propose(caller: Caller) -> bool:
    return caller.kind == "user" and caller.is_member


def may_vote(caller: Caller) -> bool:
    return caller.kind == "user" and (caller.is_member or is_steward(caller))


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
        audit.append(AuditEvent(actor=caller.name, actor_kind=caller.kind, action="deny", outcome="denied",
                                project=where.get("project"), dataset=where.get("dataset"),
                                detail={"attempted": action, "reason": reason}))
    raise NotPermitted(f"{reason} {how}".strip())
