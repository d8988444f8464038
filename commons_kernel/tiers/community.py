"""The community tier: any member of the cooperative may read it; a steward decides who is a member."""

from __future__ import annotations

from datetime import date
from types import MappingProxyType

from commons_kernel.read_decision import Caller, Decision, ProjectView
from commons_kernel.tiers import Tier, project_of

MEMBERSHIP = (
    "A steward decides who joins the cooperative: ask one to add you to the members group (they approve "
    "accounts at /hub/authorize)."
)


def read_rule(caller: Caller, dataset: str, project: ProjectView | None, today: date) -> Decision:
    if caller.is_member:
        return Decision(
            True, "community data: you are a member of the cooperative.", project=project_of(project), rule="community"
        )
    return Decision(
        False,
        f"{dataset} is community data, readable by members of the cooperative; "
        f"{caller.name} is not in the members group.",
        "Ask a steward to add you to the members group.",
        rule="community",
        why="not-a-member",
    )


TIER = Tier(
    name="community",
    rank=20,
    label="Community",
    meaning="any signed-in member of the cooperative may read it",
    summary="community data: any member of the cooperative may read it once signed in.",
    access_statement="Community: any logged-in member of the cooperative may read it through the data-api.",
    access_right="http://publications.europa.eu/resource/authority/access-right/RESTRICTED",
    read_rule=read_rule,
    how_to_read=("Read it with `ck.read('{name}')`. Not a member yet? Ask a steward to add you to the members group."),
    advice=MappingProxyType({"not-a-member": ("ask-a-steward", MEMBERSHIP)}),
)
