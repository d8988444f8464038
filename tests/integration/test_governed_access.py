"""The gate, end to end: real hub, real tokens, real user server and kernel, the audit log after each read."""

from __future__ import annotations

import io
import socket
import subprocess
import sys

import pyarrow.ipc as ipc
import pytest

from commons_hub.governance.projects import DEMO_PROJECT

pytestmark = pytest.mark.integration

API = "api/datasets"


def audit_entries(hub):
    result = subprocess.run(
        [sys.executable, "-m", "commons_hub.cli", "audit", "tail", "-n", "500", "--json"],
        env=hub.env,
        capture_output=True,
        text=True,
        check=True,
    )
    import json

    return json.loads(result.stdout)


def test_anonymous_and_forged_tokens_get_401(hub):
    assert hub.data_api(API).status_code == 401
    forged = hub.data_api(API, token="0" * 32)
    assert forged.status_code == 401
    assert forged.json()["error"] == "not-authenticated"
    assert hub.data_api(f"{API}/imd2019_lsoa11/data").status_code == 401


def test_token_without_data_api_scope_gets_403(hub):
    narrow = hub.token("analyst2", scopes=["read:users:name!user=analyst2"])
    response = hub.data_api(API, token=narrow)
    assert response.status_code == 403
    assert response.json()["error"] == "missing-scope"


def test_catalogue_metadata_of_every_tier_is_public_to_members(hub):
    listing = hub.data_api(API, user="analyst2").json()
    tiers = {d["name"]: d["tier"] for d in listing}
    assert tiers["synthetic_referrals"] == "restricted" and tiers["imd2019_lsoa11"] == "open"
    assert all(d["licence"] and d["attribution"] for d in listing)


def test_open_read_streams_arrow_and_is_audited_first(hub):
    response = hub.data_api(f"{API}/imd2019_lsoa11/data", user="analyst2")
    assert response.status_code == 200
    table = ipc.open_stream(io.BytesIO(response.content)).read_all()
    assert table.num_rows == 989
    last = [e for e in audit_entries(hub) if e["actor"] == "analyst2" and e["action"] == "read"][-1]
    assert (last["dataset"], last["rows"], last["outcome"]) == ("imd2019_lsoa11", 989, "ok")


def test_restricted_needs_an_approved_project_member(hub):
    path = f"{API}/synthetic_referrals/data"
    no_project = hub.data_api(path, user="analyst1")
    assert no_project.status_code == 403 and "name the approved project" in no_project.json()["reason"]
    outsider = hub.data_api(path, user="analyst2", params={"project": DEMO_PROJECT})
    assert outsider.status_code == 403
    assert "not a member" in outsider.json()["reason"] and outsider.json()["how_to_get_access"]
    member = hub.data_api(
        path,
        user="analyst1",
        headers={"X-Commons-Project": DEMO_PROJECT, "X-Commons-Purpose": "integration test of reads"},
    )
    assert member.status_code == 200
    entries = audit_entries(hub)
    denials = [e for e in entries if e["dataset"] == "synthetic_referrals" and e["action"] == "deny"]
    assert {e["actor"] for e in denials} >= {"analyst1", "analyst2"}
    read = [e for e in entries if e["dataset"] == "synthetic_referrals" and e["action"] == "read"][-1]
    assert read["project"] == DEMO_PROJECT and read["purpose"] == "integration test of reads" and read["rows"] > 40000


def test_columns_and_area_filter_and_formats(hub):
    response = hub.data_api(
        f"{API}/imd2019_lsoa11/data",
        user="analyst2",
        params={"format": "csv", "columns": "lsoa11_code,imd_score", "areas": "E01006512,E01006513"},
    )
    assert response.status_code == 200, response.text
    lines = response.text.strip().splitlines()
    assert lines[0].replace('"', "") == "lsoa11_code,imd_score" and len(lines) == 3
    bad = hub.data_api(f"{API}/imd2019_lsoa11/data", user="analyst2", params={"columns": "nope"})
    assert bad.status_code == 400 and "has no column" in bad.json()["reason"]
    missing = hub.data_api(f"{API}/imd2019_lsso11", user="analyst2")
    assert missing.status_code == 404 and "imd2019_lsoa11" in missing.json()["close"]


