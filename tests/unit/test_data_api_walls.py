"""The data-api's web safety and read rules, on the real tornado app over a temporary state (no hub: a test
double of HubOAuth maps tokens to users). XSRF is skipped only for a valid token; a read names only a project
the caller is in; a purpose has real words; a failed read is JSON (a 5xx with an error id) and a deny entry."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pyarrow as pa
import pytest
from jupyterhub.services.auth import HubOAuth
from tornado.testing import AsyncHTTPTestCase

from commons_hub.governance.projects import create_project
from commons_hub.services.data_api.app import make_app
from commons_hub.services.data_api.base import BaseHandler
from commons_hub.services.data_api.state import ServiceState

pytestmark = pytest.mark.unit

PREFIX = "/services/data-api/"
CATALOG = Path(__file__).resolve().parents[2] / "catalog"
USERS = {
    "analyst1-token": {"name": "analyst1", "kind": "user", "groups": ["members"], "scopes": []},
    "analyst2-token": {"name": "analyst2", "kind": "user", "groups": ["members"], "scopes": []},
}
READ = f"{PREFIX}api/datasets/imd2019_lsoa11/data"
GOOD_PURPOSE = urlencode({"purpose": "weekly demand by borough for the outreach plan"})


class TokenTableAuth(HubOAuth):
    """HubOAuth whose hub is a dict: a token in USERS is valid, any other is not (tests only)."""

    def user_for_token(self, token, use_cache=True, session_id="", *, sync=True):
        model = USERS.get(token)
        if sync:
            return model

        async def answer():
            return model

        return answer()

    def _get_token_cookie(self, handler):
        return None  # no cookies in these tests: the hub login is tested at integration level


class TableAuthApp:
    """For an AsyncHTTPTestCase: the real data-api app over a fresh state directory, its hub a token table (USERS)
    in place of HubAuth's, restored and closed with the test."""

    def temporary_home(self) -> Path:
        import tempfile

        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)  # type: ignore[attr-defined]
        return Path(folder.name)

    def serve(self, state: ServiceState):
        self.auth = TokenTableAuth(api_token="unused", api_url="http://127.0.0.1:9/hub/api", access_scopes=set())
        self._saved_auth = BaseHandler._hub_auth
        BaseHandler._hub_auth = self.auth
        return make_app(state, PREFIX)

    def tearDown(self):
        BaseHandler._hub_auth = self._saved_auth
        super().tearDown()  # type: ignore[misc]
        # HubAuth runs its blocking calls on a private thread and loop: close them with the test.
        self.auth._pool.submit(self.auth._thread_loop.close).result()
        self.auth._pool.shutdown()


