"""Who may take part in governance: permissions about the *person*, kept apart from what the state allows (the
read policy is ``commons_hub.policy``; the state checks are in each governance module). STYLE: who vs what.

Each permission is a pair, as in opensafely-core/airlock's business logic: ``can_X(...)`` returns a bool (a page
asks it to show or hide a form), and ``check_can_X(...)`` raises NotPermitted with the reason and how to get
permission (the governance function that acts calls it first). Given the audit log, ``check_can_X`` writes the
``deny`` entry (outcome ``denied``, naming the action attempted) before it raises. Both read one rule, the
``_X_refusal`` function that says why not, so the pair cannot disagree.

    propose             a member of the cooperative
    vote                a member or steward, but not on their own proposal nor on one that names them
    contribute          a member
    steward             in the stewards group
    review              a steward, but not of their own contribution
    preview             a steward, or the contribution's contributor
    withdraw            the dataset's contributor, or a steward
"""

from __future__ import annotations

from collections.abc import Collection

from commons_hub.audit import refusal as refusal_entry
from commons_hub.policy import STEWARDS_GROUP, Caller
from commons_kernel.exceptions import GovernanceError

Refusal = tuple[str, str] | None  # (why not, how to get permission), or None: permitted

JOIN = "Ask a steward to add you to the members group."


class NotPermitted(GovernanceError):
    """The caller may not take this governance action (not a member, not a steward, not the contributor)."""

    code, status = "not-permitted", 403


def _enforce(
    refusal: Refusal, caller: Caller, audit, action: str, project: str | None = None, dataset: str | None = None
) -> None:
    """Raise NotPermitted for ``refusal`` (after a ``deny`` entry when ``audit`` is given); nothing when None."""
    if refusal is None:
        return
    reason, how = refusal
    if audit is not None:
        audit.append(
            refusal_entry(
                caller.name,
                reason,
                actor_kind=caller.kind,
                project=project,
                dataset=dataset,
                detail={"attempted": action},
            )
        )
    raise NotPermitted(f"{reason} {how}".strip())


def _user_member(caller: Caller) -> bool:
    return caller.kind == "user" and caller.is_member


# -- propose ----------------------------------------------------------------------------------------------------


def _propose_refusal(caller: Caller, what: str) -> Refusal:
    if _user_member(caller):
        return None
    return f"{caller.name} is not a member of the cooperative, so cannot propose {what}.", JOIN


def can_propose(caller: Caller) -> bool:
    return _propose_refusal(caller, "") is None


def check_can_propose(caller: Caller, audit, *, what: str = "a project", project: str | None = None) -> None:
    """``what``: the kind of proposal, for the reason ("a project", "a membership change")."""
    _enforce(_propose_refusal(caller, what), caller, audit, "propose", project=project)


# -- vote -------------------------------------------------------------------------------------------------------


def _vote_refusal(caller: Caller, proposal_id: int | None, proposer: str | None, named: Collection[str]) -> Refusal:
    if not (caller.kind == "user" and (caller.is_member or can_steward(caller))):
        return f"{caller.name} is neither a member nor a steward of the cooperative, so cannot vote.", JOIN
    if proposer is not None and caller.name == proposer:
        return (
            f"{caller.name} proposed proposal {proposal_id} and cannot vote on it.",
            "The other members and stewards decide it; you can add a comment when they do.",
        )
    if caller.name in set(named):
        return (
            f"{caller.name} is named in proposal {proposal_id} (a member it would give access to, or the person it "
            f"would add or remove) and cannot vote on it.",
            "The other members and stewards decide it.",
        )
    return None


def can_vote(caller: Caller, proposer: str | None = None, named: Collection[str] = frozenset()) -> bool:
    """A member or steward votes, unless they proposed it or the proposal names them (as a member of the project
    it asks for, or as the person it would add or remove): nobody decides on their own request. Without a
    ``proposer``: whether the caller may vote at all."""
    return _vote_refusal(caller, None, proposer, named) is None


def check_can_vote(
    caller: Caller,
    audit,
    *,
    proposal_id: int | None = None,
    proposer: str | None = None,
    named: Collection[str] = frozenset(),
    project: str | None = None,
) -> None:
    """Raise NotPermitted (after a ``deny`` entry) unless ``can_vote``; the reason says which rule."""
    _enforce(_vote_refusal(caller, proposal_id, proposer, named), caller, audit, "vote", project=project)


