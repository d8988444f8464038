"""What the data-api's governance routes share (contributions, withdrawals, proposals and votes).

``GovernanceHandler`` answers JSON; a refused permission (governance.permissions.NotPermitted) becomes 403, as
every commons error gets its status from the one table of commons_kernel.exceptions (``exc.status``, ``exc.code``).
``PageHandler`` serves the HTML pages members use in a browser (upload form, review, votes): hub login by OAuth,
XSRF on every form, autoescaped templates, and headers that forbid scripts and framing.
"""

from __future__ import annotations

import json
from typing import Any

from commons_hub.services.data_api.base import ApiError, BaseHandler
from commons_kernel.exceptions import CommonsError

PAGE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


class GovernanceHandler(BaseHandler):
    def catalogue(self) -> dict:
        """Metadata of every dataset in the store (seed and contributed), by name."""
        names = set(self.state.store.names())
        return {name: meta for name, meta in self.state.all_metadata().items() if name in names}

    def catalogue_changed(self) -> None:
        # ServiceState trusts its reading of the metadata files for a second: read them again after an approval.
        self.state.catalogue.forget()

    def json_body(self) -> dict:
        if not self.request.body:
            return {}
        try:
            body = json.loads(self.request.body)
        except ValueError:
            raise ApiError(400, "bad-json", "The request body is not JSON. Send a JSON object.") from None
        if not isinstance(body, dict):
            raise ApiError(400, "bad-json", 'Send a JSON object, e.g. {"choice": "approve"}.')
        return body


def status_of(exc: Exception) -> int:
    """The HTTP status a page answers with when ``exc`` stops the action: a commons error's own, from the one error
    table (commons_kernel.exceptions); anything else (a malformed form value) is a bad request."""
    return exc.status if isinstance(exc, CommonsError) else 400


class PageHandler(GovernanceHandler):
    """An HTML page for members signed in to the hub."""

    browser_page = True

    def set_default_headers(self) -> None:
        self.set_header("Content-Security-Policy", PAGE_POLICY)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "same-origin")
        self.set_header("Cache-Control", "no-store")

    def prefix(self) -> str:
        """The service prefix (every page is one level below it, e.g. /services/data-api/contribute)."""
        return self.request.path.rstrip("/").rsplit("/", 1)[0] + "/"

    def render_page(self, template: str, status: int = 200, **values) -> None:
        self.set_status(status)
        self.render(template, prefix=self.prefix(), caller=self.caller(), **values)

    def page_error(self, template: str, exc: CommonsError, **values) -> None:
        """Render ``template`` with the error (a report's errors listed one by one) and the right status."""
        status = status_of(exc)
        report: Any = getattr(exc, "report", None)  # a QualityReport (ValidationFailed), a dict, or none
        if hasattr(report, "to_dict"):
            report = report.to_dict()
        self.render_page(template, status=status, error=str(exc), report=report, **values)
