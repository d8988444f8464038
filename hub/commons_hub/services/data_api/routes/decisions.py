"""Cooperative decisions: proposals (projects and membership changes) and votes, as JSON for ``ck`` and the CLI
and as an HTML page where members vote in a browser.

    GET/POST decisions                     open proposals with a vote form (HTML, hub login, XSRF)
    GET      api/proposals[?status=open]   every proposal with its votes and where it stands
    POST     api/proposals                 {"kind": "project", "title", "purpose", "public_benefit", "datasets",
                                            "members", "end_date", ...} or {"kind": "add-member"|"remove-member",
                                            "project", "username", "organisation", "reason"}
    GET      api/proposals/ID
    POST     api/proposals/ID/votes        {"choice": "approve"|"reject"|"abstain", "comment": "..."}
    POST     api/projects/SLUG/votes       the same, on the proposal of project SLUG
"""

from __future__ import annotations

from commons_hub import decisions
from commons_hub.services.data_api.base import ApiError
from commons_hub.services.data_api.governance_base import GovernanceHandler, PageHandler
from commons_kernel.exceptions import CommonsError

PROJECT_FIELDS = ("title", "purpose", "public_benefit", "datasets", "members", "end_date", "start_date",
                  "organisation", "slug")


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
                raise ApiError(400, "unknown-fields", f"Unknown field(s) {', '.join(sorted(unknown))}; a project "
                                                      f"proposal has {', '.join(PROJECT_FIELDS)}.")
            result = decisions.propose_project(caller, **{k: body.get(k) for k in PROJECT_FIELDS}, **common)
        elif kind in ("add-member", "remove-member"):
            result = decisions.propose_membership(
                caller, str(body.get("project") or ""), str(body.get("username") or ""), change=kind.split("-")[0],
                organisation=str(body.get("organisation") or ""), reason=str(body.get("reason") or ""), **common)
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
        result = decisions.vote(caller, ident, str(body.get("choice") or ""), str(body.get("comment") or ""),
                                eng=self.state.engine, audit=self.state.audit, catalogue=self.catalogue())
        self.write_json(_json_safe(result), status=201)


class ProjectVoteHandler(VoteHandler):
    def proposal_id(self, target: str) -> int:
        return decisions.open_project_proposal(target, self.state.engine)


class DecisionsPageHandler(PageHandler):
    def _render(self, status: int = 200, error: str | None = None, done: dict | None = None) -> None:
        caller = self.caller()
        proposals = decisions.list_proposals(self.state.engine)
        open_ones = [p for p in proposals if p["status"] == "open"]
        decided = [p for p in proposals if p["status"] != "open"][-20:]
        self.render_page("decisions.html", status=status, open_proposals=open_ones, decided=decided, error=error,
                         done=done, report=None, voted={p["id"] for p in open_ones
                                                        if any(v["voter"] == caller.name for v in p["votes"])})

    def get(self):
        self._render()

    def post(self):
        caller = self.caller()
        try:
            ident = int(self.get_body_argument("proposal", "0"))
            done = decisions.vote(caller, ident, self.get_body_argument("choice", ""),
                                  self.get_body_argument("comment", ""), eng=self.state.engine,
                                  audit=self.state.audit, catalogue=self.catalogue())
        except (CommonsError, ValueError) as exc:
            self._render(status=409, error=str(exc))
            return
        self._render(done=done)


ROUTES = [
    (r"decisions", DecisionsPageHandler),
    (r"api/proposals", ProposalsHandler),
    (r"api/proposals/(\d+)", ProposalHandler),
    (r"api/proposals/(\d+)/votes", VoteHandler),
    (r"api/projects/([a-z0-9][a-z0-9-]{2,79})/votes", ProjectVoteHandler),
]
