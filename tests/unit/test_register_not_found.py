"""An address the register does not have gets the register's own "not found" page (404, in English, with its one
heading and navigation), not tornado's bare page without a language (axe-core: html-has-lang, serious)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from tornado.testing import AsyncHTTPTestCase

from commons_hub.services.register.app import make_app
from commons_hub.services.register.data import RegisterData
from commons_hub.services.register.readonly import readonly_engine
from tests.unit.test_contributions_register import build_state

pytestmark = pytest.mark.unit
PREFIX = "/services/register/"


class NotFound(AsyncHTTPTestCase):
    def get_async_test_timeout(self) -> float:
        return 60

    def get_app(self):
        home = Path(tempfile.mkdtemp(prefix="register-not-found-"))
        state = build_state(home)
        return make_app(RegisterData(readonly_engine(f"sqlite:///{home / 'governance.sqlite'}"), state.store), PREFIX)

    def test_an_unknown_address_gets_the_registers_own_page(self):
        for path in ("no-such-page", "datasets/x/y", "api/nothing"):
            response = self.fetch(PREFIX + path)
            page = response.body.decode()
            assert response.code == 404, path
            assert '<html lang="en">' in page and page.count("<h1>") == 1 and "Not found" in page
            assert 'href="#main"' in page and "There is no such entry in the register" in page
            assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")


class JsonOnlyResourceAsAPage(AsyncHTTPTestCase):
    """A resource with no template (the audit head, JSON only) asked for as a page gets the not-found page, not a
    500 from rendering no template; routes() never serves it so, but a route added by hand could."""

    def get_async_test_timeout(self) -> float:
        return 60

    def get_app(self):
        from commons_hub.services.register.pages import RegisterHandler

        home = Path(tempfile.mkdtemp(prefix="register-json-only-"))
        state = build_state(home)
        app = make_app(RegisterData(readonly_engine(f"sqlite:///{home / 'governance.sqlite'}"), state.store), PREFIX)
        app.add_handlers(r".*", [(PREFIX + "head-page", RegisterHandler, {"resource": "audit_head", "as_json": False})])
        return app

    def test_it_gets_the_not_found_page(self):
        response = self.fetch(PREFIX + "head-page")
        assert response.code == 404
        assert "There is no such entry in the register" in response.body.decode()
