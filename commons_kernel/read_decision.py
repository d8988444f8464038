"""The plain shapes a read rule works on: who asks (``Caller``), under which project (``ProjectView``), and the
answer (``Decision``).

They live in the kernel side so that an access tier (commons_kernel/tiers/) can carry its own read rule without
importing the server package; ``commons_hub.policy`` re-exports them, so ``from commons_hub.policy import Caller``
keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

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
