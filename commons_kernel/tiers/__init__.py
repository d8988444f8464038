"""Access tiers: who may read a dataset, and what a contribution of that tier must carry. One module per tier.

A tier is a ``Tier`` (below) named by an entry point of the ``lcr_data_commons.access_tiers`` group
(commons_kernel/plugins.py). The commons' own, ``open.py``, ``community.py`` and ``restricted.py`` in this folder,
are registered in ``pyproject.toml`` exactly as another package registers its own, so a new tier is one module
defining ``TIER`` and one entry point::

    [project.entry-points."lcr_data_commons.access_tiers"]
    embargoed = "my_package.embargoed:TIER"

Everything that depends on a tier asks this registry instead of naming tiers: the catalogue's tier check
(``commons_kernel.catalog``), the read policy (``commons_hub.policy.decide_read`` runs ``Tier.read_rule``), the
advice after a refusal (``commons_hub.access_advice``), the data standard's checks (licence, personal data), the
upload checks (small counts), the upload form's choices, the DCAT export and the assistant's words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from commons_kernel.exceptions import ValidationFailed
from commons_kernel.read_decision import Caller, Decision, ProjectView

# A contribution or a report that names no tier is checked as open data: the strictest checks (open licence, no
# personal data, no small counts), so leaving the tier out never loosens anything.
DEFAULT = "open"

ReadRule = Callable[[Caller, str, ProjectView | None, date], Decision]
"""``rule(caller, dataset, project, today)``: may ``caller`` read ``dataset`` of this tier now, under ``project``
(the one named on the request, already checked to have ``caller`` as a member)? Pure: no I/O."""


@dataclass(frozen=True)
class Tier:
    """One access tier: its words for people, its read rule and what its contributions must carry."""

    name: str  # as written in metadata (`tier: open`) and in entry point names
    rank: int  # order from the least guarded to the most; lists and choices follow it
    label: str  # the name for people, e.g. "Open"
    meaning: str  # who may read it, in one line, for someone choosing a tier (the upload form)
    summary: str  # "<name> data: who may read it." (the assistant, which repeats the policy's words)
    access_statement: str  # who may read it, for catalogues elsewhere (the DCAT description)
    access_right: str  # the EU access-rights term that DCAT-AP asks for (an authority URI)
    read_rule: ReadRule
    how_to_read: str = ""  # the assistant's next step, with {name}; a tier that needs a project lists projects
    open_to_all: bool = False  # anyone signed in may read it: the assistant explains access only when asked
    needs_project: bool = False  # a read names an approved project that lists the dataset, and says its purpose
    owner_veto: bool = False  # the dataset's owner (the contributing organisation) may veto projects that use it
    open_licence: bool = True  # its contributions must carry an open licence of the standard
    personal_data: bool = False  # its contributions may hold personal data (a warning for review, not a block)
    small_counts_checked: bool = True  # its contributions are checked for small counts (disclosure control)
    # The next step after a refusal, by the Decision's ``why``: (advice code, what to do). commons_hub.access_advice
    # uses it; a tier that needs a project gets advice naming projects instead.
    advice: Mapping[str, tuple[str, str]] = field(default_factory=lambda: MappingProxyType({}))


def _registered() -> dict[str, Tier]:
    from commons_kernel import plugins

    return plugins.load_checked(
        plugins.ACCESS_TIERS, Tier, "name", "the tier", "datasets and the policy name tiers by it"
    )


def all() -> list[Tier]:  # noqa: A001 - the registry's own word, as tiers.all()
    """Every installed tier, from the least guarded to the most (by rank, then name)."""
    return sorted(_registered().values(), key=lambda tier: (tier.rank, tier.name))


def names() -> tuple[str, ...]:
    """Every installed tier's name, in rank order: ``('open', 'community', 'restricted')`` in a plain install."""
    return tuple(tier.name for tier in all())


def find(name: object) -> Tier | None:
    """The tier called ``name``, or None when no installed tier has that name."""
    return _registered().get(name) if isinstance(name, str) else None


def get(name: object) -> Tier:
    """The tier called ``name``; ValidationFailed naming the known tiers and the fix when there is none."""
    tier = find(name)
    if tier is None:
        raise ValidationFailed(
            f"{name!r} is not a tier of the commons; the tiers are {', '.join(names())}. Write one of them, or, "
            f"for a new tier, install the package whose `lcr_data_commons.access_tiers` entry point declares it "
            f"(one module defining TIER = Tier(...), as commons_kernel/tiers/open.py does)."
        )
    return tier


def owner_may_veto(name: object) -> bool:
    """Whether the owner of a dataset of tier ``name`` may veto projects that use it (False for an unknown tier)."""
    tier = find(name)
    return tier is not None and tier.owner_veto


def project_of(project: ProjectView | None) -> str | None:
    """The slug a Decision records for the project named on a request (None when none was named)."""
    return project.slug if project else None
