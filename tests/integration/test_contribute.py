"""Contributions end to end on the real hub: upload → pending (not readable) → a steward approves → members read
it; the upload form with hub login and XSRF; withdrawal → reads refused; `ck.contribute` in a real kernel; the CLI."""

from __future__ import annotations

import io
import json

import pyarrow.ipc as ipc
import pytest

from tests.integration.governance_client import (
    FIXTURES,
    audit_entries,
    browser_session,
    cli,
    form_xsrf,
    good_metadata,
    post,
    stored_under,
    unique,
    upload,
)

pytestmark = pytest.mark.integration

GOOD = (FIXTURES / "good.csv").read_bytes()
DATASETS = "api/datasets"


def contribute_and_approve(hub, name: str, user: str = "analyst1") -> dict:
    response = upload(hub, user, GOOD, "good.csv", good_metadata(name))
    assert response.status_code == 201, response.text
    approved = post(hub, "steward", f"api/contributions/{response.json()['id']}/approve", {"reason": "checked"})
    assert approved.status_code == 200, approved.text
    return approved.json()


def test_contribute_then_approve_then_read(hub):
    name = unique("visits")
    response = upload(hub, "analyst1", GOOD, "good.csv", good_metadata(name))
    assert response.status_code == 201, response.text
    record = response.json()
    assert (record["status"], record["rows"], record["report"]["ok"]) == ("pending", 3, True)
    assert stored_under(hub, name) == [
        "pending",
        f"pending/{record['id']}.parquet",
        f"pending/{record['id']}.report.json",
    ]
    assert hub.data_api(f"{DATASETS}/{name}/data", user="analyst2").status_code == 404  # pending: not a dataset yet
    refused = post(hub, "analyst2", f"api/contributions/{record['id']}/approve", {})
    assert refused.status_code == 403 and refused.json()["error"] == "not-permitted"
    approved = post(hub, "steward", f"api/contributions/{record['id']}/approve", {"reason": "checked the codes"})
    assert approved.status_code == 200 and approved.json()["version"] == 1
    listing = {d["name"]: d for d in hub.data_api(DATASETS, user="analyst2").json()}
    assert listing[name]["title"] == good_metadata(name)["title"] and listing[name]["tier"] == "open"
    read = hub.data_api(f"{DATASETS}/{name}/data", user="analyst2")
    assert read.status_code == 200
    table = ipc.open_stream(io.BytesIO(read.content)).read_all()
    assert table.column("visits").to_pylist() == [25, 31, 18]
    mine = [e for e in audit_entries(hub) if e["dataset"] == name]
    # deny: the read of the pending name (404: every failed data request is audited), then the refused approval
    assert [e["action"] for e in mine] == ["contribute", "deny", "deny", "approve-contribution", "read"]


def test_a_later_upload_is_a_new_version(hub):
    name = unique("visits")
    contribute_and_approve(hub, name)
    second = upload(hub, "analyst1", GOOD + b"E05000913,2022-02,40\n", "visits.csv", good_metadata(name))
    assert second.status_code == 201, second.text
    assert post(hub, "steward", f"api/contributions/{second.json()['id']}/approve", {}).json()["version"] == 2
    details = hub.data_api(f"{DATASETS}/{name}", user="analyst2").json()
    assert [v["rows"] for v in details["versions"]] == [3, 4]


def test_rejection_stores_nothing_and_tells_the_contributor(hub):
    name = unique("visits")
    record = upload(hub, "analyst1", GOOD, "good.csv", good_metadata(name)).json()
    no_reason = post(hub, "steward", f"api/contributions/{record['id']}/reject", {"reason": ""})
    assert no_reason.status_code == 409 and "Say why" in no_reason.json()["reason"]
    rejected = post(hub, "steward", f"api/contributions/{record['id']}/reject", {"reason": "wrong ward year"})
    assert rejected.json()["status"] == "rejected"
    assert stored_under(hub, name) == ["reports", f"reports/contribution-{record['id']}.json"]
    mine = hub.data_api("api/contributions", user="analyst1", params={"dataset": name}).json()
    assert [(c["status"], c["reason"]) for c in mine] == [("rejected", "wrong ward year")]


def test_withdraw_then_reads_are_refused(hub):
    name = unique("visits")
    contribute_and_approve(hub, name)
    assert hub.data_api(f"{DATASETS}/{name}/data", user="analyst2").status_code == 200
    not_mine = post(hub, "analyst2", f"api/datasets/{name}/withdraw", {"reason": "not mine"})
    assert not_mine.status_code == 403
    withdrawn = post(hub, "analyst1", f"api/datasets/{name}/withdraw", {"reason": "consent was withdrawn"})
    assert withdrawn.status_code == 200, withdrawn.text
    refused = hub.data_api(f"{DATASETS}/{name}/data", user="analyst2")
    assert refused.status_code == 403 and "withdrawn" in refused.json()["reason"]
    assert hub.data_api(f"{DATASETS}/{name}", user="analyst1").json()["withdrawn"] is True
    public = [w for w in hub_register(hub, "api/contributions")["withdrawals"] if w["dataset"] == name]
    assert public[0]["reason"] == "consent was withdrawn" and public[0]["by"] == "Demo Borough Council data team"
    entries = [e for e in audit_entries(hub) if e["dataset"] == name]
    assert [e["action"] for e in entries][-2:] == ["withdraw", "deny"]


def hub_register(hub, path: str):
    import requests

    return requests.get(f"{hub.url}/services/register/{path}", timeout=30).json()


