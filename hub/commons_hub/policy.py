"""Who may read what: pure functions over plain values, unit-tested on the whole matrix.

Two questions kept apart (STYLE: who vs what):
- permissions: may this *person* act (are they a member, a steward, in this project)?
- state: does the *state* allow it (tier, project approved and not yet ended, dataset not withdrawn)?
``decide_read`` returns a Decision (allowed or not, the reason, how to get access); the data-api's read path
(services/data_api/reads.py) and ``describe`` both ask it, so they agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

MEMBERS_GROUP = "members"
STEWARDS_GROUP = "stewards"
CHECKERS_GROUP = "checkers"


@dataclass(frozen=True)
class Caller:
    name: str
    kind: str = "user"  # user | service
    groups: frozenset[str] = frozenset()
    scopes: frozenset[str] = frozenset()

    @property
    def is_member(self) -> bool:
        return MEMBERS_GROUP in self.groups


@dataclass(frozen=True)
class ProjectView:
    slug: str
    status: str  # proposed | approved | rejected | withdrawn
    end_date: date
    members: frozenset[str]
    datasets: frozenset[str]
    start_date: date | None = None


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    how_to_get_access: str = ""
    project: str | None = None
    rule: str = ""
    details: dict = field(default_factory=dict)
    why: str = ""  # a refusal's cause, as a code (commons_hub.access_advice picks advice by it)


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
    if tier == "open":
        return Decision(
            True, "open data: anyone signed in may read it.", project=project.slug if project else None, rule="open"
        )
    if tier == "community":
        if caller.is_member:
            return Decision(
                True,
                "community data: you are a member of the cooperative.",
                project=project.slug if project else None,
                rule="community",
            )
        return Decision(
            False,
            f"{dataset} is community data, readable by members of the cooperative; "
            f"{caller.name} is not in the members group.",
            "Ask a steward to add you to the members group.",
            rule="community",
            why="not-a-member",
        )
    if tier != "restricted":
        return Decision(
            False,
            f"{dataset} has unknown tier {tier!r}.",
            "Tell the stewards: the catalogue is wrong.",
            rule="unknown-tier",
            why="unknown-tier",
        )
    return _decide_restricted(caller, dataset, project, today)


def _decide_restricted(caller: Caller, dataset: str, project: ProjectView | None, today: date) -> Decision:
    propose = (
        f"Join an approved project that lists {dataset}, or propose one: "
        f"`ck.propose_project(title=..., purpose=..., datasets=['{dataset}'], ...)`."
    )
    if project is None:
        return Decision(
            False,
            f"{dataset} is restricted: name the approved project you are reading it for.",
            f"Pass project=: `ck.read('{dataset}', project='PROJECT')`. {propose}",
            rule="restricted",
            why="no-project-named",
        )
    named: dict[str, Any] = {"project": project.slug, "rule": "restricted"}
    if caller.name not in project.members:
        return Decision(
            False,
            f"{caller.name} is not a member of project {project.slug!r}.",
            f"Ask the project's members to add you (membership changes go to a vote). {propose}",
            why="not-project-member",
            **named,
        )
    if project.status != "approved":
        return Decision(
            False,
            f"project {project.slug!r} is {project.status}, not approved.",
            "Access starts when the members' vote approves the project.",
            why="project-not-approved",
            **named,
        )
    if project.start_date and today < project.start_date:
        return Decision(
            False,
            f"project {project.slug!r} starts on {project.start_date.isoformat()}.",
            "Read again once the project has started.",
            why="project-not-started",
            **named,
        )
    if today > project.end_date:
        return Decision(
            False,
            f"project {project.slug!r} ended on {project.end_date.isoformat()}.",
            "Propose an extension (a new end date goes to a vote).",
            why="project-ended",
            **named,
        )
    if dataset not in project.datasets:
        return Decision(
            False,
            f"project {project.slug!r} does not list {dataset}.",
            f"Propose a project that lists {dataset}. {propose}",
            why="project-does-not-list",
            **named,
        )
    return Decision(
        True,
        f"restricted data: {caller.name} is a member of approved project {project.slug!r}, which "
        f"lists {dataset}, until {project.end_date.isoformat()}.",
        **named,
    )


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
    tier's rule (``decide_read``), then the stated purpose (restricted data need one; any purpose given must say
    something)."""
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
    """A refusal when the stated purpose will not do: none for restricted data, or one without real words (any
    tier: a purpose given is recorded and shown on the register). None when the purpose is fine."""
    from commons_hub.purpose import is_blank, purpose_problem

    if is_blank(purpose):
        if tier != "restricted":
            return None
        return Decision(
            False,
            f"{dataset} is restricted: every read of it records its purpose, and none was given.",
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