class DataApiCase(TableAuthApp, AsyncHTTPTestCase):
    def get_app(self):
        self.home = self.temporary_home()
        self.state = ServiceState(self.home, CATALOG, f"sqlite:///{self.home / 'governance.sqlite'}")
        table = pa.table(
            {"lsoa11_code": ["E01006512", "E01006513"], "lsoa11_name": ["Liverpool 060A", "Liverpool 060B"]}
        )
        self.state.store.commit(self.state.store.stage("imd2019_lsoa11", table, {"ingested_at": "2026-12-01"}))
        create_project(
            "early-help-demand",
            "Early help",
            "Plan outreach",
            "analyst1",
            date.today() + timedelta(days=90),
            datasets=["imd2019_lsoa11"],
            members={"analyst1": "Demo"},
            status="approved",
            eng=self.state.engine,
        )
        return self.serve(self.state)

    def call(self, path: str, method: str = "GET", token: str | None = "analyst1-token", headers=None, **kwargs):
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = f"token {token}"
        return self.fetch(path, method=method, headers=headers, raise_error=False, **kwargs)

    def entries(self) -> list[dict]:
        return list(self.state.audit.entries())

    # XSRF ------------------------------------------------------------------------------------------------
    def test_a_non_token_authorization_header_does_not_skip_the_xsrf_check(self):
        vote = f"{PREFIX}api/proposals/1/votes"
        body = json.dumps({"choice": "approve"})
        basic = self.call(
            vote, "POST", token=None, headers={"Authorization": "Basic YW5hbHlzdDE6cGFzc3dvcmQ="}, body=body
        )
        assert basic.code == 403 and "_xsrf" in json.loads(basic.body)["reason"]
        for header in ("token not-a-real-token", "Bearer forged"):
            response = self.call(vote, "POST", token=None, headers={"Authorization": header}, body=body)
            assert response.code == 401, (header, response.code)
            assert json.loads(response.body)["error"] == "not-authenticated"

    def test_a_valid_token_needs_no_xsrf_token(self):
        response = self.call(f"{PREFIX}api/proposals/1/votes", "POST", body=json.dumps({"choice": "approve"}))
        assert response.code == 409 and "no proposal 1" in json.loads(response.body)["reason"]

    # projects and purposes ------------------------------------------------------------------------------
    def test_naming_a_project_you_are_not_in_is_refused_for_open_data_and_audited(self):
        response = self.call(f"{READ}?project=early-help-demand&{GOOD_PURPOSE}", token="analyst2-token")
        assert response.code == 403
        assert "analyst2 is not a member of project 'early-help-demand'" in json.loads(response.body)["reason"]
        denied = self.entries()[-1]
        assert (denied["action"], denied["actor"], denied["project"]) == ("deny", "analyst2", "early-help-demand")
        assert json.loads(denied["detail"])["rule"] == "project-member"
        assert not [e for e in self.entries() if e["action"] == "read"]

    def test_a_member_names_their_project_and_a_non_member_reads_without_one(self):
        assert self.call(f"{READ}?project=early-help-demand&{GOOD_PURPOSE}").code == 200
        assert self.call(READ, token="analyst2-token").code == 200
        reads = [e for e in self.entries() if e["action"] == "read"]
        assert [(e["actor"], e["project"]) for e in reads] == [("analyst1", "early-help-demand"), ("analyst2", None)]

    def test_a_purpose_without_real_words_is_refused_with_a_teaching_message(self):
        for purpose in (".", "\u200b", "x y", "test", "..  --  !!", "a1 b2 c3"):
            response = self.call(f"{READ}?{urlencode({'purpose': purpose})}")
            assert response.code == 403, purpose
            reason = json.loads(response.body)["reason"]
            assert "at least 3 words" in reason and "purpose=" in reason
        assert "an invisible character" in json.loads(self.call(f"{READ}?purpose=%E2%80%8B").body)["reason"]
        denied = [e for e in self.entries() if e["action"] == "deny"]
        assert len(denied) == 7 and {json.loads(e["detail"])["rule"] for e in denied} == {"purpose"}

    def test_three_real_words_in_any_script_or_width_pass(self):
        for purpose in ("map food bank visits", "ｍａｐ ｆｏｏｄ ｖｉｓｉｔｓ", "carte des visites"):
            assert self.call(f"{READ}?{urlencode({'purpose': purpose})}").code == 200, purpose

    # failures ------------------------------------------------------------------------------------------
    def test_an_internal_error_is_json_with_an_error_id_logged_and_audited(self):
        # Bytes whose hash the manifest lists (so the integrity check passes) but that are no Parquet file.
        self.state.store.parquet_path("imd2019_lsoa11").write_bytes(b"not parquet at all")
        self.state.store.update_manifest(
            "imd2019_lsoa11",
            lambda m: m["versions"][-1].update(sha256=hashlib.sha256(b"not parquet at all").hexdigest()),
        )
        with self.assertLogs("commons.data_api", level="ERROR") as logged:
            response = self.call(f"{READ}?format=csv&{GOOD_PURPOSE}")
        assert response.code == 500 and response.headers["Content-Type"].startswith("application/json")
        body = json.loads(response.body)
        assert body["error"] == "internal-error" and len(body["error_id"]) == 12
        assert body["error_id"] in body["reason"]
        assert any(body["error_id"] in line and "Traceback" in line for line in logged.output)
        denied = self.entries()[-1]
        detail = json.loads(denied["detail"])
        assert (denied["action"], denied["outcome"], denied["actor"], denied["dataset"]) == (
            "deny",
            "error",
            "analyst1",
            "imd2019_lsoa11",
        )
        assert detail["error_id"] == body["error_id"] and detail["status"] == 500
        assert self.state.audit.verify().ok

    def test_a_stored_file_that_does_not_match_its_manifest_is_refused_and_audited(self):
        for suffix, query in [(".arrow", ""), (".parquet", "&format=csv")]:  # the as-is path and the decoded one
            path = self.state.store.parquet_path("imd2019_lsoa11").with_suffix(suffix)
            original = path.read_bytes()
            path.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))  # one bit changed on disk
            try:
                response = self.call(f"{READ}?{GOOD_PURPOSE}{query}")
            finally:
                path.write_bytes(original)
            assert response.code == 403, response.body
            assert "failed its integrity check" in json.loads(response.body)["reason"]
            denied = self.entries()[-1]
            detail = json.loads(denied["detail"])
            assert (denied["action"], denied["outcome"], denied["dataset"]) == ("deny", "denied", "imd2019_lsoa11")
            assert detail["rule"] == "integrity" and path.name in detail["reason"]
            assert detail["actual_sha256"] != detail["expected_sha256"]
        assert self.call(f"{READ}?{GOOD_PURPOSE}").code == 200  # restored bytes: served again
        assert self.state.audit.verify().ok

    def test_a_bad_read_request_leaves_a_deny_entry(self):
        response = self.call(f"{READ}?columns=no_such_column")
        assert response.code == 400 and "no_such_column" in json.loads(response.body)["reason"]
        denied = self.entries()[-1]
        assert (denied["action"], denied["dataset"]) == ("deny", "imd2019_lsoa11")
        assert "no_such_column" in json.loads(denied["detail"])["reason"]