def test_upload_form_needs_login_and_xsrf(hub):
    import requests

    anonymous = requests.get(f"{hub.url}/services/data-api/contribute", allow_redirects=False, timeout=30)
    assert anonymous.status_code == 302 and "/hub/api/oauth2/authorize" in anonymous.headers["Location"]
    session = browser_session(hub, "analyst2")
    form = session.get(f"{hub.url}/services/data-api/contribute", timeout=30)
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    policy = form.headers["Content-Security-Policy"]  # its one script is its own file: no inline script
    assert "script-src 'self';" in policy and "unsafe" not in policy.split("script-src")[1].split(";")[0]
    assert "default-src 'none'" in policy
    name = unique("form_visits")
    fields = {"name": name, "title": "Visits <script>alert(1)</script>", "tier": "open", "licence": "OGL-UK-3.0"}
    without = session.post(
        f"{hub.url}/services/data-api/contribute", data=fields, timeout=60, files={"file": ("good.csv", GOOD)}
    )
    assert without.status_code == 403 and stored_under(hub, name) == []
    meta_file = json.dumps(good_metadata(name, title=None)).encode()  # the title comes from the form only
    posted = session.post(
        f"{hub.url}/services/data-api/contribute",
        timeout=60,
        data={**fields, "_xsrf": form_xsrf(form.text)},
        files={"file": ("good.csv", GOOD), "metadata_file": ("meta.yaml", meta_file)},
    )
    assert posted.status_code == 201, posted.text[-2000:]
    assert "waiting for a steward" in posted.text and "&lt;script&gt;" not in posted.text  # title not echoed raw
    assert "<script>" not in posted.text
    bad = session.post(
        f"{hub.url}/services/data-api/contribute",
        timeout=60,
        data={"name": unique("form_bad"), "tier": "open", "licence": "OGL-UK-3.0", "_xsrf": form_xsrf(form.text)},
        files={"file": ("visits.csv", (FIXTURES / "windows1252.csv").read_bytes())},
    )
    assert bad.status_code == 422 and "Nothing was stored" in bad.text and "line 3, byte 25" in bad.text


def test_stewards_review_page(hub):
    name = unique("review_visits")
    record = upload(hub, "analyst1", GOOD, "good.csv", good_metadata(name)).json()
    session = browser_session(hub, "steward")
    listing = session.get(f"{hub.url}/services/data-api/contributions", timeout=30)
    assert f"<code>{name}</code>" in listing.text
    review = f"/services/data-api/contributions/{record['id']}"
    assert f'href="{review}"' in listing.text  # the whole review is on its own page (test_review_pages.py)
    page = session.get(f"{hub.url}{review}", timeout=30)
    decided = session.post(f"{hub.url}{review}", timeout=60, data={"action": "approve", "_xsrf": form_xsrf(page.text)})
    assert decided.status_code == 200 and "is now approved" in decided.text
    assert hub.data_api(f"{DATASETS}/{name}/data", user="analyst2").status_code == 200


def test_ck_contribute_in_a_real_kernel(hub):
    hub.spawn("analyst1")
    name = unique("kernel_visits")
    meta = {k: v for k, v in good_metadata(name).items() if k not in ("name", "title", "description", "licence")}
    code = f"""
import pandas as pd, commons_kernel.governance as g
frame = pd.DataFrame({{"ward22_code": ["E05000910", "E05000911"], "month": ["2022-01", "2022-01"], "visits": [25, 31]}})
done = g.contribute(frame, name={name!r}, title="Visits from a kernel", description="Two wards in January 2022, "
                    "counted by a test in a real kernel of the commons.", licence="OGL-UK-3.0", metadata={meta!r})
print("STATUS", done["status"], done["rows"])
try:
    g.contribute(frame.assign(visits=[3, 31]), name={name + "_small"!r}, title="t", description="d",
                 licence="OGL-UK-3.0", tier="community", metadata={meta!r})
except g.ValidationFailed as exc:
    print("BLOCKED", exc.report["errors"][0]["code"])
"""
    out = hub.execute("analyst1", code)
    assert out["error"] is None, out
    assert "STATUS pending 2" in out["stdout"] and "BLOCKED small-cell" in out["stdout"], out


def test_cli_validate_contribute_and_withdraw(hub, tmp_path):
    meta_path = tmp_path / "meta.yaml"
    name = unique("cli_visits")
    meta_path.write_text(json.dumps(good_metadata(name)))
    checked = cli(
        hub,
        None,
        "validate",
        str(FIXTURES / "small_count.csv"),
        "-m",
        str(meta_path),
        "--tier",
        "community",
        check=False,
    )
    assert checked.returncode == 1 and "is a count of 3, below 10" in checked.stdout
    assert cli(hub, None, "validate", str(FIXTURES / "good.csv"), "-m", str(meta_path)).returncode == 0
    no_tier = cli(hub, "analyst1", "contribute", str(FIXTURES / "good.csv"), "-m", str(meta_path), check=False)
    assert no_tier.returncode == 2 and "no `tier:` and no --tier was given" in no_tier.stderr
    done = cli(hub, "analyst1", "contribute", str(FIXTURES / "good.csv"), "-m", str(meta_path), "--tier", "open")
    assert "pending" in done.stdout
    ident = [
        c for c in json.loads(cli(hub, "analyst1", "contributions", "list", "--json").stdout) if c["dataset"] == name
    ][0]["id"]
    assert "version 1" in cli(hub, "steward", "contributions", "approve", str(ident)).stdout
    assert "withdrawn" in cli(hub, "analyst1", "withdraw", name, "--reason", "test over").stdout
    refused = cli(hub, "analyst1", "withdraw", name, "--reason", "again", check=False)
    assert refused.returncode == 1 and "already withdrawn" in refused.stderr
