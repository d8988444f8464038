"""Small helpers for the contribution, decision and register tests against the real hub (``hub`` fixture)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlparse

import requests
import yaml

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bad_uploads"


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def good_metadata(name: str, **changes) -> dict:
    meta = yaml.safe_load((FIXTURES / "metadata.yaml").read_text())
    meta["name"] = name
    for key, value in changes.items():
        if value is None:
            meta.pop(key, None)
        else:
            meta[key] = value
    return meta


def upload(
    hub, user: str, data: bytes, filename: str, metadata: dict, *, tier: str | None = None, name: str | None = None
) -> requests.Response:
    """POST api/contributions as ``user`` (multipart: file, metadata as JSON, name, tier)."""
    fields = {"metadata": json.dumps(metadata)}
    if tier:
        fields["tier"] = tier
    if name:
        fields["name"] = name
    return requests.post(
        f"{hub.url}/services/data-api/api/contributions",
        files={"file": (filename, data)},
        data=fields,
        headers={"Authorization": f"token {hub.token(user)}"},
        timeout=120,
    )


def post(hub, user: str, path: str, body: dict) -> requests.Response:
    return requests.post(
        f"{hub.url}/services/data-api/{path}",
        json=body,
        headers={"Authorization": f"token {hub.token(user)}"},
        timeout=60,
    )


def browser_session(hub, user: str) -> requests.Session:
    """A session signed in to the hub with the password form, as a person's browser would be (no server spawned)."""
    session = requests.Session()
    session.trust_env = False
    page = session.get(f"{hub.url}/hub/login?next=/hub/home", timeout=30)
    password = hub.passwords[user]  # that person's own password (RunningHub.create_demo_accounts)
    response = session.post(
        f"{hub.url}/hub/login?next=/hub/home",
        timeout=30,
        data={"username": user, "password": password, "_xsrf": form_xsrf(page.text)},
    )
    assert response.status_code == 200 and urlparse(response.url).path == "/hub/home", response.url
    return session


def form_xsrf(html: str) -> str:
    found = re.search(r'name="_xsrf" value="([^"]+)"', html)
    assert found, "the page has no XSRF field"
    return found.group(1)


def audit_entries(hub) -> list[dict]:
    """The audit log as `commons audit tail --json` prints it (an independent reader of the same store)."""
    result = subprocess.run(
        [sys.executable, "-m", "commons_hub.cli", "audit", "tail", "-n", "1000000", "--json"],
        env=hub.env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(result.stdout)


def cli(hub, user: str | None, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """`commons ARGS` in a subprocess, acting as ``user`` through COMMONS_API_TOKEN."""
    env = dict(hub.env)
    if user:
        env["COMMONS_API_TOKEN"] = hub.token(user)
    result = subprocess.run(
        [sys.executable, "-m", "commons_hub.cli", *args], env=env, capture_output=True, text=True, timeout=180
    )
    if check and result.returncode:
        raise AssertionError(f"commons {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def stored_under(hub, name: str) -> list[str]:
    folder = Path(hub.home) / "datasets" / name
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []
