"""Release errors over HTTP take the one error table's path: the data-api's release routes answer every refusal
with the exception's own code and status (base.as_api_error, no mapping of their own), and ck's release calls
raise the same exception again by its code. Real tornado app, real HTTP, the kernel's real client; a test double
of HubOAuth maps tokens to people (the hub itself is tested in tests/integration/test_releases.py)."""

from __future__ import annotations

import asyncio
import json
import pickle
import tempfile
from pathlib import Path

import pytest
from jupyterhub.services.auth import HubOAuth
from tornado.testing import AsyncHTTPTestCase

import commons_kernel.api as api
from commons_hub.services.data_api.app import make_app
from commons_hub.services.data_api.base import BaseHandler
from commons_hub.services.data_api.state import ServiceState
from commons_kernel.client import DataApiClient
from commons_kernel.exceptions import AccessDenied, DisclosureRisk, GovernanceError, ReleaseNotFound, for_code
from commons_kernel.releases import _call, describe_release, download_release, review_release
from tests.unit.test_releases_service import PROJECT, approved_project
from tests.unit.test_releases_service import payload as request_body

pytestmark = pytest.mark.unit

PREFIX = "/services/data-api/"
CATALOG = Path(__file__).resolve().parents[2] / "catalog"
USERS = {
    name: {"name": name, "kind": "user", "groups": groups, "scopes": []}
    for name, groups in {
        "analyst1": ["members"],
        "analyst2": ["members"],
        "checker": ["members", "checkers"],
        "checker2": ["members", "checkers"],
    }.items()
}


class TokenTableAuth(HubOAuth):
    """HubOAuth whose hub is a dict: the token is the user's name (tests only)."""

    def user_for_token(self, token, use_cache=True, session_id="", *, sync=True):
        model = USERS.get(token)
        if sync:
            return model

        async def answer():
            return model

        return answer()

    def _get_token_cookie(self, handler):
        return None


