"""What the review pages show, without a server: a pending contribution's first rows with the columns the
personal-data scan flagged masked (checked and audited first), and a release file's disclosure report by rule."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml

from commons_hub.audit import AuditLog
from commons_hub.db import engine
from commons_hub.governance import contributions
from commons_hub.governance.contribution_preview import MASK, flagged_columns, preview_contribution, submitted_metadata
from commons_hub.governance.permissions import NotPermitted
from commons_hub.policy import Caller
from commons_hub.releases.review import rule_results
from commons_hub.store import Store
from commons_kernel.catalog import load_metadata
from commons_kernel.disclosure import resolve_thresholds
from commons_kernel.disclosure.rules import table_rules
from commons_kernel.release_outputs import check_file
from commons_kernel.releases import to_outputs

pytestmark = pytest.mark.unit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bad_uploads"
ANALYST = Caller("analyst1", groups=frozenset({"members"}))
OTHER = Caller("analyst2", groups=frozenset({"members"}))
STEWARD = Caller("steward", groups=frozenset({"members", "stewards"}))
CONTACTS = (
    b"ward22_code,month,visits,contact\nE05000910,2022-01,25,amy.jones@example.org\n"
    b"E05000911,2022-01,31,bob.smith@example.org\nE05000912,2022-02,18,cat.lee@example.org\n"
)


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMONS_HOME", str(tmp_path))
    eng = engine(f"sqlite:///{tmp_path / 'governance.sqlite'}")
    return SimpleNamespace(eng=eng, store=Store(tmp_path), audit=AuditLog(eng, anchor=tmp_path / "audit.anchor"))


def contacts_upload(env) -> dict:
    meta = yaml.safe_load((FIXTURES / "metadata.yaml").read_text())
    meta.update(tier="restricted", description="Visits with contacts.")
    meta["columns"].append({"name": "contact", "description": "who to ask", "unit": None, "type": "string"})
    return contributions.submit(
        ANALYST,
        CONTACTS,
        "contacts.csv",
        meta,
        store=env.store,
        eng=env.eng,
        audit=env.audit,
        catalogue=load_metadata(),
        tier="restricted",
    )


def test_flagged_columns_are_the_personal_data_findings_of_the_report():
    report = {
        "errors": [{"code": "personal-data-email", "column": "email"}, {"code": "not-gss-code", "column": "ward"}],
        "warnings": [
            {"code": "personal-data-uk_phone-more", "column": "phone"},
            {"code": "personal-data-postcode", "column": None},
        ],
    }
    assert flagged_columns(report) == ["email", "phone"]
    assert flagged_columns(None) == [] and flagged_columns({"errors": [], "warnings": []}) == []


def test_the_steward_sees_the_first_rows_with_the_flagged_column_masked_and_the_read_is_audited(env):
    record = contacts_upload(env)
    preview = preview_contribution(STEWARD, record, record["report"], store=env.store, audit=env.audit, limit=2)
    assert preview.columns == ["ward22_code", "month", "visits", "contact"] and preview.masked == ["contact"]
    assert preview.rows == [["E05000910", "2022-01", "25", MASK], ["E05000911", "2022-01", "31", MASK]]
    assert preview.total_rows == 3
    assert submitted_metadata(env.eng, record["id"])["description"] == "Visits with contacts."
    with env.eng.connect() as conn:
        last = conn.exec_driver_sql(
            "SELECT actor, action, dataset, rows, detail FROM audit_log ORDER BY id DESC LIMIT 1"
        ).first()
    assert (last.actor, last.action, last.dataset, last.rows) == ("steward", "read", record["dataset"], 2)
    assert json.loads(last.detail) == {"contribution": record["id"], "masked": ["contact"], "preview": True}


def test_another_member_sees_no_rows_and_the_refusal_is_audited(env):
    record = contacts_upload(env)
    with pytest.raises(NotPermitted, match="neither a steward nor the contributor"):
        preview_contribution(OTHER, record, record["report"], store=env.store, audit=env.audit)
    with env.eng.connect() as conn:
        last = conn.exec_driver_sql("SELECT actor, action, outcome FROM audit_log ORDER BY id DESC LIMIT 1").first()
    assert tuple(last) == ("analyst2", "deny", "denied")
    assert preview_contribution(ANALYST, record, record["report"], store=env.store, audit=env.audit).rows


def test_a_decided_contribution_has_no_preview(env):
    record = contacts_upload(env)
    rejected = contributions.reject(
        STEWARD, record["id"], "personal data", store=env.store, eng=env.eng, audit=env.audit
    )
    assert preview_contribution(STEWARD, rejected, record["report"], store=env.store, audit=env.audit) is None


def test_the_disclosure_report_lists_every_rule_the_table_check_ran_with_what_it_flagged():
    table = pd.DataFrame({"referrals": [3, 105, 0]}, index=pd.Index(["Halton", "Knowsley", "Wirral"], name="b"))
    (output,), _ = to_outputs({"t": table})
    results = {r.rule: r for r in rule_results(check_file(output, resolve_thresholds(None, [])).to_dict())}
    assert list(results) == [rule.name for rule in table_rules({"counts"})]
    assert (results["threshold"].status, results["threshold"].cells) == ("failed", 2)  # 3 and 0 are below 10
    assert (results["zeros"].status, results["zeros"].cells) == ("failed", 1)
    assert (results["missing"].status, results["missing"].cells) == ("passed", 0)
    assert "fewer than 10 records" in results["threshold"].why


def test_a_text_output_has_no_rules_to_list():
    (output,), _ = to_outputs({"note": "A sentence."})
    assert rule_results(check_file(output, resolve_thresholds(None, [])).to_dict()) == []
