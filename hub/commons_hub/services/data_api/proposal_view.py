"""What a voter sees of a proposal: the whole project it is about and where the quorum stands, in plain words.

Only presentation: the proposal and its counts come from ``governance.decisions.list_proposals``, the project
(purpose, public benefit, members, dates) from ``commons_hub.governance.projects.list_projects``, the rule from
``commons_hub.governance.quorum.QuorumRule`` and who may veto from ``decisions.veto_datasets``; nothing here decides.
"""

from __future__ import annotations

from commons_hub.governance import decisions, projects
from commons_hub.governance.quorum import QuorumRule
from commons_hub.policy import Caller
from commons_kernel import tiers


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def quorum_lines(proposal: dict, datasets: list[dict], rule: QuorumRule) -> list[str]:
    """Where an open proposal stands against the rule, e.g. "Votes: 2 of the 3 needed (1 approve, 1 abstain)."."""
    counts = proposal["counts"]
    lines = [
        f"Votes: {counts['votes']} of the {rule.min_votes} needed ({counts['approve']} approve, "
        f"{counts['reject']} reject, {counts['abstain']} abstain).",
        f"Steward votes: {counts['stewards']} of the {rule.min_stewards} needed.",
    ]
    if rule.owner_veto:
        for dataset in datasets:
            if not tiers.owner_may_veto(dataset["tier"]) or not dataset["owner"]:
                continue
            voted = any(dataset["name"] in vote["owner_of"] for vote in proposal["votes"])
            lines.append(
                f"The owner of {dataset['name']} ({dataset['owner']}) "
                f"{'has voted' if voted else 'has not voted'}; a reject from them would end the proposal."
            )
    return lines


def full_proposals(
    proposals: list[dict], catalogue: dict, caller: Caller, eng, rule: QuorumRule | None = None
) -> list[dict]:
    """Each proposal with its project (purpose, benefit, datasets and tiers, members, dates), the quorum lines, and
    for the caller: whether they may vote, have voted, and which datasets a reject of theirs would veto."""
    rule = rule or QuorumRule.from_settings()
    by_slug = {project["slug"]: project for project in projects.list_projects(eng)}
    result = []
    for proposal in proposals:
        project = by_slug.get(proposal["project"], {})
        datasets = []
        for name in project.get("datasets", []):
            meta = catalogue.get(name)
            datasets.append(
                {
                    "name": name,
                    "title": getattr(meta, "title", "") or "",
                    "tier": getattr(meta, "tier", None) or "not in the catalogue",
                    "owner": getattr(meta, "owner", None) or "",
                }
            )
        is_open = proposal["status"] == "open"
        result.append(
            {
                **proposal,
                "project_info": project,
                "datasets": datasets,
                "quorum": quorum_lines(proposal, datasets, rule) if is_open else [],
                "you_voted": any(vote["voter"] == caller.name for vote in proposal["votes"]),
                "you_may_vote": is_open and decisions.can_vote_on(caller, proposal["id"], eng),
                "your_veto": decisions.veto_datasets(caller, proposal["id"], eng=eng, catalogue=catalogue, rule=rule)
                if is_open
                else [],
            }
        )
    return result


def awaiting_vote(proposals: list[dict]) -> list[dict]:
    """The open proposals (from ``full_proposals``) the caller may vote on and has not yet."""
    return [p for p in proposals if p["you_may_vote"] and not p["you_voted"]]
