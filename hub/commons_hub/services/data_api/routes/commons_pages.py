"""The governance home and the proposal forms, for members in a browser (hub login, XSRF on every form).

    GET      commons           what awaits your vote, your proposals, projects and contributions, links onwards
    GET/POST propose           propose a project (decisions.propose_project: the API's rules and audit)
    GET/POST propose-member    propose adding or removing a member (decisions.propose_membership)

A refused proposal shows the form again with what was typed and the error beside the field it is about (the
``field`` a GovernanceError from commons_hub.governance.decisions carries); a success goes to the proposal's own page.
"""

from __future__ import annotations

from datetime import date

from commons_hub.governance import contributions, decisions, projects
from commons_hub.governance.permissions import NotPermitted, can_propose, can_steward
from commons_hub.services.data_api.governance_base import PageHandler
from commons_hub.services.data_api.proposal_view import awaiting_vote, full_proposals
from commons_kernel.exceptions import CommonsError

PROJECT_FORM = ("title", "purpose", "public_benefit", "members", "start_date", "end_date", "organisation", "slug")
MEMBER_FORM = ("project", "change", "username", "organisation", "reason")


def parse_members(text: str) -> dict[str, str] | None:
    """The members box: one person a line, ``name`` or ``name: organisation``; blank lines skipped."""
    members = {}
    for line in text.splitlines():
        name, _, organisation = line.partition(":")
        if name.strip():
            members[name.strip()] = organisation.strip()
    return members or None


class CommonsPageHandler(PageHandler):
    def get(self):
        caller = self.caller()
        eng = self.state.engine
        open_ones = full_proposals(decisions.list_proposals(eng, "open"), self.catalogue(), caller, eng)
        mine = set(projects.projects_of(caller.name, eng))
        self.render_page(
            "commons.html",
            awaiting=awaiting_vote(open_ones),
            my_proposals=[p for p in open_ones if p["proposer"] == caller.name],
            my_projects=[p for p in projects.list_projects(eng) if p["slug"] in mine],
            my_contributions=[c for c in contributions.list_contributions(eng) if c["contributor"] == caller.name],
            steward=can_steward(caller),
            member=can_propose(caller),
        )


class ProposalFormHandler(PageHandler):
    """A form whose POST calls one decisions.propose_* function and shows a refusal beside its field."""

    template = ""
    fields: tuple = ()

    def form_values(self) -> dict:
        raise NotImplementedError

    def propose(self, values: dict) -> dict:
        raise NotImplementedError

    def show(self, values: dict, status: int = 200, error: str | None = None, field: str | None = None) -> None:
        self.render_page(
            self.template,
            status=status,
            values=values,
            error=error,
            field=field,
            datasets=sorted(self.catalogue().items()),
            projects=self.open_projects(),
        )

    def open_projects(self) -> list[dict]:
        today = date.today().isoformat()
        return [
            p for p in projects.list_projects(self.state.engine) if p["status"] == "approved" and p["end_date"] >= today
        ]

    def post(self):
        self.caller()
        values = self.form_values()
        try:
            proposal = self.propose(values)
        except CommonsError as exc:
            status = 403 if isinstance(exc, NotPermitted) else 409
            self.show(values, status=status, error=str(exc), field=getattr(exc, "field", None))
            return
        self.redirect(f"{self.prefix()}decisions/{proposal['id']}?proposed=1", status=303)


class ProposePageHandler(ProposalFormHandler):
    template = "propose.html"

    def get(self):
        caller = self.caller()
        self.show({**{name: "" for name in PROJECT_FORM}, "members": caller.name, "datasets": []})

    def form_values(self) -> dict:
        values: dict[str, str | list[str]] = {name: self.get_body_argument(name, "").strip() for name in PROJECT_FORM}
        values["datasets"] = self.get_body_arguments("datasets")
        return values

    def propose(self, values: dict) -> dict:
        return decisions.propose_project(
            self.caller(),
            title=values["title"],
            purpose=values["purpose"],
            public_benefit=values["public_benefit"],
            datasets=values["datasets"],
            members=parse_members(values["members"]),
            end_date=values["end_date"],
            start_date=values["start_date"] or None,
            organisation=values["organisation"] or None,
            slug=values["slug"] or None,
            catalogue=self.catalogue(),
            eng=self.state.engine,
            audit=self.state.audit,
        )


class ProposeMemberPageHandler(ProposalFormHandler):
    template = "propose_member.html"

    def get(self):
        self.caller()
        self.show(
            {
                **{name: "" for name in MEMBER_FORM},
                "project": self.get_argument("project", ""),
                "change": self.get_argument("change", "add"),
            }
        )

    def form_values(self) -> dict:
        return {name: self.get_body_argument(name, "").strip() for name in MEMBER_FORM}

    def propose(self, values: dict) -> dict:
        return decisions.propose_membership(
            self.caller(),
            values["project"],
            values["username"],
            change=values["change"],
            organisation=values["organisation"],
            reason=values["reason"],
            catalogue=self.catalogue(),
            eng=self.state.engine,
            audit=self.state.audit,
        )


ROUTES = [
    (r"commons", CommonsPageHandler),
    (r"propose", ProposePageHandler),
    (r"propose-member", ProposeMemberPageHandler),
]
