"""The restricted tier: only members of an approved, active project that lists it may read it, saying why; its
owner may veto such projects; its outputs leave only through disclosure control, so a contribution may keep its
owner's licence and hold personal data for a steward to review."""

from __future__ import annotations

from datetime import date
from typing import Any

from commons_kernel.read_decision import Caller, Decision, ProjectView
from commons_kernel.tiers import Tier


def read_rule(caller: Caller, dataset: str, project: ProjectView | None, today: date) -> Decision:
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


TIER = Tier(
    name="restricted",
    rank=30,
    label="Restricted",
    meaning="only members of an approved project that names it may read it",
    summary=(
        "restricted data: only members of an approved, active project that lists it may read it, and "
        "every output that leaves (a release, a story) passes disclosure control first."
    ),
    access_statement="Restricted: only members of an approved project that names it may read it, and every output "
    "passes disclosure control before it leaves.",
    access_right="http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC",
    read_rule=read_rule,
    needs_project=True,
    owner_veto=True,
    open_licence=False,
    personal_data=True,
    small_counts_checked=False,
)
