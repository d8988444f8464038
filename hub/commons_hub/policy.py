"""Who may read what: pure functions over plain values, unit-tested on the whole matrix.

Two questions kept apart (STYLE: who vs what):
- permissions: may this *person* act (are they a member, a steward, in this project)?
- state: does the *state* allow it (tier, project approved and not yet ended, dataset not withdrawn)?
``decide_read`` returns a Decision (allowed or not, the reason, how to get access): what holds for every tier
(withdrawal, naming a project one is not in) here, then the tier's own rule (``Tier.read_rule``, one module per
tier in commons_kernel/tiers/). The data-api's read path (services/data_api/reads.py) and ``describe`` both ask
``decide_read_request``, so they agree.
"""

from __future__ import annotations

from datetime import date

from commons_kernel import tiers
from commons_kernel.read_decision import (  # the shapes live in the kernel side; imported from here as before
    CHECKERS_GROUP,
    MEMBERS_GROUP,
    STEWARDS_GROUP,
    Caller,
    Decision,
    ProjectView,
)

__all__ = [
    "CHECKERS_GROUP",
    "MEMBERS_GROUP",
    "STEWARDS_GROUP",
    "Caller",
    "Decision",
    "ProjectView",
    "decide_read",
    "decide_read_request",
    "purpose_decision",
]


def decide_read(
    caller: Caller,
    dataset: str,
    tier: str,
    *,
    project: ProjectView | None = None,
    today: date | None = None,
    withdrawn: bool = False,
) -> Decision:
    """May ``caller`` read ``dataset`` of ``tier`` now, under ``project`` (the one named on the request)?"""
    today = today or date.today()
    if withdrawn:
        return Decision(
            False,
            f"{dataset} was withdrawn by its contributor and can no longer be read.",
            "See the public register for the withdrawal and any replacement dataset.",
            rule="withdrawn",
            why="withdrawn",
        )
    if project is not None and caller.name not in project.members:
        # For every tier: a read counts as the named project's use on the register, so only its members name it.
        return Decision(
            False,
            f"{caller.name} is not a member of project {project.slug!r}, so cannot read {dataset} in its name.",
            "Read without project= (open and community data need none), or ask the project's members "
            "to add you (membership changes go to a vote).",
            project=project.slug,
            rule="project-member",
            why="not-project-member",
        )
    found = tiers.find(tier)
    if found is None:
        return Decision(
            False,
            f"{dataset} has unknown tier {tier!r}.",
            "Tell the stewards: the catalogue is wrong.",
            rule="unknown-tier",
            why="unknown-tier",
        )
    return found.read_rule(caller, dataset, project, today)


def decide_read_request(
    caller: Caller,
    dataset: str,
    tier: str,
    *,
    named: str | None,
    project: ProjectView | None,
    purpose: str | None,
    withdrawn: bool = False,
    today: date | None = None,
) -> Decision:
    """The whole read rule, asked by both the data-api's read and its ``describe``, so they always agree: the
    project named on the request (``named``; ``project`` is its view, None when there is no such project), the
    tier's rule (``decide_read``), then the stated purpose (a tier that needs a project, such as restricted, needs
    one; any purpose given must say something)."""
    if named and project is None:
        return Decision(
            False,
            f"there is no project called {named!r}.",
            "List projects with `ck.projects()`.",
            project=named,
            why="unknown-project",
        )
    decision = decide_read(caller, dataset, tier, project=project, today=today, withdrawn=withdrawn)
    if not decision.allowed:
        return decision
    return purpose_decision(dataset, tier, named, purpose) or decision


def purpose_decision(dataset: str, tier: str, named: str | None, purpose: str | None) -> Decision | None:
    """A refusal when the stated purpose will not do: none for a tier that needs a project (restricted), or one
    without real words (any tier: a purpose given is recorded and shown on the register). None when it is fine."""
    from commons_hub.purpose import is_blank, purpose_problem

    if is_blank(purpose):
        found = tiers.find(tier)
        if found is None or not found.needs_project:
            return None
        return Decision(
            False,
            f"{dataset} is {found.name}: every read of it records its purpose, and none was given.",
            f"Say what this read is for: `ck.read('{dataset}', project='{named}', purpose='weekly demand "
            f"by borough for the outreach plan')`. The purpose is kept in the audit log and shown on the "
            f"public register.",
            project=named,
            rule="purpose",
            why="purpose-missing",
        )
    problem = purpose_problem(purpose)
    if not problem:
        return None
    project = f", project='{named}'" if named else ""
    return Decision(
        False,
        f"{dataset}: {problem}.",
        f"Say what this read is for: `ck.read('{dataset}'{project}, purpose='...')`.",
        project=named,
        rule="purpose",
        why="purpose-unclear",
    )
