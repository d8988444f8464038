"""Walls around the gate, on the real hub started as root: separate Unix accounts, file modes, what a hostile
kernel can and cannot open. Skipped (saying why) when the suite does not run as root or isolation is off."""

from __future__ import annotations

import asyncio
import json
import os
import pwd
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from commons_hub import isolation
from commons_kernel import config

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(os.geteuid() != 0, reason="isolation needs the hub to run as root (CI does)"),
    pytest.mark.skipif(config.setting("isolation") == "off", reason="COMMONS_ISOLATION=off"),
]

SERVICE, PUBLIC = config.setting("service_user"), config.setting("public_user")

# Everything a hostile kernel might try to open directly; each must raise PermissionError.
HOSTILE = """
import json, os, pathlib
found = {{}}
for target in map(pathlib.Path, {targets!r}):
    try:
        os.listdir(target) if target.name == "datasets" else open(target, "rb").read(1)
        found[str(target)] = "opened"
    except PermissionError:
        found[str(target)] = "PermissionError"
    except FileNotFoundError:
        found[str(target)] = "missing"
try:
    open({anchor!r}, "a").write("1 x")
    found["write anchor"] = "opened"
except PermissionError:
    found["write anchor"] = "PermissionError"
print(json.dumps({{"uid": os.getuid(), "user": __import__("pwd").getpwuid(os.getuid()).pw_name, "found": found}}))
"""


def hostile_targets(hub) -> list[str]:
    restricted = sorted((hub.home / "datasets").rglob("*.parquet"))
    restricted = [p for p in restricted if "synthetic_referrals" in str(p)]
    assert restricted, "the restricted dataset has a Parquet file in the store"
    return [
        str(p)
        for p in (
            restricted[0],
            hub.home / "secrets.json",
            hub.home / "governance.sqlite",
            hub.home / "audit.anchor",
            hub.home / "jupyterhub.sqlite",
            hub.home / "datasets",
        )
    ]


def _owner(path) -> str:
    return pwd.getpwuid(os.lstat(path).st_uid).pw_name


def test_state_directory_belongs_to_the_service_account_alone(hub):
    info = os.stat(hub.home)
    assert _owner(hub.home) == SERVICE
    assert stat.S_IMODE(info.st_mode) == 0o700
    for name in ("secrets.json", "jupyterhub.sqlite"):
        assert _owner(hub.home / name) == "root" and stat.S_IMODE(os.stat(hub.home / name).st_mode) == 0o600
    assert _owner(hub.home / "governance.sqlite") == SERVICE
    assert stat.S_IMODE(os.stat(hub.users_dir).st_mode) == 0o711


def test_services_run_as_their_accounts(hub):
    owners = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            environ = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            continue
        if str(hub.home).encode() not in environ:
            continue  # another hub's (or another test run's) process
        for service in ("data_api", "register", "refresher", "stories"):
            if (
                f"commons_hub.services.{service}.app".encode() in cmdline
                or f"commons_hub.services.{service}.service".encode() in cmdline
            ):
                owners[service] = pwd.getpwuid(os.stat(f"/proc/{pid}").st_uid).pw_name
    assert owners == {"data_api": SERVICE, "register": SERVICE, "refresher": SERVICE, "stories": PUBLIC}


def test_a_kernel_runs_as_its_person_and_cannot_open_the_store(hub):
    hub.spawn("analyst1")
    out = hub.execute("analyst1", HOSTILE.format(targets=hostile_targets(hub), anchor=str(hub.home / "audit.anchor")))
    assert out["error"] is None, out
    report = json.loads(out["stdout"].strip().splitlines()[-1])
    assert report["uid"] != 0 and report["user"] == isolation.unix_name("analyst1")
    assert set(report["found"].values()) == {"PermissionError"}, report
    # ...and the gate still answers, as that person
    out = hub.execute("analyst1", "import commons_kernel as ck\nprint(len(ck.read('imd2019_lsoa11')))")
    assert out["error"] is None and out["stdout"].strip().endswith("989"), out


def test_each_home_is_private_to_its_person(hub):
    hub.spawn("analyst1")
    hub.spawn("analyst2")
    home1 = hub.users_dir / "analyst1"
    assert _owner(home1) == isolation.unix_name("analyst1") and stat.S_IMODE(os.stat(home1).st_mode) == 0o700
    assert _owner(home1 / "notebooks") == isolation.unix_name("analyst1")
    out = hub.execute(
        "analyst2",
        f"import os\ntry:\n    os.listdir({str(home1)!r}); print('listed')\n"
        f"except PermissionError:\n    print('refused')",
    )
    assert out["stdout"].strip() == "refused", out


def test_the_terminal_is_the_persons_own_shell(hub):
    hub.spawn("analyst1")
    name = hub.server_api("analyst1", "POST", "api/terminals").json()["name"]
    try:
        text = asyncio.run(_terminal_says(hub, "analyst1", name, "id -un; id -u"))
    finally:
        hub.server_api("analyst1", "DELETE", f"api/terminals/{name}")
    assert isolation.unix_name("analyst1") in text
    assert "\n0\r" not in text and "uid=0" not in text


async def _terminal_says(hub, user: str, name: str, command: str) -> str:
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    request = HTTPRequest(
        f"ws://127.0.0.1:{hub.port}/user/{user}/terminals/websocket/{name}",
        headers={"Authorization": f"token {hub.token(user)}"},
    )
    conn = await websocket_connect(request)
    marker = uuid.uuid4().hex[:8]
    conn.write_message(json.dumps(["stdin", f"{command}; echo {marker}\r"]))
    text = ""
    try:
        while text.count(marker) < 2:
            raw = await asyncio.wait_for(conn.read_message(), 20)
            if raw is None:
                break
            kind, *rest = json.loads(raw)
            if kind == "stdout":
                text += rest[0]
    finally:
        conn.close()
    return text


def test_the_public_account_reads_published_stories_only(hub):
    probe = (
        "import sys\nfor path in sys.argv[1:]:\n    try:\n        open(path, 'rb').read(1); print('opened')\n"
        "    except PermissionError:\n        print('refused')\n    except IsADirectoryError:\n        print('opened')"
    )
    published = hub.public_dir / "stories"
    published.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            "runuser",
            "-u",
            PUBLIC,
            "--",
            sys.executable,
            "-c",
            probe,
            str(hub.home / "governance.sqlite"),
            str(hub.home / "secrets.json"),
            str(published),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["refused", "refused", "opened"], result.stderr


def test_the_commons_command_as_root_works_as_the_service_account(hub):
    result = subprocess.run(
        [sys.executable, "-m", "commons_hub.cli", "audit", "verify"],
        env=hub.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert _owner(hub.home / "governance.sqlite") == SERVICE
    for leftover in hub.home.glob("governance.sqlite*"):
        assert _owner(leftover) == SERVICE