def test_kernel_reads_through_the_gate_as_the_user(hub):
    seconds = hub.spawn("analyst1")
    assert seconds < 60
    out = hub.execute(
        "analyst1",
        """
import commons_kernel as ck
imd = ck.read("imd2019_lsoa11", columns=["lsoa11_code", "imd_score"])
print("rows", len(imd), imd.attrs["licence"], imd.attrs["version"])
ref = ck.read("synthetic_referrals", project="early-help-demand", purpose="kernel read test")
print("restricted", len(ref))
try:
    ck.read("synthetic_referrals")
except ck.AccessDenied as exc:
    print("denied:", exc.reason)
try:
    ck.read("imd2019_lsso11")
except ck.DatasetNotFound as exc:
    print("close:", exc.close)
lsoas = ck.read("boundaries_lsoa11")
print("geo", type(lsoas).__name__, lsoas.crs.to_epsg())
print(ck.whoami()["name"])
""",
    )
    assert out["error"] is None, out
    text = out["stdout"]
    assert "rows 989 OGL-UK-3.0 1" in text
    assert "restricted " in text and "denied: synthetic_referrals is restricted" in text
    assert "close: ['imd2019_lsoa11'" in text
    assert "geo GeoDataFrame 4326" in text
    assert text.strip().endswith("analyst1")
    reads = [e for e in audit_entries(hub) if e["actor"] == "analyst1" and e["purpose"] == "kernel read test"]
    assert reads and reads[-1]["rows"] > 40000


def test_intake_catalogue_reads_through_the_gate(hub):
    hub.spawn("analyst1")
    out = hub.execute(
        "analyst1",
        """
import intake, commons_kernel.intake_reader as reader
cat = intake.from_yaml_file(reader.catalog_path())
print(len(cat.entries), cat.entries["imd2019_lsoa11"].metadata["tier"])
df = cat.imd2019_lsoa11.read()
print("rows", len(df))
""",
    )
    assert out["error"] is None, out
    assert "rows 989" in out["stdout"]
    assert int(out["stdout"].split()[0]) >= 15


def test_mcp_server_is_off_in_user_servers(hub):
    hub.spawn("analyst1")
    with socket.socket() as sock:
        sock.settimeout(1)
        assert sock.connect_ex(("127.0.0.1", 3001)) != 0, "something listens on jupyter_server_mcp's port 3001"


def test_audit_chain_verifies_after_the_session(hub):
    result = subprocess.run(
        [sys.executable, "-m", "commons_hub.cli", "audit", "verify"], env=hub.env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "intact" in result.stdout


def test_every_kernel_starts_with_ck_imported_and_a_greeting(hub):
    hub.spawn("analyst1")
    out = hub.execute("analyst1", "print(ck.__name__, ck.hello())")
    assert out["error"] is None, out
    assert out["stdout"].startswith("commons_kernel LCR Data Commons: signed in as analyst1")
    assert "early-help-demand" in out["stdout"]


def test_readme_example_runs_in_a_kernel(hub):
    hub.spawn("analyst1")
    out = hub.execute(
        "analyst1",
        """
import commons_kernel as ck
imd = ck.read("imd2019_lsoa11")
boroughs = ck.aggregate(imd, to="lad", means={"imd_score": "pop_total"})
print(boroughs.attrs["method"])
print(boroughs.sort_values("imd_score").iloc[-1].to_dict())
""",
    )
    assert out["error"] is None, out
    assert "Knowsley" in out["stdout"] or "E08000011" in out["stdout"]


def test_members_find_the_example_notebooks_in_their_home(hub):
    hub.spawn("analyst1")
    listing = hub.server_api("analyst1", "GET", "api/contents/notebooks").json()
    names = sorted(item["name"] for item in listing["content"])
    assert names[0] == "01-getting-started.ipynb" and len(names) >= 5
