"""One error table: each commons exception's ``code`` and ``status`` are what the data-api answers with, and the
kernel's client turns that answer back into the same exception (``exceptions.for_code``). Real tornado handlers
(the data-api's BaseHandler) over real HTTP, the real requests client."""

from __future__ import annotations

import asyncio
import json

import pytest
from tornado import web
from tornado.testing import AsyncHTTPTestCase

from commons_hub.governance.permissions import NotPermitted
from commons_hub.services.data_api.base import BaseHandler
from commons_kernel import exceptions
from commons_kernel.client import DataApiClient
from commons_kernel.exceptions import (
    AccessDenied,
    ClusterRefused,
    CommonsError,
    DatasetNotFound,
    DisclosureRisk,
    GeographyError,
    GovernanceError,
    NotAuthenticated,
    ValidationFailed,
)

pytestmark = pytest.mark.unit

RAISED = {
    "geography": GeographyError("E99999999 is not a code of any level the commons knows."),
    "disclosure": DisclosureRisk("cell (Anfield, 2024) is 3, under the threshold of 10."),
    "governance": GovernanceError("the vote on proposal 4 has closed."),
    "permitted": NotPermitted("only stewards decide contributions."),
    "missing": DatasetNotFound("imd", ["imd2019_lsoa11"]),
    "denied": AccessDenied("synthetic_referrals", "restricted: name your project.", "Pass project=."),
    "invalid": ValidationFailed("line 3: not a GSS code.", report={"errors": [{"line": 3}]}),
    "cluster": ClusterRefused("at most 4 workers."),
    "plain": CommonsError("something else."),
}


class Raises(BaseHandler):
    def get(self, which):
        raise RAISED[which]


class ErrorTableCase(AsyncHTTPTestCase):
    def get_app(self):
        return web.Application([(r"/api/raise/(\w+)", Raises)], commons=None)

    def answer(self, which):
        response = self.fetch(f"/api/raise/{which}", raise_error=False)
        return response.code, json.loads(response.body)

    def client_error(self, which):
        client = DataApiClient(self.get_url("/"), "unused")

        async def run():
            def call():
                try:
                    client.get_json(f"api/raise/{which}")
                except CommonsError as exc:
                    return exc
                raise AssertionError("no error raised")

            return await asyncio.get_running_loop().run_in_executor(None, call)

        return self.io_loop.run_sync(run, timeout=30)

    def test_the_service_answers_each_error_with_its_code_and_status(self):
        for which, exc in RAISED.items():
            status, body = self.answer(which)
            assert (status, body["error"]) == (exc.status, exc.code), which
        assert self.answer("missing")[1]["close"] == ["imd2019_lsoa11"]
        assert self.answer("invalid")[1]["report"] == {"errors": [{"line": 3}]}
        assert self.answer("denied")[1]["how_to_get_access"] == "Pass project=."

    def test_the_client_raises_the_same_exception_again(self):
        expected = {
            "geography": GeographyError,
            "disclosure": DisclosureRisk,
            "governance": GovernanceError,
            "missing": DatasetNotFound,
            "denied": AccessDenied,
            "invalid": ValidationFailed,
            "cluster": ClusterRefused,
            "plain": CommonsError,
            "permitted": NotAuthenticated,
        }  # a hub-only code on a 403: as before, "not allowed as you"
        for which, kind in expected.items():
            error = self.client_error(which)
            assert type(error) is kind, (which, type(error))
        assert self.client_error("missing").close == ["imd2019_lsoa11"]
        assert self.client_error("denied").how_to_get_access == "Pass project=."
        assert self.client_error("invalid").report == {"errors": [{"line": 3}]}


def test_every_code_names_one_class_and_unknown_codes_are_the_root():
    table = exceptions.error_table()
    for code, cls in table.items():
        assert cls.code == code and 400 <= cls.status < 600
        assert exceptions.for_code(code) is cls
    assert exceptions.for_code("no-such-code") is CommonsError and exceptions.for_code(None) is CommonsError
    assert table["not-permitted"] is NotPermitted and table["not-allowed-now"] is GovernanceError
