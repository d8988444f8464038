"""Output checkers review releases in the browser (hub login, XSRF on the form):

GET  releases        the releases the caller may see (all of them for checkers), waiting ones first
GET  releases/ID     its files (names, sizes, a preview of each table), the disclosure report of each file
                     (which rules passed or failed, and why), the reviews so far, and the review form
POST releases/ID     decision=approve|request-changes|reject, comment (required unless approving):
                     ReleaseService.review decides, audits and acts, as POST api/releases/ID/reviews does
"""

from __future__ import annotations

from commons_hub.releases import review as release_review
from commons_hub.releases import rules
from commons_hub.services.data_api.review_pages import ReviewPage, message_of, status_of
from commons_hub.services.data_api.routes.releases import _service
from commons_kernel.exceptions import CommonsError

ORDER = {rules.PENDING: 0, rules.CHANGES_REQUESTED: 1, rules.RELEASED: 2, rules.REJECTED: 3}


class ReleasesPageHandler(ReviewPage):
    levels = 1

    def get(self):
        caller = self.caller()
        shown = sorted(_service(self).visible(caller), key=lambda r: (ORDER.get(r["status"], 9), -r["id"]))
        self.render_page("releases.html", releases=shown, checker=rules.can_check_outputs(caller))


class ReleasePageHandler(ReviewPage):
    levels = 2

    def _show(
        self,
        release_id: int,
        status: int = 200,
        error: str | None = None,
        done: bool = False,
        decision: str = "",
        comment: str = "",
    ) -> None:
        caller = self.caller()
        service = _service(self)
        try:
            release = service.details(caller, release_id)  # a refusal is audited there
        except CommonsError as exc:
            self.render_page(
                "release.html",
                status=status_of(exc),
                release=None,
                refused=message_of(exc),
                error=None,
                files=[],
                can_review=False,
                done=False,
                decision="",
                comment="",
            )
            return
        checks = release_review.file_checks(service.home, release_id)
        previews = release_review.preview_allowed(caller, release, service.engine)
        files = []
        for stored in release.get("files") or []:
            check = checks.get(stored["name"], {})
            preview = None
            if previews and stored["kind"] == "table" and stored["name"].endswith(".parquet"):
                preview = release_review.table_preview(service, caller, release_id, stored["name"])
            files.append(
                {
                    **stored,
                    "check": check,
                    "rules": release_review.rule_results(check),
                    "preview": preview,
                    "result": release_review.RESULT.get(stored["check_status"], "needs review"),
                }
            )
        can_review = release_review.review_allowed(caller, release)
        self.render_page(
            "release.html",
            status=status,
            release=release,
            refused=None,
            error=error,
            files=files,
            can_review=can_review,
            done=done,
            decision=decision,
            comment=comment,
        )

    def get(self, release_id):
        self._show(int(release_id))

    def post(self, release_id):
        caller = self.caller()
        release_id = int(release_id)
        decision = self.get_body_argument("decision", "")
        comment = self.get_body_argument("comment", "")
        try:
            _service(self).review(caller, release_id, decision, comment)
        except CommonsError as exc:  # not a checker, own release, no longer pending, no comment: audited there
            self._show(release_id, status=status_of(exc), error=message_of(exc), decision=decision, comment=comment)
            return
        self._show(release_id, done=True)


ROUTES = [(r"releases", ReleasesPageHandler), (r"releases/([0-9]+)", ReleasePageHandler)]
