"""Rules that the people they bind cannot loosen: a contributor's own disclosure thresholds are a request (only
stricter values apply, after a steward's approval), and metadata web addresses are http(s) only."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from commons_hub.audit import AuditLog
from commons_hub.db import engine
from commons_hub.governance import contributions
from commons_hub.policy import Caller
from commons_hub.store import Store
from commons_kernel.catalog import load_metadata, parse_metadata
from commons_kernel.exceptions import ValidationFailed
from commons_kernel.standard import validate
from commons_kernel.standard.metadata_checks import is_web_url
from commons_kernel.upload_checks import check_upload

pytestmark = pytest.mark.unit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bad_uploads"
GOOD = (FIXTURES / "good.csv").read_bytes()
SMALL = b"ward22_code,month,visits\nE05000910,2022-01,1\nE05000911,2022-01,6\nE05000912,2022-02,18\n"
ANALYST = Caller("analyst1", groups=frozenset({"members"}))
STEWARD = Caller("steward", groups=frozenset({"members", "stewards"}))


def metadata(**changes) -> dict:
    return {**yaml.safe_load((FIXTURES / "metadata.yaml").read_text()), **changes}


def issues(report, code: str) -> list:
    return [issue for issue in [*report.errors, *report.warnings] if issue.code == code]


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMONS_HOME", str(tmp_path))
    eng = engine(f"sqlite:///{tmp_path / 'governance.sqlite'}")
    return SimpleNamespace(
        eng=eng, store=Store(tmp_path), audit=AuditLog(eng, anchor=tmp_path / "audit.anchor"), catalogue=load_metadata()
    )


def test_a_contributors_threshold_of_1_does_not_let_counts_of_1_to_6_into_the_open_tier():
    with pytest.raises(ValidationFailed) as caught:
        check_upload(SMALL, "visits.csv", "open", metadata=metadata(disclosure={"threshold": 1}))
    report = caught.value.report
    small = issues(report, "small-cell")
    assert [(i.line, i.severity) for i in small] == [(2, "error"), (3, "error")]
    assert "below 10" in small[0].message
    looser = issues(report, "disclosure-looser")
    assert [i.severity for i in looser] == ["warning"]
    assert looser[0].message == "requested threshold 1: looser than the commons' 10, ignored"


def test_a_stricter_request_is_not_a_warning_and_applies_to_the_upload_check():
    with pytest.raises(ValidationFailed) as caught:
        check_upload(GOOD, "visits.csv", "open", metadata=metadata(disclosure={"threshold": 20}))
    report = caught.value.report
    assert not issues(report, "disclosure-looser")
    assert [i.line for i in issues(report, "small-cell")] == [4]  # 18 < 20


def test_an_invalid_disclosure_block_is_a_metadata_error_naming_the_field():
    report = validate(FIXTURES / "good.csv", metadata(disclosure={"treshold": 20}), "open")
    bad = issues(report, "bad-disclosure")
    assert bad and "treshold" in bad[0].message and bad[0].severity == "error"


def test_the_request_is_shown_with_the_contribution_and_approval_keeps_only_stricter_values(env):
    meta = metadata(disclosure={"threshold": 1, "dof": 25})
    record = contributions.submit(
        ANALYST, GOOD, "good.csv", meta, store=env.store, eng=env.eng, audit=env.audit, catalogue=env.catalogue
    )
    messages = [item["message"] for item in record["disclosure_request"]]
    assert messages == [
        "requested threshold 1: looser than the commons' 10, ignored",
        "requested dof 25: stricter than the commons' 10, applies once a steward approves it",
    ]
    assert [item["applies"] for item in record["disclosure_request"]] == [False, True]
    contributions.approve(STEWARD, record["id"], "ok", store=env.store, eng=env.eng, audit=env.audit)
    published = parse_metadata(
        env.store.root / "foodbank_visits_ward22" / "metadata.yaml", expected_name="foodbank_visits_ward22"
    )
    assert published.disclosure == {"dof": 25}
    listed = contributions.list_contributions(env.eng)[0]
    assert json.dumps(listed["disclosure_request"])  # the JSON answer carries it


def test_the_approval_page_shows_the_request_escaped():
    from tornado.template import Loader

    folder = Path(contributions.__file__).parents[1] / "services" / "data_api" / "templates"
    record = {
        "id": 1,
        "title": "t",
        "dataset": "d",
        "tier": "open",
        "licence": "OGL-UK-3.0",
        "rows": 3,
        "filename": "f.csv",
        "score": 99,
        "organisation": "Org",
        "contributor": "analyst1",
        "disclosure_request": [{"message": "requested threshold 1: looser than the commons' 10, ignored <b>"}],
    }
    page = (
        Loader(str(folder))
        .load("contributions.html")
        .generate(
            pending=[record],
            mine=[],
            steward=True,
            caller=STEWARD,
            error=None,
            done=None,
            prefix="/p/",
            xsrf_form_html=lambda: "",
            static_url=lambda path: path,
            request=None,
            handler=None,
            _tt_modules=SimpleNamespace(xsrf_form_html=lambda: ""),
            title="",
        )
    )
    text = page.decode()
    assert "requested threshold 1: looser than the commons&#x27; 10, ignored &lt;b&gt;" in text


@pytest.mark.parametrize(
    "value, ok",
    [
        ("https://www.ons.gov.uk/x", True),
        ("http://example.org", True),
        ("HTTPS://EXAMPLE.ORG/a?b=c", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        (" javascript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("file:///etc/passwd", False),
        ("//evil.example", False),
        ("/relative", False),
        ('https://a.example/"onmouseover=x', False),
        ("", False),
    ],
)
def test_web_addresses_are_http_or_https_only(value, ok):
    assert is_web_url(value) is ok


@pytest.mark.parametrize(
    "field, value",
    [
        ("licence_url", "javascript:alert(document.cookie)"),
        ("contact", "javascript:alert(1)"),
        ("source", {"official_url": "data:text/html,<script>alert(1)</script>"}),
    ],
)
def test_a_metadata_url_that_is_not_http_is_an_error(field, value):
    report = validate(FIXTURES / "good.csv", metadata(**{field: value}), "open")
    bad = issues(report, "bad-url")
    assert bad and bad[0].severity == "error" and "http" in bad[0].message


@pytest.mark.parametrize(
    "url, linked",
    [
        ("https://www.nationalarchives.gov.uk/doc/open-government-licence/", True),
        ("javascript:alert(document.cookie)", False),
        ("data:text/html,<script>alert(1)</script>", False),
    ],
)
def test_the_register_links_a_licence_only_when_its_address_is_http(url, linked):
    from tornado.template import Loader

    from commons_hub.services.register import app as register_app

    value = {
        "title": "T",
        "withdrawn": False,
        "description": "d",
        "name": "n",
        "tier": "open",
        "licence": "OGL-UK-3.0",
        "licence_url": url,
        "publisher": "p",
        "attribution": "a",
        "owner": None,
        "contributed_by": None,
        "quality_score": None,
        "projects": [],
        "versions": [],
        "uses": [],
        "contributions": [],
    }
    loader = Loader(str(Path(register_app.__file__).parent / "templates"))
    try:
        page = (
            loader.load("dataset.html")
            .generate(
                value=value,
                title="T",
                prefix="/services/register/",
                json_path=None,
                walls_note=None,
                chain={"ok": True, "head": None, "first_bad_id": None, "reason": ""},
            )
            .decode()
        )
    except KeyError as missing:  # the page grew a field: say which, rather than pass without rendering
        raise AssertionError(f"add {missing} to the test's dataset value") from None
    assert ('<a href="' in page.split("Licence</th>")[1].split("</tr>")[0]) is linked
    assert "javascript:" not in page.split("Licence</th>")[1].split("</tr>")[0] or not linked
