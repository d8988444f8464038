"""Bounded uploads on the real hub: a 10,000-column CSV is refused in seconds (it held the data-api for 52 s), a
file over the size limit is 413 over HTTP, and `ck.contribute` and `commons contribute` give the same clear
message for a file too big, whether they refuse it before sending or the server drops the connection."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
import requests
import yaml

from tests.integration.governance_client import FIXTURES, audit_entries, good_metadata, unique, upload
from tests.integration.hubfixture import ROOT

pytestmark = pytest.mark.integration

LIMIT = 52428800  # catalog/standard/standard.yaml limits.max_upload_bytes


def wide_csv(columns: int) -> bytes:
    header = ["ward22_code", "month", "visits"] + [f"v{i}" for i in range(columns - 3)]
    return (",".join(header) + "\nE05000910,2022-01" + ",5" * (columns - 2) + "\n").encode()


def test_ten_thousand_columns_are_refused_in_seconds_and_audited(hub):
    name = unique("wide_upload")
    hub.data_api("api/contributions/limits", user="analyst1")  # as ck.contribute does first
    started = time.monotonic()
    response = upload(hub, "analyst1", wide_csv(10_000), "wide.csv", good_metadata(name), name=name)
    assert time.monotonic() - started < 10
    assert response.status_code == 422, response.text[:300]
    (error,) = response.json()["report"]["errors"]
    assert error["code"] == "too-many-columns" and "COMMONS_UPLOAD_MAX_COLUMNS" in error["message"]
    denial = [e for e in audit_entries(hub) if e["action"] == "deny" and e["actor"] == "analyst1"][-1]
    assert "too-many-columns" in denial["detail"]


def test_a_file_over_the_limit_is_413_with_the_limit_named(hub):
    name = unique("big_upload")
    data = b"ward22_code,month,visits\n" + b"E05000910,2022-01,25\n" * (LIMIT // 20)
    response = upload(hub, "analyst1", data, "big.csv", good_metadata(name), name=name)
    assert response.status_code == 413
    body = response.json()
    assert body["error"] == "too-large" and "the limit is 52,428,800 bytes" in body["reason"]


def test_the_limits_are_published_for_clients(hub):
    limits = hub.data_api("api/contributions/limits", user="analyst1").json()
    assert limits["max_upload_bytes"] == LIMIT and limits["set_by"]["max_columns"] == "COMMONS_UPLOAD_MAX_COLUMNS"


@pytest.fixture
def as_analyst(hub, monkeypatch):
    from commons_kernel import api

    monkeypatch.setenv("COMMONS_HUB_URL", hub.url)
    monkeypatch.setenv("COMMONS_API_TOKEN", hub.token("analyst1"))
    monkeypatch.delenv("JUPYTERHUB_API_TOKEN", raising=False)
    api.reset_client()
    yield
    api.reset_client()


def test_contribute_refuses_a_file_over_the_limit_before_sending(hub, as_analyst, tmp_path):
    from commons_kernel import governance
    from commons_kernel.exceptions import ValidationFailed

    path = tmp_path / "big.csv"
    path.write_bytes(b"ward22_code,month,visits\n" + b"E05000910,2022-01,25\n" * (LIMIT // 20))
    with pytest.raises(ValidationFailed, match=r"the limit is 52,428,800 bytes .*nothing was sent"):
        governance.contribute(path, name=unique("big"), title="Big", description="d", licence="OGL-UK-3.0")


def test_contribute_explains_a_body_the_server_drops(hub, as_analyst, tmp_path, monkeypatch):
    from commons_kernel import governance
    from commons_kernel.exceptions import ValidationFailed

    # as with a data-api that does not publish its limits: tornado refuses a body over 100 MB outright
    monkeypatch.setattr(governance, "upload_limits", lambda: {})
    path = tmp_path / "huge.csv"
    path.write_bytes(b"ward22_code,month,visits\n" + b"E05000910,2022-01,25\n" * ((110 << 20) // 20))
    with pytest.raises(ValidationFailed, match=r"the file is [\d,]+ bytes; it is larger than the data-api accepts"):
        governance.contribute(path, name=unique("huge"), title="Huge", description="d", licence="OGL-UK-3.0")


def test_the_cli_prints_the_same_message(hub, tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"ward22_code,month,visits\n" + b"E05000910,2022-01,25\n" * (LIMIT // 20))
    metadata = tmp_path / "metadata.yaml"
    metadata.write_text(yaml.safe_dump(yaml.safe_load((FIXTURES / "metadata.yaml").read_text())))
    env = {**hub.env, "COMMONS_API_TOKEN": hub.token("analyst1")}
    result = subprocess.run(
        [sys.executable, "-m", "commons_hub.cli", "contribute", str(path), "-m", str(metadata), "--tier", "open"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "the limit is 52,428,800 bytes" in result.stderr and "Traceback" not in result.stderr
    assert requests.get(f"{hub.url}/hub/health", timeout=10).status_code == 200
