"""The governance pages (Commons, propose, propose-member, a proposal in full, the veto confirm) on the real tornado
app over a temporary state; a test double of HubOAuth maps tokens to users (token requests skip XSRF; the hub
login, cookies and XSRF are tested in tests/integration/test_governance_pages.py)."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pyarrow as pa
import pytest
from jupyterhub.services.auth import HubOAuth
from tornado.testing import AsyncHTTPTestCase

from commons_hub.governance import decisions
from commons_hub.services.data_api.app import make_app
from commons_hub.services.data_api.base import BaseHandler
from commons_hub.services.data_api.routes.commons_pages import parse_members
from commons_hub.services.data_api.state import ServiceState

pytestmark = pytest.mark.unit

PREFIX = "/services/data-api/"
CATALOG = Path(__file__).resolve().parents[2] / "catalog"
END = (date.today() + timedelta(days=90)).isoformat()
USERS = {
    name: {"name": name, "kind": "user", "groups": groups, "scopes": []}
    for name, groups in {
        "analyst1": ["members"],
        "analyst2": ["members"],
        "checker": ["members"],
        "checker2": ["members"],
        "steward": ["members", "stewards", "demo-council-owners"],
        "visitor": [],
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


class PagesCase(AsyncHTTPTestCase):
    def get_app(self):
        import tempfile

        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.home = Path(folder.name)
        self.state = ServiceState(self.home, CATALOG, f"sqlite:///{self.home / 'governance.sqlite'}")
        for name in ("imd2019_lsoa11", "synthetic_referrals"):
            table = pa.table({"lsoa11_code": ["E01006512"]})
            self.state.store.commit(self.state.store.stage(name, table, {"ingested_at": "2026-12-01"}))
        auth = TokenTableAuth(api_token="unused", api_url="http://127.0.0.1:9/hub/api", access_scopes=set())
        self._saved_auth, self.auth = BaseHandler._hub_auth, auth
        BaseHandler._hub_auth = auth
        return make_app(self.state, PREFIX)

    def tearDown(self):
        BaseHandler._hub_auth = self._saved_auth
        super().tearDown()
        self.auth._pool.submit(self.auth._thread_loop.close).result()
        self.auth._pool.shutdown()

    def page(self, path: str, user: str = "analyst1", form: dict | list | None = None):
        kwargs = {"method": "GET"} if form is None else {"method": "POST", "body": urlencode(form, doseq=True)}
        return self.fetch(
            PREFIX + path,
            headers={"Authorization": f"token {user}"},
            raise_error=False,
            follow_redirects=False,
            **kwargs,
        )

    def project_form(self, **changes) -> dict:
        form = {
            "title": "Referrals and deprivation",
            "purpose": "Plan outreach where referrals rise.",
            "public_benefit": "Earlier help for families.",
            "datasets": ["synthetic_referrals", "imd2019_lsoa11"],
            "members": "analyst1\nanalyst2: Sefton CVS",
            "end_date": END,
            "start_date": "",
            "slug": "",
            "organisation": "",
        }
        form.update(changes)
        return form

    def propose(self, **changes) -> int:
        response = self.page("propose", form=self.project_form(**changes))
        assert response.code == 303, response.body
        return int(re.search(r"decisions/(\d+)\?proposed=1", response.headers["Location"]).group(1))

    def test_propose_form_stores_the_proposal_and_audits_it_like_the_api(self):
        ident = self.propose()
        shown = decisions.proposal(ident, self.state.engine)
        assert shown["status"] == "open" and shown["proposer"] == "analyst1"
        entry = [e for e in self.state.audit.entries() if e["action"] == "propose"][-1]
        detail = json.loads(entry["detail"]) if isinstance(entry["detail"], str) else entry["detail"]
        assert detail["datasets"] == ["imd2019_lsoa11", "synthetic_referrals"]
        assert detail["members"] == ["analyst1", "analyst2"]
        page = self.page(f"decisions/{ident}?proposed=1", user="checker").body.decode()
        assert "Your proposal is open for votes" in page
        for text in (
            "Plan outreach where referrals rise.",
            "Earlier help for families.",
            "synthetic_referrals",
            "restricted",
            "analyst2 (Sefton CVS)",
            f"until {END}",
            "Votes: 0 of the 3 needed",
            "Steward votes: 0 of the 1 needed",
            "demo-council-owners) has not voted",
        ):
            assert text in page, text
        assert 'name="choice" value="approve"' in page
        assert "Your reject is a veto" not in page  # checker does not speak for the owner

    def test_refusal_is_shown_beside_its_field_with_what_was_typed(self):
        response = self.page("propose", form=self.project_form(end_date="2020-01-01", purpose="Keep <this>"))
        assert response.code == 409
        page = response.body.decode()
        assert re.search(r'<p class="field-error" id="end_date-error">The end date must be after today', page)
        assert 'aria-invalid="true"' in page and "Keep &lt;this&gt;" in page
        none = self.page("propose", form=self.project_form(datasets=[])).body.decode()
        assert 'id="datasets-error">Name the datasets' in none

    def test_outsider_cannot_propose_and_the_refusal_is_audited(self):
        response = self.page("propose", user="visitor", form=self.project_form())
        assert response.code == 403 and "not a member of the cooperative" in response.body.decode()
        assert [e["action"] for e in self.state.audit.entries()][-1] == "deny"
        assert not decisions.list_proposals(self.state.engine)

    def test_owner_steward_is_warned_and_must_confirm_a_veto(self):
        ident = self.propose()
        page = self.page(f"decisions/{ident}", user="steward").body.decode()
        assert "Your reject is a veto: it ends this proposal." in page
        first = self.page(f"decisions/{ident}", user="steward", form={"choice": "reject", "comment": "no"})
        assert first.code == 200 and "Confirm your veto" in first.body.decode()
        assert decisions.proposal(ident, self.state.engine)["votes"] == []  # nothing counted yet
        done = self.page(
            f"decisions/{ident}", user="steward", form={"choice": "reject", "comment": "no", "confirm": "veto"}
        )
        assert done.code == 200 and "It is now rejected" in done.body.decode()

    def test_commons_page_lists_what_awaits_the_vote_and_membership_form(self):
        ident = self.propose()
        awaiting = self.page("commons", user="checker").body.decode()
        assert f'href="{PREFIX}decisions/{ident}"' in awaiting
        mine = self.page("commons", user="analyst1").body.decode()
        assert "Nothing waits for your vote." in mine and f"Proposal {ident}" in mine  # own proposal, not to vote
        named = self.page(f"decisions/{ident}", user="analyst2").body.decode()
        assert "You cannot vote on this proposal" in named  # a member of the project it asks for
        for user in ("checker", "checker2", "steward"):
            self.page(f"decisions/{ident}", user=user, form={"choice": "approve"})
        assert decisions.proposal(ident, self.state.engine)["status"] == "approved"
        add = self.page(
            "propose-member",
            user="checker",
            form={"project": "referrals-and-deprivation", "change": "add", "username": "analyst1"},
        )
        assert add.code == 409 and 'id="username-error">analyst1 is already a member' in add.body.decode()


def test_members_box_reads_names_and_organisations():
    assert parse_members("a1\n\n b2 : Sefton CVS \n") == {"a1": "", "b2": "Sefton CVS"}
    assert parse_members("  \n") is None
