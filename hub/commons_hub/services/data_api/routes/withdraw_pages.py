"""A contributor withdraws their own dataset in the browser (hub login, XSRF, no JavaScript needed):

GET  datasets/NAME/withdraw    what withdrawing does, who may do it, and the reason form (or why you cannot)
POST datasets/NAME/withdraw    step 1 (no confirm): the confirmation page, the reason carried along;
                               step 2 (confirm=yes): governance.withdrawals.withdraw checks, audits and acts,
                               exactly as POST api/datasets/NAME/withdraw does
"""

from __future__ import annotations

from commons_hub.governance import withdrawals
from commons_hub.governance.contributions import contributors_of
from commons_hub.governance.permissions import can_withdraw
from commons_hub.services.data_api.review_pages import ReviewPage, message_of, status_of
from commons_kernel.exceptions import CommonsError, DatasetNotFound


class WithdrawPageHandler(ReviewPage):
    levels = 3

    def _show(
        self,
        name: str,
        status: int = 200,
        error: str | None = None,
        confirm: bool = False,
        reason: str = "",
        done: dict | None = None,
    ) -> None:
        caller = self.caller()
        try:
            manifest = self.state.store.manifest(name)
        except DatasetNotFound as exc:
            self.render_page(
                "withdraw.html",
                status=404,
                name=name,
                missing=str(exc),
                error=None,
                done=None,
                manifest={},
                title="",
                contributors=[],
                allowed=False,
                stories=[],
                confirm=False,
                reason="",
            )
            return
        contributors = sorted(contributors_of(name, self.state.engine))
        metadata = self.catalogue().get(name)
        self.render_page(
            "withdraw.html",
            status=status,
            name=name,
            missing=None,
            error=error,
            done=done,
            manifest=manifest,
            title=getattr(metadata, "title", "") or name,
            contributors=contributors,
            allowed=can_withdraw(caller, contributors),
            stories=withdrawals.stories_using(name),
            confirm=confirm,
            reason=reason,
        )

    def get(self, name):
        self._show(name)

    def post(self, name):
        caller = self.caller()
        reason = self.get_body_argument("reason", "").strip()
        if self.get_body_argument("confirm", "") != "yes":
            if not reason:
                self._show(
                    name, status=422, error="Say why the dataset is withdrawn: the public register shows the reason."
                )
                return
            self._show(name, confirm=True, reason=reason)
            return
        try:
            done = withdrawals.withdraw(
                caller, name, reason, store=self.state.store, eng=self.state.engine, audit=self.state.audit
            )
        except CommonsError as exc:  # not theirs (audited as a deny), no reason, already withdrawn, no such dataset
            self._show(name, status=status_of(exc), error=message_of(exc), reason=reason)
            return
        self.catalogue_changed()
        self._show(name, done=done)


ROUTES = [(r"datasets/([A-Za-z0-9_\-]+)/withdraw", WithdrawPageHandler)]
