"""A steward's review of one contribution, in the browser (hub login, XSRF on the form):

GET  contributions/ID    description, metadata, the first rows (personal-data columns masked), the quality
                         report and score, and the approve / reject form
POST contributions/ID    action=approve|reject, reason (required to reject): governance.contributions decides,
                         audits and acts, exactly as for POST api/contributions/ID/(approve|reject)
"""

from __future__ import annotations

from commons_hub.governance import contributions
from commons_hub.governance.contribution_preview import preview_contribution, submitted_metadata
from commons_hub.governance.permissions import can_review_contributions
from commons_hub.services.data_api.review_pages import ReviewPage, message_of, status_of
from commons_kernel.exceptions import CommonsError, GovernanceError

ACTIONS = {"approve": contributions.approve, "reject": contributions.reject}
EMPTY: dict[str, object] = {
    "error": None,
    "done": None,
    "record": None,
    "refused": None,
    "report": None,
    "preview": None,
    "metadata": {},
    "can_decide": False,
    "reason": "",
}


class ContributionPageHandler(ReviewPage):
    levels = 2

    def _show(
        self, ident: int, status: int = 200, error: str | None = None, done: dict | None = None, reason: str = ""
    ) -> None:
        caller = self.caller()
        try:
            record = contributions.contribution(ident, self.state.engine)
        except GovernanceError as exc:
            self.render_page("contribution.html", status=404, **{**EMPTY, "error": str(exc)})
            return
        report = contributions.quality_report(self.state.store, record)
        try:
            preview = preview_contribution(caller, record, report, store=self.state.store, audit=self.state.audit)
        except CommonsError as exc:  # neither a steward nor the contributor: audited, and the page says why
            self.render_page("contribution.html", status=status_of(exc), **{**EMPTY, "refused": message_of(exc)})
            return
        can_decide = record["status"] == "pending" and can_review_contributions(caller, record["contributor"])
        self.render_page(
            "contribution.html",
            status=status,
            error=error,
            done=done,
            record=record,
            refused=None,
            report=report,
            preview=preview,
            metadata=submitted_metadata(self.state.engine, ident),
            can_decide=can_decide,
            reason=reason,
        )

    def get(self, ident):
        self._show(int(ident))

    def post(self, ident):
        caller = self.caller()
        ident = int(ident)
        action = self.get_body_argument("action", "")
        reason = self.get_body_argument("reason", "")
        if action not in ACTIONS:
            self._show(ident, status=400, error="Choose Approve or Reject.", reason=reason)
            return
        try:
            done = ACTIONS[action](
                caller, ident, reason, store=self.state.store, eng=self.state.engine, audit=self.state.audit
            )
        except CommonsError as exc:
            self._show(ident, status=status_of(exc), error=message_of(exc), reason=reason)
            return
        self.catalogue_changed()
        self._show(ident, done=done)


ROUTES = [(r"contributions/(\d+)", ContributionPageHandler)]
