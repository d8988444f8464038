"""The commons with its store in a real S3-compatible server (moto's server mode on loopback, signatures and IAM
policies checked): ingest at `commons init`, a contribution approved, reads through the data-api, a withdrawal, a
changed object refused and audited. Only the data-api holds the writer's key: a kernel's environment has no store
credentials and a direct s3fs read from it is refused. The register reads manifests with a read-only key."""

from __future__ import annotations

import io
import json
import os

import pyarrow.ipc as ipc
import pytest
import requests

from tests.integration.governance_client import FIXTURES, audit_entries, good_metadata, post, unique, upload
from tests.integration.hubfixture import RunningHub
from tests.s3_server import ThrowawayS3

pytestmark = pytest.mark.integration

PREFIX = "commons"
GOOD = (FIXTURES / "good.csv").read_bytes()


@pytest.fixture(scope="module")
def s3():
    server = ThrowawayS3().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def s3_hub(s3, tmp_path_factory):
    running = RunningHub.in_temporary_home(tmp_path_factory.mktemp("s3-hub") / "hub.log")
    running.home.mkdir(parents=True, exist_ok=True)
    read_file = s3.read_credentials_file(running.home / "s3-read-credentials.ini")
    settings = {**s3.environment(PREFIX), "COMMONS_S3_READ_CREDENTIALS_FILE": str(read_file)}
    running.env.update(settings)
    saved = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)  # demo accounts and the CLI run here
    try:
        running.start()
        yield running
    finally:
        running.stop()
        running.remove_home()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def keys(s3, prefix: str) -> list[str]:
    listed = s3.client().list_objects_v2(Bucket=s3.bucket, Prefix=prefix).get("Contents", [])
    return sorted(item["Key"].removeprefix(prefix) for item in listed)


def test_ingest_contribute_read_and_withdraw_on_s3(s3_hub, s3):
    hub = s3_hub
    assert "imd2019_lsoa11/manifest.json" in keys(s3, f"{PREFIX}/")  # `commons init` ingested into S3
    assert not list((hub.home / "datasets").glob("*/v*.parquet"))  # no version file stays local
    read = hub.data_api(
        "api/datasets/imd2019_lsoa11/data",
        user="analyst2",
        params={"columns": "lsoa11_code", "purpose": "the S3 integration run"},
    )
    assert read.status_code == 200, read.text
    assert ipc.open_stream(io.BytesIO(read.content)).read_all().num_rows == 989

    name = unique("visits")
    response = upload(hub, "analyst1", GOOD, "good.csv", good_metadata(name))
    assert response.status_code == 201, response.text
    approved = post(hub, "steward", f"api/contributions/{response.json()['id']}/approve", {"reason": "checked"})
    assert approved.status_code == 200 and approved.json()["version"] == 1, approved.text
    assert keys(s3, f"{PREFIX}/{name}/") == ["manifest.json", "v0001.arrow", "v0001.parquet"]
    read = hub.data_api(f"api/datasets/{name}/data", user="analyst2")
    assert read.status_code == 200, read.text
    assert ipc.open_stream(io.BytesIO(read.content)).read_all().column("visits").to_pylist() == [25, 31, 18]
    register = requests.get(f"{hub.url}/services/register/api/datasets", timeout=30)
    assert register.status_code == 200 and name in register.text  # the register reads with its own key

    s3.client().put_object(Bucket=s3.bucket, Key=f"{PREFIX}/{name}/v0001.arrow", Body=b"changed in the bucket")
    refused = hub.data_api(f"api/datasets/{name}/data", user="analyst2")
    assert refused.status_code == 403 and "integrity check" in refused.json()["reason"], refused.text
    entry = [e for e in audit_entries(hub) if e["dataset"] == name][-1]
    detail = json.loads(entry["detail"]) if isinstance(entry["detail"], str) else entry["detail"]
    assert (entry["action"], entry["outcome"], detail["rule"]) == ("deny", "denied", "integrity")
    assert detail["reason"].endswith(f"s3://{s3.bucket}/{PREFIX}/{name}/v0001.arrow")
    assert hub.data_api(f"api/datasets/{name}/data", user="analyst2", params={"format": "csv"}).status_code == 200

    withdrawn = post(hub, "analyst1", f"api/datasets/{name}/withdraw", {"reason": "consent was withdrawn"})
    assert withdrawn.status_code == 200, withdrawn.text
    refused = hub.data_api(f"api/datasets/{name}/data", user="analyst2", params={"format": "csv"})
    assert refused.status_code == 403 and "withdrawn" in refused.json()["reason"]
    manifest = s3.client().get_object(Bucket=s3.bucket, Key=f"{PREFIX}/{name}/manifest.json")["Body"].read()
    assert json.loads(manifest)["withdrawn"]


def test_a_kernel_has_no_store_credentials_and_cannot_read_the_bucket(s3_hub, s3):
    hub = s3_hub
    hub.spawn("analyst1")
    out = hub.execute(
        "analyst1",
        f"""
import os, s3fs
import commons_kernel as ck
print("secrets", sorted(k for k in os.environ if k.startswith("AWS_") or "S3_CREDENTIALS" in k))
print("key", any({s3.key!r} in v or {s3.secret!r} in v for v in os.environ.values()))
for options in (dict(anon=True), dict(key="AKIAGUESSED", secret="guessed")):
    fs = s3fs.S3FileSystem(endpoint_url={s3.endpoint!r}, skip_instance_cache=True, **options)
    try:
        fs.cat_file("{s3.bucket}/{PREFIX}/imd2019_lsoa11/manifest.json")
        print("direct read: allowed")
    except PermissionError:
        print("direct read: refused")
print("governed", len(ck.read("imd2019_lsoa11", columns=["lsoa11_code"])))
""",
    )
    assert out["error"] is None, out
    assert "secrets []" in out["stdout"] and "key False" in out["stdout"]
    assert out["stdout"].count("direct read: refused") == 2 and "allowed" not in out["stdout"]
    assert "governed 989" in out["stdout"]
