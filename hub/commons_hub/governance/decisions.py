"""Cooperative decisions: a member proposes a project (or a change of a project's members), members and stewards
vote, and the quorum rule (commons_hub.governance.quorum) decides. A decision takes effect at once: the project's status
(which the policy reads) or its member list changes in the same call as the deciding vote.

Each function checks who may act (commons_hub.governance.permissions) and what the state allows, makes the change in one
transaction together with its audit entries (``propose``, ``vote``, ``decide``) naming the ids it created, so a
crash leaves both or neither (``AuditLog.transaction``).
Projects expire at their end date: the policy refuses reads after it, and a proposal still open then lapses.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime

import sqlalchemy as sa

from commons_hub.audit import AuditEvent
from commons_hub.db import project_members, projects
from commons_hub.governance import permissions
from commons_hub.governance.organisations import organisation_of
from commons_hub.governance.projects import create_project, datasets_of, members_of
from commons_hub.governance.quorum import CHOICES, Ballot, QuorumRule, decide
from commons_hub.policy import Caller
from commons_hub.tables.votes import proposals, votes
from commons_kernel.exceptions import GovernanceError

KINDS = ("project", "add-member", "remove-member")
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{2,79}")
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,119}")
MAX_TEXT = 4000


def _now() -> datetime:
    return datetime.now(UTC)


class ProposalRefused(GovernanceError):
    """A proposal the state or its fields do not allow; ``field`` names the field it is about, so a form shows the
    message beside it. The same code and status as any GovernanceError (409)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def _no_proposal(proposal_id) -> GovernanceError:
    return GovernanceError(f"There is no proposal {proposal_id}; `ck.proposals()` lists them.")


def _text(value, field: str, required: bool = True, limit: int = MAX_TEXT) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ProposalRefused(field.replace(" ", "_"), f"A proposal needs a {field}: say it in a sentence or two.")
    if len(text) > limit:
        raise ProposalRefused(
            field.replace(" ", "_"), f"The {field} is {len(text)} characters long; keep it under {limit}."
        )
    return text


def slugify(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60].strip("-")
    return slug if len(slug) >= 3 else f"project-{slug}".strip("-")


