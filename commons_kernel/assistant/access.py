"""Who may read a dataset and how to get access: tiers, the projects that cover it, how to propose one.

Words match the data-api's policy, so the assistant and an AccessDenied error give the same advice: each tier's
come from its module in commons_kernel/tiers/ (``Tier.summary``, ``Tier.how_to_read``).
"""

from __future__ import annotations

from commons_kernel import tiers


def propose_text(name: str) -> str:
    return (
        f"Propose a project: `ck.propose_project(title=..., purpose=..., datasets=['{name}'], ...)` with its "
        "public benefit, members and end date; stewards and members vote, and the data owner may veto."
    )


def covering_projects(name: str, projects: list[dict]) -> list[dict]:
    """Projects that list the dataset, active ones first."""
    listed = [p for p in projects if name in (p.get("datasets") or [])]
    return sorted(listed, key=lambda p: (not p.get("active", p.get("status") == "approved"), p.get("slug", "")))


def _members(project: dict) -> set[str]:
    return {str(m.get("username") or "") if isinstance(m, dict) else str(m) for m in project.get("members") or []}


def access_text(meta: dict, projects: list[dict], user: str | None = None) -> str:
    """Plain-English access advice for one dataset; never says anything about its rows."""
    name, stated = meta["name"], meta.get("tier", tiers.DEFAULT)
    tier = tiers.find(stated)
    lines = [f"{name} is {tier.summary if tier else f'of tier {stated!r}, which the commons does not know.'}"]
    if tier is not None and not tier.needs_project:  # no project to find: the tier's own next step
        lines += [tier.how_to_read.format(name=name)] if tier.how_to_read else []
        return " ".join(lines)
    if meta.get("owner"):
        lines.append(f"Its owner is {meta['owner']}.")
    listed = covering_projects(name, projects)
    mine = [p for p in listed if user and user in _members(p) and p.get("active", False)]
    if mine:
        slug = mine[0].get("slug")
        lines.append(
            f"You ({user}) are a member of active project '{slug}', which lists it: "
            f"`ck.read('{name}', project='{slug}')`."
        )
    elif listed:
        described = "; ".join(
            f"'{p.get('slug')}' ({p.get('title', '')}, {'active' if p.get('active') else p.get('status', '')}"
            + (f", until {p['end_date']}" if p.get("end_date") else "")
            + ")"
            for p in listed[:5]
        )
        lines.append(
            f"Projects that list it: {described}. Ask a project's members to add you "
            "(membership changes go to a vote), then read it with "
            f"`ck.read('{name}', project='PROJECT')`."
        )
    else:
        lines.append("No project lists it yet.")
    lines.append(propose_text(name))
    return " ".join(lines)
