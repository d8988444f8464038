"""What the review pages share (a contribution's review, a dataset's withdrawal, the release review pages).

They sit one to three levels below the service prefix (``contributions/7``, ``datasets/NAME/withdraw``), so each
handler says how deep it is; every refusal or error is shown on the page with the status that fits it.
"""

from __future__ import annotations

from commons_hub.services.data_api.governance_base import PageHandler, status_of
from commons_kernel.exceptions import AccessDenied, CommonsError

__all__ = ["ReviewPage", "message_of", "status_of"]


def message_of(exc: CommonsError) -> str:
    if isinstance(exc, AccessDenied):
        return f"{exc.reason} {exc.how_to_get_access}".strip()
    return str(exc)


class ReviewPage(PageHandler):
    levels = 2  # path segments below the service prefix: contributions/7 is 2

    def prefix(self) -> str:
        return self.request.path.rstrip("/").rsplit("/", self.levels)[0] + "/"
