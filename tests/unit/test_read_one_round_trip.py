"""A governed read is one round trip: the data-api sends licence, attribution, title, tier and version in its
response headers (URL-encoded), and ``ck.read`` fills ``frame.attrs`` from them without asking ``describe``. Real
tornado app, real HTTP through the kernel's client (no hub: tokens map to people)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import pyarrow as pa
import pytest
from tornado.testing import AsyncHTTPTestCase

import commons_kernel.api as api
from commons_hub.services.data_api.state import ServiceState
from commons_kernel import read_headers
from commons_kernel.client import DataApiClient
from tests.unit import test_data_api_walls as walls

pytestmark = pytest.mark.unit

PREFIX = "/services/data-api/"
CATALOG = Path(__file__).resolve().parents[2] / "catalog"
NAME = "synthetic_foodbank_visits"


class OneRoundTripCase(walls.TableAuthApp, AsyncHTTPTestCase):
    def get_app(self):
        home = self.temporary_home()
        self.state = ServiceState(home, CATALOG, f"sqlite:///{home / 'governance.sqlite'}")
        self.state.store.commit(
            self.state.store.stage(
                NAME, pa.table({"ward22_code": ["E05000001"], "visits": [3]}), {"ingested_at": "2026-12-01"}
            )
        )
        return self.serve(self.state)

    def blocking(self, fn):
        """Run a blocking call (the kernel's requests client) while this test's IOLoop serves it."""

        async def run():
            import asyncio

            return await asyncio.get_running_loop().run_in_executor(None, fn)

        return self.io_loop.run_sync(run, timeout=60)

    def test_a_read_carries_licence_attribution_and_version_in_its_headers(self):
        meta = self.state.metadata(NAME)
        response = self.fetch(f"{PREFIX}api/datasets/{NAME}/data", headers={"Authorization": "token analyst1-token"})
        assert response.code == 200, response.body
        assert unquote(response.headers["Commons-Licence"]) == meta.licence
        assert unquote(response.headers["Commons-Attribution"]) == meta.attribution
        assert response.headers["Commons-Version"] == "1" and response.headers["Commons-Tier"] == "community"
        assert all(value.isascii() for value in response.headers.values())

    def test_ck_read_makes_one_request_and_keeps_the_frame_attrs(self):
        meta = self.state.metadata(NAME)
        seen = []
        client = DataApiClient(self.get_url(PREFIX), "analyst1-token")
        client.session.hooks["response"].append(lambda response, **_: seen.append(response.request.path_url))
        saved, api.client = api.client, lambda: client
        try:
            frame = self.blocking(lambda: api.read(NAME))
        finally:
            api.client = saved
        assert seen == [f"{PREFIX}api/datasets/{NAME}/data?format=arrow"]
        assert frame.attrs == {
            "name": NAME,
            "version": 1,
            "licence": meta.licence,
            "attribution": meta.attribution,
            "title": meta.title,
            "tier": "community",
            "synthetic": bool(meta.synthetic),
        }
        assert frame["visits"].tolist() == [3]


def test_headers_round_trip_any_script_and_are_latin1_safe():
    info = {
        "version": 7,
        "licence": "OGL v3.0",
        "attribution": "© Crown copyright — Llywodraeth Cymru, 東京 & co",
        "title": "Visits, 2024/25",
        "tier": "restricted",
        "synthetic": True,
    }
    headers = read_headers.encode(info)
    assert all(value.encode("latin-1") and value.isascii() for value in headers.values())
    assert read_headers.decode(headers) == info
    assert read_headers.decode({}) == {}
