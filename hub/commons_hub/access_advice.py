"""The next step after a refused read, chosen for the person: pure functions over plain values.

The policy (commons_hub.policy) says *why* a read is refused (``Decision.why``); this module says what *this*
caller should do about it, knowing which projects list the dataset and which of them they belong to:

| why | the caller | advice (code) |
|---|---|---|
| no-project-named | is a member of an active project listing it | name it: ``project='X'`` (name-your-project) |
| no-project-named | is in a listing project that is not approved yet | who decides, and how (await-approval) |
| no-project-named | is in none; other active projects list it | join one of them (named) or propose (join-or-propose) |
| no-project-named | no active project lists it | propose a project (propose-project) |
| not-project-member | (named a project they are not in) | their own listing project, or ask to join (join-or-propose) |
| project-does-not-list, unknown-project | (named one not listing it) | which do (name-your-project, join-or-propose) |
| project-not-approved | | who decides: members' and stewards' vote (await-approval) |
| not-a-member (community data) | is not in the members group | who decides: a steward (ask-a-steward) |

The rows for projects hold for every tier that needs one (``Tier.needs_project``: restricted); a tier that does not
brings its own rows (``Tier.advice``, by ``why``: community's is the last row above).

The data-api sends the code and the project lists in its 403 JSON (``why``, ``advice``, ``projects_listing``,
``your_projects``) beside the sentence ``how_to_get_access``; the kernel only shows them.
"""

from __future__ import annotations

from dataclasses import replace

from commons_hub.policy import Decision
from commons_kernel import tiers
from commons_kernel.tiers.community import MEMBERSHIP

__all__ = ["DECISIONS_PAGE", "MEMBERSHIP", "advise", "denial_fields"]

DECISIONS_PAGE = "/services/data-api/decisions"


def _quoted(slugs: list[str]) -> str:
    return ", ".join(f"'{slug}'" for slug in slugs)


def _propose(dataset: str) -> str:
    return (
        f"propose a project: `ck.propose_project(title=..., purpose=..., public_benefit=..., "
        f"datasets=['{dataset}'], end_date=...)`; members and stewards vote on it"
    )


def _read_with(dataset: str, slug: str) -> str:
    return f"`ck.read('{dataset}', project='{slug}', purpose='...')`"


def advise(
    decision: Decision, caller: str, dataset: str, tier: str, projects: list[dict], *, rule_text: str = ""
) -> Decision:
    """``decision`` (a refusal) with advice for ``caller``. ``projects``: rows of
    commons_hub.governance.projects.list_projects() (slug, status, active, members, datasets). ``rule_text``: the
    quorum rule in words, for who decides.
    A tier that needs no project (open, community) gives its own advice by the refusal's ``why``
    (``Tier.advice``: for community data, who decides, a steward); any other refusal keeps the policy's words."""
    if decision.allowed:
        return decision
    found = tiers.find(tier)
    if found is None or not found.needs_project:
        advice = found.advice.get(decision.why) if found else None
        if advice is None:
            return decision
        code, text = advice
        return replace(decision, how_to_get_access=text, details={**decision.details, "advice": code})
    listing = [p for p in projects if dataset in p["datasets"]]
    active = [p["slug"] for p in listing if p["active"]]
    yours = [p["slug"] for p in listing if p["active"] and _member(caller, p)]
    waiting = [p["slug"] for p in listing if p["status"] == "proposed" and _member(caller, p)]
    named = decision.project
    chosen = _choose(decision.why, dataset, caller, named, active, yours, waiting, rule_text)
    if chosen is None:
        return replace(decision, details={**decision.details, "projects_listing": active, "your_projects": yours})
    code, text = chosen
    return replace(
        decision,
        how_to_get_access=text,
        details={**decision.details, "advice": code, "projects_listing": active, "your_projects": yours},
    )


def _member(caller: str, project: dict) -> bool:
    return any(m["username"] == caller for m in project["members"])


def _choose(why, dataset, caller, named, active, yours, waiting, rule_text) -> tuple[str, str] | None:
    naming = ("no-project-named", "not-project-member", "project-does-not-list", "unknown-project")
    others = [slug for slug in yours if slug != named]
    if why in naming and others:
        which = "is" if len(others) == 1 else "are"
        return (
            "name-your-project",
            f"You are a member of {_quoted(others)}, which {which} approved for {dataset}: name it, "
            f"{_read_with(dataset, others[0])}.",
        )
    if why == "project-not-approved" or (why == "no-project-named" and waiting):
        slug = named if why == "project-not-approved" else waiting[0]
        rule = f" (the rule: {rule_text})" if rule_text else ""
        return (
            "await-approval",
            f"Project '{slug}' is waiting for its vote: members and stewards decide{rule}. Its proposal and "
            f"votes so far are at {DECISIONS_PAGE} and in `ck.proposals(status='open')`; reads start once it "
            f"is approved.",
        )
    if why not in naming:
        return None
    if why == "not-project-member" and named:
        return (
            "join-or-propose",
            f"Ask the members of '{named}' to add you: `ck.propose_member('{named}', '{caller}')` opens a vote. "
            f"Or {_propose(dataset)}.",
        )
    joinable = [slug for slug in active if slug != named]
    if joinable:
        return (
            "join-or-propose",
            f"Projects approved for {dataset}: {_quoted(joinable)}. Ask to join one "
            f"(`ck.propose_member('{joinable[0]}', '{caller}')` opens a vote), or {_propose(dataset)}.",
        )
    return "propose-project", f"No active project lists {dataset} yet: {_propose(dataset)}."


def denial_fields(decision: Decision) -> dict:
    """The refusal's codes and project lists, for the data-api's 403 JSON (beside reason and how_to_get_access)."""
    return {
        "why": decision.why,
        "advice": decision.details.get("advice", ""),
        "projects_listing": decision.details.get("projects_listing", []),
        "your_projects": decision.details.get("your_projects", []),
    }