class ReleaseErrorsCase(AsyncHTTPTestCase):
    def get_app(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        home = Path(folder.name)
        self.state = ServiceState(home, CATALOG, f"sqlite:///{home / 'governance.sqlite'}")
        approved_project(self.state.engine, {"analyst1": "Council", "checker": "Checkers"})
        self.auth = TokenTableAuth(api_token="unused", api_url="http://127.0.0.1:9/hub/api", access_scopes=set())
        self._saved_auth, BaseHandler._hub_auth = BaseHandler._hub_auth, self.auth
        return make_app(self.state, PREFIX)

    def tearDown(self):
        BaseHandler._hub_auth = self._saved_auth
        super().tearDown()
        self.auth._pool.submit(self.auth._thread_loop.close).result()
        self.auth._pool.shutdown()

    def call(self, path: str, user: str = "analyst1", body: dict | None = None):
        response = self.fetch(
            PREFIX + path,
            method="GET" if body is None else "POST",
            body=None if body is None else json.dumps(body),
            headers={"Authorization": f"token {user}"},
            raise_error=False,
        )
        return response.code, json.loads(response.body) if response.body else None

    def as_kernel(self, user: str, fn):
        """Run ``fn`` as ``user``'s kernel would: ck's release calls through the real client, off this IOLoop."""
        client = DataApiClient(self.get_url(PREFIX), user)
        saved, api.client = api.client, lambda: client

        async def run():
            def call():
                try:
                    return fn()
                except Exception as exc:  # noqa: BLE001 - the test looks at what came back
                    return exc

            return await asyncio.get_running_loop().run_in_executor(None, call)

        try:
            return self.io_loop.run_sync(run, timeout=60)
        finally:
            api.client = saved

    def test_no_such_release_or_file_is_404_release_not_found_with_its_fields(self):
        status, body = self.call("api/releases/999")
        assert (status, body["error"]) == (ReleaseNotFound.status, ReleaseNotFound.code) == (404, "release-not-found")
        assert body["release"] == 999 and body["file"] is None
        assert body["reason"] == str(ReleaseNotFound(999))
        status, asked = self.call("api/releases", body=request_body())
        assert status == 201, asked
        status, body = self.call(f"api/releases/{asked['id']}/files/secrets.json", user="checker")
        assert (status, body["error"], body["release"], body["file"]) == (
            404,
            "release-not-found",
            asked["id"],
            "secrets.json",
        )

    def test_ck_gets_release_not_found_back_by_its_code(self):
        missing = self.as_kernel("analyst1", lambda: describe_release(999))
        assert type(missing) is ReleaseNotFound and missing.release_id == 999 and missing.name is None
        assert str(missing) == "No release 999. List the releases you can see with ck.releases()."
        missing = self.as_kernel("checker", lambda: review_release(999, "approve", "fine"))
        assert type(missing) is ReleaseNotFound and missing.release_id == 999

    def test_refusals_answer_with_the_status_and_code_of_the_table(self):
        status, body = self.call("api/releases", user="analyst2", body=request_body())
        assert (status, body["error"]) == (403, "access-denied") and "not a member of project" in body["reason"]
        assert body["dataset"] == f"project {PROJECT}" and body["how_to_get_access"]
        status, body = self.call("api/releases", body=request_body(counts=(38, 3, 102)))
        assert (status, body["error"]) == (DisclosureRisk.status, DisclosureRisk.code)
        status, asked = self.call("api/releases", body=request_body())
        status, body = self.call(f"api/releases/{asked['id']}/files/note.txt")
        assert (status, body["error"]) == (GovernanceError.status, GovernanceError.code) == (409, "not-allowed-now")
        assert "once two checkers" in body["reason"]
        status, body = self.call(f"api/releases/{asked['id']}/reviews", user="checker", body={"decision": "reject"})
        assert (status, body["error"]) == (422, "validation-failed") and "Say why" in body["reason"]

    def test_ck_raises_the_refusals_again_in_the_data_apis_words(self):
        small = request_body(counts=(38, 3, 102))
        refused = self.as_kernel("analyst1", lambda: _call("POST", "api/releases", small))
        assert type(refused) is DisclosureRisk and str(refused).startswith("The data-api's own checks fail 1 output")
        asked = self.as_kernel("analyst1", lambda: _call("POST", "api/releases", request_body()))
        early = self.as_kernel("analyst1", lambda: download_release(asked["id"], "unused"))
        assert type(early) is GovernanceError and str(early).startswith(f"release {asked['id']} is pending")
        outsider = self.as_kernel("analyst2", lambda: describe_release(asked["id"]))
        assert type(outsider) is AccessDenied and outsider.name == f"release {asked['id']}"

    def page(self, path: str, user: str) -> tuple[int, str]:
        response = self.fetch(PREFIX + path, headers={"Authorization": f"token {user}"}, raise_error=False)
        return response.code, response.body.decode()

    def test_the_release_page_offers_the_review_form_by_the_review_rule(self):
        asked = self.call("api/releases", user="checker", body=request_body())[1]  # a checker's own request
        status, other = self.page(f"releases/{asked['id']}", user="checker2")
        assert status == 200 and 'id="review-heading"' in other
        assert "the first 3 of 3 rows" in other  # checkers see the rows (the download rule), audited
        status, own = self.page(f"releases/{asked['id']}", user="checker")
        assert status == 200 and 'id="review-heading"' not in own and "Two output checkers other than you" in own
        status, outsider = self.page(f"releases/{asked['id']}", user="analyst2")
        assert status == 403 and "not one of its members" in outsider
        status, missing = self.page("releases/999", user="checker2")
        assert status == 404 and "No release 999." in missing
        self.call(f"api/releases/{asked['id']}/reviews", user="checker2", body={"decision": "reject", "comment": "no"})
        status, decided = self.page(f"releases/{asked['id']}", user="checker2")
        assert status == 200 and 'id="review-heading"' not in decided  # no longer pending
        status, listing = self.page("releases", user="checker2")
        assert status == 200 and "As a checker you see every release" in listing


def test_release_not_found_is_in_the_one_table_and_survives_pickling():
    assert for_code("release-not-found") is ReleaseNotFound
    again = pickle.loads(pickle.dumps(ReleaseNotFound(3, "note.txt")))
    assert (type(again), again.release_id, again.name) == (ReleaseNotFound, 3, "note.txt")
    assert str(again) == "Release 3 has no file 'note.txt'; ck.describe_release(3) lists its files."
    assert (again.headline, again.advice) == (
        "Release 3 has no file 'note.txt'.",
        "ck.describe_release(3) lists its files.",
    )