def _as_date(value, field: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ProposalRefused(
            field, f"{field} {value!r} is not a date: write it as YYYY-MM-DD, e.g. 2027-03-31."
        ) from None


def _members(members, proposer: str, conn) -> dict[str, str]:
    """{user name: organisation} from a dict, a list of names, or nothing (then the proposer alone)."""
    if not members:
        members = [proposer]
    if not isinstance(members, dict):
        members = {name: "" for name in members}
    result = {}
    for name, organisation in members.items():
        if not USERNAME.fullmatch(str(name)):
            raise ProposalRefused("members", f"{name!r} is not a user name of the commons (letters, digits, . _ @ -).")
        result[str(name)] = _organisation(organisation, str(name), conn)
    return result


def _organisation(given, username: str, conn) -> str:
    """The organisation typed in the proposal, else the one ``username`` is known to speak for."""
    return _text(given, "organisation", required=False, limit=200) or organisation_of(username, conn)


def propose_project(
    caller: Caller,
    *,
    title,
    purpose,
    public_benefit,
    datasets,
    end_date,
    catalogue: dict,
    eng,
    audit,
    members=None,
    start_date=None,
    organisation: str | None = None,
    slug: str | None = None,
    today: date | None = None,
) -> dict:
    """Store a project with status ``proposed`` and open its proposal for votes. Returns the proposal."""
    permissions.check_can_propose(caller, audit, what="a project")
    today = today or date.today()
    title, purpose = _text(title, "title", limit=200), _text(purpose, "purpose")
    public_benefit = _text(public_benefit, "public benefit")
    end, start = _as_date(end_date, "end_date"), _as_date(start_date, "start_date")
    if end is None or end <= today:
        raise ProposalRefused(
            "end_date", f"The end date must be after today ({today.isoformat()}): projects expire at it."
        )
    if start and start > end:
        raise ProposalRefused("start_date", f"The start date {start} is after the end date {end}.")
    datasets = sorted(set(datasets or []))
    if not datasets:
        raise ProposalRefused("datasets", "Name the datasets the project needs, e.g. datasets=['synthetic_referrals'].")
    unknown = [name for name in datasets if name not in catalogue]
    if unknown:
        raise ProposalRefused(
            "datasets", f"No dataset called {', '.join(unknown)} in the catalogue; `ck.catalog()` lists them."
        )
    slug = slug or slugify(title)
    if not SLUG.fullmatch(slug):
        raise ProposalRefused(
            "slug", f"{slug!r} cannot be a project's short name: use 3-80 lower-case letters, digits, -."
        )
    with audit.transaction() as conn:  # the project, its proposal and the `propose` entry: all or nothing
        if conn.execute(sa.select(projects.c.id).where(projects.c.slug == slug)).first():
            raise ProposalRefused(
                "slug", f"A project called {slug!r} already exists; pass slug= with another short name."
            )
        member_orgs = _members(members, caller.name, conn)
        org = _organisation(organisation, caller.name, conn)
        project_id = create_project(
            slug,
            title,
            purpose,
            caller.name,
            end,
            datasets=datasets,
            members=member_orgs,
            public_benefit=public_benefit,
            organisation=org,
            start_date=start,
            conn=conn,
        )
        proposal_id = _open_proposal(
            conn,
            audit,
            caller,
            slug,
            {"kind": "project", "project_id": project_id, "organisation": org},
            {"title": title, "datasets": datasets, "members": sorted(member_orgs), "end_date": end.isoformat()},
            purpose=purpose,
        )
    return proposal(proposal_id, eng)


def propose_membership(
    caller: Caller,
    project: str,
    username: str,
    *,
    change: str = "add",
    organisation: str = "",
    reason: str = "",
    eng,
    audit,
    catalogue: dict,
    today: date | None = None,
) -> dict:
    """Open a vote on adding ``username`` to (or removing them from) an approved, running project."""
    permissions.check_can_propose(caller, audit, what="a membership change", project=project)
    if change not in ("add", "remove"):
        raise GovernanceError(f"change must be 'add' or 'remove', not {change!r}.")
    if not USERNAME.fullmatch(str(username or "")):
        raise ProposalRefused("username", f"{username!r} is not a user name of the commons.")
    today = today or date.today()
    kind = f"{change}-member"
    with audit.transaction() as conn:
        row = conn.execute(sa.select(projects).where(projects.c.slug == project)).first()
        if row is None:
            raise ProposalRefused("project", f"There is no project called {project!r}; `ck.projects()` lists them.")
        if row.status != "approved" or row.end_date < today:
            raise ProposalRefused(
                "project",
                f"Project {project!r} is {_effective_status(row, today)}: only an approved, running "
                f"project's members can change.",
            )
        is_member = username in members_of(conn, row.id)
        if change == "add" and is_member:
            raise ProposalRefused("username", f"{username} is already a member of {project!r}.")
        if change == "remove" and not is_member:
            raise ProposalRefused("username", f"{username} is not a member of {project!r}.")
        pending = conn.execute(
            sa.select(proposals.c.id).where(
                proposals.c.project_id == row.id, proposals.c.username == username, proposals.c.status == "open"
            )
        ).first()
        if pending:
            raise ProposalRefused(
                "username", f"Proposal {pending.id} about {username} in {project!r} is still open: vote on it."
            )
        values = {
            "kind": kind,
            "project_id": row.id,
            "username": username,
            "organisation": _organisation(organisation, username, conn),
            "reason": _text(reason, "reason", required=False),
        }
        proposal_id = _open_proposal(conn, audit, caller, project, values, {"member": username})
    return proposal(proposal_id, eng)


def _open_proposal(conn, audit, caller: Caller, project: str, values: dict, detail: dict, purpose=None) -> int:
    """Insert an open proposal by ``caller`` (``values``: its kind, project and what it asks) and its ``propose``
    entry naming the new id, on the caller's audited transaction. Returns the id."""
    proposal_id = conn.execute(
        proposals.insert().values(**values, proposer=caller.name, status="open", created_at=_now())
    ).inserted_primary_key[0]
    audit.append(
        AuditEvent(
            actor=caller.name,
            action="propose",
            project=project,
            purpose=purpose,
            detail={"proposal": proposal_id, "kind": values["kind"], **detail},
        ),
        conn=conn,
    )
    return proposal_id


def _owner_of(caller: Caller, organisation: str, datasets: list[str], catalogue: dict) -> frozenset[str]:
    """The restricted datasets (of ``datasets``) whose ``owner`` this voter speaks for: the owner named in the
    metadata equals their user name, their organisation, or one of their hub groups."""
    from commons_kernel import tiers

    speaks_as = {caller.name.casefold(), organisation.strip().casefold(), *(g.casefold() for g in caller.groups)}
    speaks_as.discard("")
    owned = set()
    for name in datasets:
        meta = catalogue.get(name)
        owner = str(getattr(meta, "owner", None) or "").strip().casefold()
        tier = tiers.find(getattr(meta, "tier", None))  # restricted: its owner may veto (commons_kernel/tiers/)
        if tier is not None and tier.owner_veto and owner and owner in speaks_as:
            owned.add(name)
    return frozenset(owned)


def veto_datasets(
    caller: Caller, proposal_id: int, *, eng, catalogue: dict, rule: QuorumRule | None = None
) -> list[str]:
    """The restricted datasets of proposal ``proposal_id`` whose owner ``caller`` speaks for: a reject by them is a
    veto that ends the proposal at once (none when the rule has no owner's veto)."""
    if not (rule or QuorumRule.from_settings()).owner_veto:
        return []
    with eng.connect() as conn:
        row, project = _proposal_and_project(conn, proposal_id)
        return sorted(_owner_of(caller, organisation_of(caller.name, conn), datasets_of(conn, project.id), catalogue))


def can_vote_on(caller: Caller, proposal_id: int, eng) -> bool:
    """Whether ``caller`` may vote on this proposal (permissions.can_vote with its proposer and the people it names):
    the bool twin of the check ``vote`` makes."""
    with eng.connect() as conn:
        interested = _interested(conn, proposal_id)
    return permissions.can_vote(caller, interested["proposer"], interested["named"])


def vote(
    caller: Caller,
    proposal_id: int,
    choice: str,
    comment: str = "",
    *,
    eng,
    audit,
    catalogue: dict,
    rule: QuorumRule | None = None,
    today: date | None = None,
) -> dict:
    """Cast ``caller``'s vote; if the quorum rule then decides the proposal, apply the decision at once."""
    permissions.check_can_vote(caller, audit)  # a member or steward at all, before the proposal is looked up
    with eng.connect() as conn:
        interested = _interested(conn, proposal_id)
    # Checked (and a refusal audited) with no connection open: SQLite lets one writer in at a time.
    permissions.check_can_vote(caller, audit, proposal_id=proposal_id, **interested)
    if choice not in CHOICES:
        raise GovernanceError(f"A vote is one of {', '.join(CHOICES)}, not {choice!r}.")
    comment = _text(comment, "comment", required=False, limit=2000)
    rule = rule or QuorumRule.from_settings()
    today = today or date.today()
    # The vote, the decision it makes and their audit entries commit in one transaction, or none of them does.
    with audit.transaction() as conn:
        row, project = _proposal_and_project(conn, proposal_id)
        lapsed = row.status == "open" and project.end_date < today
        if lapsed:
            _lapse(conn, row.id)
            audit.append(_decide_event(caller, project, row, "lapsed", "its end date passed"), conn=conn)
        else:
            if row.status != "open":
                raise GovernanceError(
                    f"Proposal {proposal_id} was already decided ({row.status}): {row.decision_reason}"
                )
            if conn.execute(
                sa.select(votes.c.id).where(votes.c.proposal_id == row.id, votes.c.voter == caller.name)
            ).first():
                raise GovernanceError(
                    f"{caller.name} has already voted on proposal {proposal_id}; each member votes once."
                )
            organisation = organisation_of(caller.name, conn)
            datasets = datasets_of(conn, project.id)
            owner_of = _owner_of(caller, organisation, datasets, catalogue)
            conn.execute(
                votes.insert().values(
                    proposal_id=row.id,
                    voter=caller.name,
                    organisation=organisation,
                    steward=permissions.can_steward(caller),
                    owner_of=json.dumps(sorted(owner_of)),
                    choice=choice,
                    comment=comment,
                    cast_at=_now(),
                )
            )
            audit.append(
                AuditEvent(
                    actor=caller.name,
                    action="vote",
                    project=project.slug,
                    detail={
                        "proposal": proposal_id,
                        "kind": row.kind,
                        "choice": choice,
                        "comment": comment,
                        "veto_for": sorted(owner_of) if choice == "reject" else [],
                    },
                ),
                conn=conn,
            )
            outcome = decide(_ballots(_votes(conn, row.id)), rule)
            if outcome.decided:
                _apply(conn, row, project, outcome.status, outcome.reason)
                audit.append(
                    _decide_event(
                        caller, project, row, outcome.status, outcome.reason, member=row.username, counts=outcome.counts
                    ),
                    conn=conn,
                )
    if lapsed:
        raise GovernanceError(
            f"Proposal {proposal_id} lapsed: project {project.slug!r} ended on "
            f"{project.end_date.isoformat()} before a decision. Propose it again with a new end date."
        )
    return proposal(proposal_id, eng, rule)


def _decide_event(caller: Caller, project, row, decision: str, reason: str, **more) -> AuditEvent:
    """The ``decide`` entry: a proposal approved, rejected or lapsed, and why."""
    detail = {"proposal": row.id, "kind": row.kind, "decision": decision, "reason": reason, **more}
    return AuditEvent(actor=caller.name, action="decide", project=project.slug, detail=detail)


def _proposal_and_project(conn, proposal_id: int):
    row = conn.execute(sa.select(proposals).where(proposals.c.id == int(proposal_id))).first()
    if row is None:
        raise _no_proposal(proposal_id)
    project = conn.execute(sa.select(projects).where(projects.c.id == row.project_id)).first()
    return row, project


def _interested(conn, proposal_id: int) -> dict:
    """Who may not vote on a proposal: its proposer, and the people it names (the members of the project it asks
    for; the person a membership change is about)."""
    row, project = _proposal_and_project(conn, proposal_id)
    named = members_of(conn, project.id) if row.kind == "project" else {row.username}
    return {"proposer": row.proposer, "named": frozenset(named), "project": project.slug}


def _votes(conn, proposal_id: int) -> list:
    return conn.execute(sa.select(votes).where(votes.c.proposal_id == proposal_id).order_by(votes.c.id)).all()


def _ballots(vote_rows) -> list[Ballot]:
    return [Ballot(r.voter, r.choice, bool(r.steward), frozenset(json.loads(r.owner_of or "[]"))) for r in vote_rows]


def _apply(conn, row, project, status: str, reason: str) -> None:
    """Make a decision take effect: the project's status, or its member list. Guarded on the proposal being open."""
    now = _now()
    changed = conn.execute(
        proposals.update()
        .where(proposals.c.id == row.id, proposals.c.status == "open")
        .values(status=status, decided_at=now, decision_reason=reason)
    ).rowcount
    if not changed:
        raise GovernanceError(f"Proposal {row.id} was decided by another vote a moment ago; nothing changed.")
    if row.kind == "project":
        conn.execute(projects.update().where(projects.c.id == project.id).values(status=status, decided_at=now))
    elif status == "approved" and row.kind == "add-member":
        conn.execute(
            project_members.insert().values(project_id=project.id, username=row.username, organisation=row.organisation)
        )
    elif status == "approved" and row.kind == "remove-member":
        conn.execute(
            project_members.delete().where(
                project_members.c.project_id == project.id, project_members.c.username == row.username
            )
        )


def _lapse(conn, proposal_id: int) -> None:
    conn.execute(
        proposals.update()
        .where(proposals.c.id == proposal_id, proposals.c.status == "open")
        .values(status="lapsed", decided_at=_now(), decision_reason="the project's end date passed before a decision")
    )


def _effective_status(project_row, today: date) -> str:
    """A project's status as people should read it: proposed, approved (running), not started, ended, rejected."""
    if project_row.status == "approved":
        if project_row.end_date < today:
            return "ended"
        if project_row.start_date and project_row.start_date > today:
            return "approved (not started)"
    if project_row.status == "proposed" and project_row.end_date < today:
        return "lapsed"
    return project_row.status


def project_status(slug: str, eng, today: date | None = None) -> str:
    with eng.connect() as conn:
        row = conn.execute(sa.select(projects).where(projects.c.slug == slug)).first()
    if row is None:
        raise GovernanceError(f"There is no project called {slug!r}.")
    return _effective_status(row, today or date.today())


def open_project_proposal(slug: str, eng) -> int:
    """The id of the project proposal of project ``slug`` (to vote by project name)."""
    with eng.connect() as conn:
        found = conn.execute(
            sa.select(proposals.c.id)
            .join(projects, projects.c.id == proposals.c.project_id)
            .where(projects.c.slug == slug, proposals.c.kind == "project")
            .order_by(proposals.c.id.desc())
        ).first()
    if found is None:
        raise GovernanceError(
            f"Project {slug!r} has no proposal to vote on (it was not proposed through a vote); "
            f"`ck.proposals()` lists open proposals."
        )
    return found.id


def proposal(proposal_id: int, eng, rule: QuorumRule | None = None, today: date | None = None) -> dict:
    found = list_proposals(eng, rule=rule, today=today, ids=[int(proposal_id)])
    if not found:
        raise _no_proposal(proposal_id)
    return found[0]


def list_proposals(
    eng,
    status: str | None = None,
    *,
    rule: QuorumRule | None = None,
    today: date | None = None,
    ids: list[int] | None = None,
) -> list[dict]:
    """Every proposal with its project, votes (voters' names and organisations), counts and where it stands."""
    rule = rule or QuorumRule.from_settings()
    today = today or date.today()
    query = sa.select(
        proposals,
        projects.c.slug,
        projects.c.title,
        projects.c.end_date,
        projects.c.start_date,
        projects.c.status.label("project_status"),
    ).join(projects, projects.c.id == proposals.c.project_id)
    if ids:
        query = query.where(proposals.c.id.in_(ids))
    with eng.connect() as conn:
        rows = conn.execute(query.order_by(proposals.c.id)).all()
        result = []
        for row in rows:
            ballots = _votes(conn, row.id)
            effective = row.status
            if row.status == "open" and row.end_date < today:
                effective = "lapsed"
            outcome = decide(_ballots(ballots), rule)
            result.append(
                {
                    "id": row.id,
                    "kind": row.kind,
                    "project": row.slug,
                    "project_title": row.title,
                    "member": row.username,
                    "member_organisation": row.organisation if row.username else "",
                    "reason": row.reason,
                    "proposer": row.proposer,
                    "proposer_organisation": organisation_of(row.proposer, conn) if row.username else row.organisation,
                    "status": effective,
                    "created_at": row.created_at,
                    "decided_at": row.decided_at,
                    "decision_reason": row.decision_reason or ("" if effective == "open" else outcome.reason),
                    "standing": outcome.reason if effective == "open" else row.decision_reason,
                    "counts": outcome.counts,
                    "rule": rule.describe(),
                    "end_date": row.end_date.isoformat(),
                    "votes": [
                        {
                            "voter": b.voter,
                            "organisation": b.organisation,
                            "steward": bool(b.steward),
                            "choice": b.choice,
                            "comment": b.comment,
                            "cast_at": b.cast_at,
                            "owner_of": json.loads(b.owner_of or "[]"),
                            "veto_for": json.loads(b.owner_of or "[]") if b.choice == "reject" else [],
                        }
                        for b in ballots
                    ],
                }
            )
    if status:
        result = [p for p in result if p["status"] == status]
    return result
