"""Dask Gateway on the real hub: a member's cluster of real workers reads restricted data through the data-api,
each partition decided and audited under the member's name; a non-member is refused on the workers with the same
teaching error as ck.read; a request over the member limit is refused saying what is allowed."""

from __future__ import annotations

import json

import pytest

from commons_hub.governance.projects import DEMO_PROJECT
from tests.integration.governance_client import audit_entries

pytestmark = pytest.mark.integration

PURPOSE = "dask gateway integration test of partition reads"


def part_of(entry) -> str | None:
    detail = entry.get("detail") or {}
    return (json.loads(detail) if isinstance(detail, str) else detail).get("part")


def test_member_cluster_reads_each_partition_through_the_gate(hub):
    hub.spawn("analyst1")
    out = hub.execute(
        "analyst1",
        f"""
import os, getpass
import commons_kernel as ck
cluster = ck.dask_cluster(workers=2)
try:
    client = cluster.get_client()
    client.wait_for_workers(2, timeout=90)
    df = ck.read_dask("synthetic_referrals", project={DEMO_PROJECT!r}, purpose={PURPOSE!r}, partitions=4)
    print("parts", df.npartitions, df._meta.attrs["licence"] is not None)
    counts = df.groupby("age_band").size().compute()
    print("rows", int(counts.sum()), "whole", len(ck.read("synthetic_referrals", project={DEMO_PROJECT!r},
                                                             purpose={PURPOSE!r})))
    accounts = set(client.run(getpass.getuser).values())
    print("workers as", sorted(accounts))

    def try_state():
        try:
            open({str(hub.home / "governance.sqlite")!r}, "rb").close()
            return "readable"
        except PermissionError:
            return "refused"
    print("state", sorted(set(client.run(try_state).values())))
    names = client.run(lambda: sorted(k for k in os.environ if k.startswith(("COMMONS_", "JUPYTERHUB_", "AWS_"))))
    print("worker settings", sorted(set(map(tuple, names.values()))))

    import requests
    def dashboard(token):
        headers = {{"Authorization": f"token {{token}}"}} if token else {{}}
        return requests.get(cluster.dashboard_link, headers=headers, allow_redirects=False, timeout=30).status_code
    print("dashboard", cluster.dashboard_link.startswith({hub.url!r}), dashboard(os.environ["JUPYTERHUB_API_TOKEN"]),
          dashboard({hub.token("analyst2")!r}), dashboard(None))
finally:
    cluster.shutdown()
try:
    ck.dask_cluster(workers=3)
except ck.CommonsError as exc:
    print("refused:", type(exc).__name__, exc)
""",
        timeout=240,
    )
    assert out["error"] is None, out
    text = out["stdout"]
    assert "parts 4 True" in text
    rows = text.split("rows ", 1)[1].split()
    assert rows[0] == rows[2] and int(rows[0]) > 40000
    assert "workers as ['commons-u-analyst1']" in text  # their own account: not root, not the service account
    assert "state ['refused']" in text
    assert "worker settings [('COMMONS_DATA_API_URL',)]" in text  # no token, no database, no store
    assert "dashboard True 200 403 302" in text  # through the hub: the owner, another member, nobody logged in
    assert "refused: ClusterRefused 3 Dask workers asked for, and a member's limit is 2" in text
    assert "ck.dask_cluster(workers=2)" in text

    parts = [e for e in audit_entries(hub) if e["purpose"] == PURPOSE and e["action"] == "read" and part_of(e)]
    assert sorted(part_of(e) for e in parts) == ["0/4", "1/4", "2/4", "3/4"]
    assert {(e["actor"], e["project"], e["dataset"], e["outcome"]) for e in parts} == {
        ("analyst1", DEMO_PROJECT, "synthetic_referrals", "ok")
    }
    assert sum(e["rows"] for e in parts) == int(rows[0])


def test_non_member_is_refused_on_the_workers_with_the_teaching_error(hub):
    hub.spawn("analyst2")
    out = hub.execute(
        "analyst2",
        f"""
import dask.dataframe as dd
import commons_kernel as ck
from commons_kernel.api import client as api_client
from commons_kernel.dask_read import PartReader
try:
    ck.read("synthetic_referrals", project={DEMO_PROJECT!r}, purpose={PURPOSE!r})
except ck.AccessDenied as exc:
    print("kernel:", exc)
try:
    ck.read_dask("synthetic_referrals", project={DEMO_PROJECT!r}, purpose={PURPOSE!r})
except ck.AccessDenied as exc:
    print("read_dask:", exc)
cluster = ck.dask_cluster(workers=1)
try:
    client = cluster.get_client()
    api = api_client()
    # The graph a kernel would build, sent to the workers without the kernel's own check first.
    reader = PartReader(api.url, api.token, api.timeout, "synthetic_referrals", 1, 2, {DEMO_PROJECT!r}, {PURPOSE!r})
    try:
        dd.from_map(reader, range(2), meta={{"person_id": "object"}}).compute()
    except ck.AccessDenied as exc:
        print("workers:", exc)
finally:
    cluster.shutdown()
""",
        timeout=240,
    )
    assert out["error"] is None, out
    lines = dict(line.split(": ", 1) for line in out["stdout"].splitlines() if ": " in line)
    assert "not a member" in lines["kernel"]
    assert lines["read_dask"] == lines["kernel"] == lines["workers"]
    denials = [
        e for e in audit_entries(hub) if e["actor"] == "analyst2" and e["purpose"] == PURPOSE and e["action"] == "deny"
    ]
    assert len(denials) >= 3 and {e["dataset"] for e in denials} == {"synthetic_referrals"}
