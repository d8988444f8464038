"""Cooperative decisions: proposals (projects and membership changes) and votes, as JSON for ``ck`` and the CLI
and as an HTML page where members vote in a browser.

    GET/POST decisions                     open proposals in full with a vote form (HTML, hub login, XSRF)
    GET/POST decisions/ID                  one proposal in full and its vote form; a veto asks to confirm first
    GET      api/proposals[?status=open]   every proposal with its votes and where it stands
    POST     api/proposals                 {"kind": "project", "title", "purpose", "public_benefit", "datasets",
                                            "members", "end_date", ...} or {"kind": "add-member"|"remove-member",
                                            "project", "username", "organisation", "reason"}
    GET      api/proposals/ID
    POST     api/proposals/ID/votes        {"choice": "approve"|"reject"|"abstain", "comment": "..."}
    POST     api/projects/SLUG/votes       the same, on the proposal of project SLUG
"""

from __future__ import annotations

from typing import Any

from commons_hub.governance import decisions
from commons_hub.services.data_api.base import ApiError
from commons_hub.services.data_api.governance_base import GovernanceHandler, PageHandler, status_of
from commons_hub.services.data_api.proposal_view import full_proposals
from commons_kernel.exceptions import CommonsError, GovernanceError

PROJECT_FIELDS = (
    "title",
    "purpose",
    "public_benefit",
    "datasets",
    "members",
    "end_date",
    "start_date",
    "organisation",
    "slug",
)


def _json_safe(value):
    import json

    return json.loads(json.dumps(value, default=str))


class ProposalsHandler(GovernanceHandler):
    def get(self):
        self.caller()
        self.write_json(_json_safe(decisions.list_proposals(self.state.engine, self.get_argument("status", None))))

    def post(self):
        caller = self.caller()
        body = self.json_body()
        kind = body.get("kind", "project")
        common = dict(eng=self.state.engine, audit=self.state.audit, catalogue=self.catalogue())
        if kind == "project":
            unknown = set(body) - set(PROJECT_FIELDS) - {"kind"}
            if unknown:
                raise ApiError(
                    400,
                    "unknown-fields",
                    f"Unknown field(s) {', '.join(sorted(unknown))}; a project "
                    f"proposal has {', '.join(PROJECT_FIELDS)}.",
                )
            fields: dict[str, Any] = {k: body.get(k) for k in PROJECT_FIELDS}
            result = decisions.propose_project(caller, **fields, **common)
        elif kind in ("add-member", "remove-member"):
            result = decisions.propose_membership(
                caller,
                str(body.get("project") or ""),
                str(body.get("username") or ""),
                change=kind.split("-")[0],
                organisation=str(body.get("organisation") or ""),
                reason=str(body.get("reason") or ""),
                **common,
            )
        else:
            raise ApiError(400, "bad-kind", f"kind must be project, add-member or remove-member, not {kind!r}.")
        self.write_json(_json_safe(result), status=201)


class ProposalHandler(GovernanceHandler):
    def get(self, ident):
        self.caller()
        self.write_json(_json_safe(decisions.proposal(int(ident), self.state.engine)))


class VoteHandler(GovernanceHandler):
    def proposal_id(self, target: str) -> int:
        return int(target)

    def post(self, target):
        caller = self.caller()
        body = self.json_body()
        ident = self.proposal_id(target)
        result = decisions.vote(
            caller,
            ident,
            str(body.get("choice") or ""),
            str(body.get("comment") or ""),
            eng=self.state.engine,
            audit=self.state.audit,
            catalogue=self.catalogue(),
        )
        self.write_json(_json_safe(result), status=201)


class ProjectVoteHandler(VoteHandler):
    def proposal_id(self, target: str) -> int:
        return decisions.open_project_proposal(target, self.state.engine)


class VotePage(PageHandler):
    """A vote cast from a page. A reject by someone who speaks for the owner of a restricted dataset the proposal
    names ends it at once (the owner's veto), so it first shows a confirm page (a plain form: no JavaScript)."""

    def show(self, status: int = 200, error: str | None = None, done: dict | None = None) -> None:
        raise NotImplementedError

    def one(self, ident: int, **changes) -> dict:
        found = decisions.list_proposals(self.state.engine, ids=[ident])
        if not found:
            raise GovernanceError(f"There is no proposal {ident}; the Decisions page lists them.")
        shown = full_proposals(found, self.catalogue(), self.caller(), self.state.engine)[0]
        return {**shown, **changes}

    def cast_vote(self, ident_text: str) -> None:
        caller = self.caller()
        choice, comment = self.get_body_argument("choice", ""), self.get_body_argument("comment", "")
        try:
            ident = int(ident_text)
            if choice == "reject" and self.get_body_argument("confirm", "") != "veto":
                veto = decisions.veto_datasets(caller, ident, eng=self.state.engine, catalogue=self.catalogue())
                if veto and decisions.can_vote_on(caller, ident, self.state.engine):
                    self.render_page(
                        "veto_confirm.html",
                        p=self.one(ident, hide_form=True, heading_level="h2"),
                        veto=veto,
                        comment=comment,
                    )
                    return
            done = decisions.vote(
                caller,
                ident,
                choice,
                comment,
                eng=self.state.engine,
                audit=self.state.audit,
                catalogue=self.catalogue(),
            )
        except (CommonsError, ValueError) as exc:
            self.show(status=status_of(exc), error=str(exc))
            return
        self.show(done=done)


class DecisionsPageHandler(VotePage):
    def show(self, status: int = 200, error: str | None = None, done: dict | None = None) -> None:
        proposals = decisions.list_proposals(self.state.engine)
        open_ones = full_proposals(
            [p for p in proposals if p["status"] == "open"], self.catalogue(), self.caller(), self.state.engine
        )
        decided = [p for p in proposals if p["status"] != "open"][-20:]
        self.render_page(
            "decisions.html", status=status, open_proposals=open_ones, decided=decided, error=error, done=done
        )

    def get(self):
        self.show()

    def post(self):
        self.cast_vote(self.get_body_argument("proposal", "0"))


class ProposalPageHandler(VotePage):
    """One proposal in full (project, datasets and tiers, members, dates, votes, the quorum) with the vote form."""

    def prefix(self) -> str:
        return self.request.path.rstrip("/").rsplit("/", 2)[0] + "/"

    def show(self, status: int = 200, error: str | None = None, done: dict | None = None) -> None:
        try:
            shown = self.one(int(self.path_args[0]), heading_level="h2")
        except GovernanceError as exc:
            self.render_page("message.html", status=404, heading="No such proposal", error=str(exc))
            return
        self.render_page(
            "proposal.html",
            status=status,
            p=shown,
            error=error,
            done=done,
            proposed=self.get_argument("proposed", "") == "1",
        )

    def get(self, ident):
        self.show()

    def post(self, ident):
        self.cast_vote(ident)


ROUTES = [
    (r"decisions", DecisionsPageHandler),
    (r"decisions/(\d+)", ProposalPageHandler),
    (r"api/proposals", ProposalsHandler),
    (r"api/proposals/(\d+)", ProposalHandler),
    (r"api/proposals/(\d+)/votes", VoteHandler),
    (r"api/projects/([a-z0-9][a-z0-9-]{2,79})/votes", ProjectVoteHandler),
]
