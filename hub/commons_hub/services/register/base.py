"""What every register response shares: security headers, the walls note, query parsing and plain errors."""

from __future__ import annotations

import logging

from tornado import web

from commons_hub import isolation
from commons_hub.services.register.data import RegisterData
from commons_hub.services.register.query import FILTERS, Query, parse

# No script anywhere; forms may only submit (GET) to the register itself.
POLICY = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"


class PublicHandler(web.RequestHandler):
    @property
    def data(self) -> RegisterData:
        return self.settings["register"]

    def set_default_headers(self) -> None:
        self.set_header("Content-Security-Policy", POLICY)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")
        self.set_header("Cache-Control", "no-cache")  # revalidate: tornado answers 304 by ETag

    def get_template_namespace(self) -> dict:
        namespace = super().get_template_namespace()
        # Every page says so when the hub that started the register runs without separate Unix accounts.
        namespace["walls_note"] = None if isolation.running_isolated() else isolation.NOT_ISOLATED
        return namespace

    def register_query(self, allowed: tuple[str, ...] = FILTERS, what: str = "this table") -> Query:
        """The filters and paging of this request (BadRegisterQuery when a value is unusable)."""
        arguments = {name: self.get_query_argument(name) for name in self.request.query_arguments}
        return parse(arguments, allowed, what)

    def write_error(self, status_code: int, **kwargs) -> None:
        if status_code >= 500:
            logging.exception("register error")
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"The register could not answer (HTTP {status_code}). Try again in a moment.\n")
