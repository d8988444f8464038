"""In a real kernel of a real user server: a refused read shows as a few lines with the advice that fits the
person (no traceback), other errors keep their traceback, and the governance calls the docs promise work on ck."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from commons_hub.governance.projects import DEMO_PROJECT
from tests.integration.governance_client import unique

pytestmark = pytest.mark.integration

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def shown(out: dict) -> str:
    """The error as the notebook shows it: its traceback lines, without colour codes."""
    return ANSI.sub("", "\n".join(out["traceback"]))


def test_a_denial_in_a_notebook_is_short_names_your_project_and_has_no_traceback(hub):
    hub.spawn("analyst1")
    out = hub.execute(
        "analyst1",
        """
def my_analysis():
    return ck.read("synthetic_referrals")
my_analysis()
""",
    )
    assert out["error"] and out["error"].startswith("AccessDenied:"), out
    text = shown(out)
    assert len(text.splitlines()) < 6, text
    assert f"project='{DEMO_PROJECT}'" in text and "Next step:" in text, text
    assert "propose_project" not in text, text  # analyst1 is in the project: no need to propose
    for trace in ("Traceback", 'File "', "---->", "my_analysis", "client.py", "raise "):
        assert trace not in text, f"{trace!r} in {text}"


def test_someone_in_no_listing_project_is_told_which_projects_list_it(hub):
    projects = hub.data_api("api/projects", user="checker").json()
    listing = [p["slug"] for p in projects if "synthetic_referrals" in p["datasets"] and p["active"]]
    in_one = [
        slug
        for slug in listing
        if any(m["username"] == "checker" for m in next(p for p in projects if p["slug"] == slug)["members"])
    ]
    body = hub.data_api(
        "api/datasets/synthetic_referrals/data", user="checker", params={"purpose": "integration test of advice"}
    ).json()
    assert body["error"] == "access-denied" and body["why"] == "no-project-named"
    assert body["projects_listing"] == listing and DEMO_PROJECT in listing
    if in_one:  # another test of this session made checker a member of one
        assert body["advice"] == "name-your-project" and f"project='{in_one[0]}'" in body["how_to_get_access"]
    else:
        assert body["advice"] == "join-or-propose"
        assert f"ck.propose_member('{listing[0]}', 'checker')" in body["how_to_get_access"]
        assert "ck.propose_project(" in body["how_to_get_access"]


def test_other_errors_keep_their_traceback_and_show_traceback_prints_a_commons_ones(hub):
    hub.spawn("analyst1")
    plain = hub.execute("analyst1", "def parse():\n    return int('x')\nparse()")
    assert plain["error"].startswith("ValueError") and "int('x')" in shown(plain) and "parse()" in shown(plain)
    asked = hub.execute(
        "analyst1",
        """
try:
    get_ipython().run_cell("ck.read('imd2019_lsso11')")
finally:
    ck.show_traceback()
""",
    )
    assert "DatasetNotFound" in asked["stdout"] and "client.py" in asked["stdout"], asked


def test_the_governance_calls_the_docs_promise_work_on_ck(hub):
    hub.spawn("analyst1")
    end = (date.today() + timedelta(days=90)).isoformat()
    title = f"Kernel proposal {unique('k')}"
    out = hub.execute(
        "analyst1",
        f"""
proposal = ck.propose_project(title={title!r}, purpose="Plan outreach with referral counts.",
                              public_benefit="Earlier help for families.", datasets=["synthetic_referrals"],
                              end_date={end!r})
open_ = ck.proposals(status="open")
print("proposed", proposal["id"], proposal["status"], proposal["id"] in set(open_["id"]))
print("contributions", type(ck.contributions()).__name__)
try:
    ck.vote(proposal["id"], "approve")
except ck.CommonsError as exc:
    print("own vote:", type(exc).__name__)
""",
    )
    assert out["error"] is None, out
    assert re.search(r"proposed \d+ open True", out["stdout"]), out
    assert "contributions DataFrame" in out["stdout"] and "own vote: GovernanceError" in out["stdout"], out