# -- contribute -------------------------------------------------------------------------------------------------


def _contribute_refusal(caller: Caller) -> Refusal:
    if _user_member(caller):
        return None
    return f"{caller.name} is not a member of the cooperative, so cannot contribute data.", JOIN


def can_contribute(caller: Caller) -> bool:
    return _contribute_refusal(caller) is None


def check_can_contribute(caller: Caller, audit) -> None:
    _enforce(_contribute_refusal(caller), caller, audit, "contribute")


# -- steward ----------------------------------------------------------------------------------------------------


def _steward_refusal(caller: Caller, because: str, how: str) -> Refusal:
    if caller.kind == "user" and STEWARDS_GROUP in caller.groups:
        return None
    return f"{caller.name} is not a steward: {because}", how


def can_steward(caller: Caller) -> bool:
    """Whether the caller acts as a steward (a person in the stewards group)."""
    return _steward_refusal(caller, "", "") is None


def check_can_steward(
    caller: Caller,
    audit,
    *,
    action: str,
    because: str,
    how: str = "Ask a steward.",
    project: str | None = None,
    dataset: str | None = None,
) -> None:
    """``because``: what stewards do that the caller asked to ("stewards approve or reject contributions.")."""
    _enforce(_steward_refusal(caller, because, how), caller, audit, action, project=project, dataset=dataset)


# -- review contributions ---------------------------------------------------------------------------------------

REVIEWERS = "stewards approve or reject contributions."


def _review_refusal(caller: Caller, contributor: str | None, dataset: str, contribution_id: int | None) -> Refusal:
    refusal = _steward_refusal(caller, REVIEWERS, "Ask a steward to review it.")
    if refusal is None and contributor is not None and caller.name == contributor:
        return (
            f"{caller.name} contributed {dataset} (contribution {contribution_id}) and cannot review it.",
            "Another steward must review it.",
        )
    return refusal


def can_review_contributions(caller: Caller, contributor: str | None = None) -> bool:
    """A steward approves or rejects contributions, but never their own (``contributor``, when it is known)."""
    return _review_refusal(caller, contributor, "", None) is None


def check_can_review_contributions(
    caller: Caller, audit, *, action: str, dataset: str, contribution_id: int, contributor: str
) -> None:
    """``action``: approve-contribution or reject-contribution (what the ``deny`` entry says was attempted)."""
    _enforce(_review_refusal(caller, contributor, dataset, contribution_id), caller, audit, action, dataset=dataset)


# -- preview a pending contribution -----------------------------------------------------------------------------


def _preview_refusal(caller: Caller, contributor: str, contribution_id: int | None) -> Refusal:
    if can_steward(caller) or (caller.kind == "user" and caller.name == contributor):
        return None
    return (
        f"{caller.name} is neither a steward nor the contributor of contribution {contribution_id}, so cannot see "
        f"its rows.",
        "Stewards review contributions; ask one.",
    )


def can_preview_contribution(caller: Caller, contributor: str) -> bool:
    """Stewards (who review it) and its contributor see a pending contribution's rows."""
    return _preview_refusal(caller, contributor, None) is None


def check_can_preview_contribution(
    caller: Caller, audit, *, contribution_id: int, dataset: str, contributor: str
) -> None:
    _enforce(
        _preview_refusal(caller, contributor, contribution_id), caller, audit, "preview-contribution", dataset=dataset
    )


# -- withdraw ---------------------------------------------------------------------------------------------------


def _withdraw_refusal(caller: Caller, dataset: str, contributors: Collection[str]) -> Refusal:
    if can_steward(caller) or (caller.kind == "user" and caller.name in set(contributors)):
        return None
    return (
        f"{caller.name} did not contribute {dataset}, so cannot withdraw it.",
        "Ask its contributor, or a steward, to withdraw it.",
    )


def can_withdraw(caller: Caller, contributors: Collection[str]) -> bool:
    """The dataset's contributor withdraws it; a steward may too (e.g. a takedown on legal grounds)."""
    return _withdraw_refusal(caller, "", contributors) is None


def check_can_withdraw(caller: Caller, audit, *, dataset: str, contributors: Collection[str]) -> None:
    _enforce(_withdraw_refusal(caller, dataset, contributors), caller, audit, "withdraw", dataset=dataset)
