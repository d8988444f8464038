"""The open tier: anyone signed in may read it, and stories may use it."""

from __future__ import annotations

from datetime import date

from commons_kernel.read_decision import Caller, Decision, ProjectView
from commons_kernel.tiers import Tier, project_of


def read_rule(caller: Caller, dataset: str, project: ProjectView | None, today: date) -> Decision:
    return Decision(True, "open data: anyone signed in may read it.", project=project_of(project), rule="open")


TIER = Tier(
    name="open",
    rank=10,
    label="Open",
    meaning="anyone may read it, stories included (an open licence)",
    summary="open data: anyone signed in may read it, and stories may use it.",
    access_statement="Open: anyone may read it through the data-api; reads are logged.",
    access_right="http://publications.europa.eu/resource/authority/access-right/PUBLIC",
    read_rule=read_rule,
    how_to_read="Read it with `ck.read('{name}')`.",
    open_to_all=True,
)
