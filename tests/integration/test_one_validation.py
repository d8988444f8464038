"""One validation on the real hub: the notebook's validate() in a real kernel (as the member's own account), the
CLI in a subprocess, and the upload over real HTTP (the JSON API and the browser form) give the same verdict and
findings for the same file; and `commons` works in a real JupyterLab terminal (REST + websocket), as the member."""

from __future__ import annotations

import asyncio
import html
import json
import re
import time

import pytest
import requests

from tests.integration.governance_client import browser_session, cli, form_xsrf, unique, upload
from tests.one_validation import CASES, FOLDER, findings, metadata, verdict

pytestmark = pytest.mark.integration

USER = "analyst1"


def notebook_report(hub, filename: str, meta: dict) -> dict:
    data = (FOLDER / filename).read_text()
    code = f"""
import json, pathlib
from commons_kernel.standard import validate
folder = pathlib.Path("one_validation"); folder.mkdir(exist_ok=True)
(folder / {filename!r}).write_text({data!r})
(folder / "metadata.yaml").write_text({json.dumps(meta)!r})
print("REPORT" + json.dumps(validate(folder / {filename!r}, folder / "metadata.yaml").to_dict()))
"""
    out = hub.execute(USER, code, timeout=180)
    assert out["error"] is None, out
    return json.loads(out["stdout"].split("REPORT", 1)[1])


def cli_report(hub, tmp_path, filename: str, meta: dict) -> dict:
    (tmp_path / filename).write_bytes((FOLDER / filename).read_bytes())
    (tmp_path / "metadata.yaml").write_text(json.dumps(meta))
    done = cli(
        hub, None, "validate", str(tmp_path / filename), "-m", str(tmp_path / "metadata.yaml"), "--json", check=False
    )
    assert done.returncode == (0 if CASES[filename][0] else 1), done.stderr
    return json.loads(done.stdout)


def upload_report(hub, filename: str, meta: dict) -> dict:
    response = upload(hub, USER, (FOLDER / filename).read_bytes(), filename, meta)
    assert response.status_code == (201 if CASES[filename][0] else 422), response.text
    body = response.json()
    return body["report"]


@pytest.mark.parametrize("filename", sorted(CASES))
def test_notebook_cli_and_upload_give_the_same_verdict_and_findings(hub, tmp_path, filename):
    hub.spawn(USER)
    meta = metadata(name=unique("one_validation"))
    reports = {
        "notebook": notebook_report(hub, filename, meta),
        "cli": cli_report(hub, tmp_path, filename, meta),
        "upload": upload_report(hub, filename, meta),
    }
    expected = CASES[filename]
    assert {path: verdict(report) for path, report in reports.items()} == dict.fromkeys(reports, expected)
    assert findings(reports["notebook"]) == findings(reports["cli"]) == findings(reports["upload"])
    assert len({report["score"] for report in reports.values()}) == 1
    assert {report["tier"] for report in reports.values()} == {"community"}  # the file's tier, never open

    # The browser form with the same file and its metadata file: the same verdict, every finding on the page.
    session = browser_session(hub, USER)
    page = session.get(f"{hub.url}/services/data-api/contribute", timeout=30)
    form_meta = {**meta, "name": unique("one_validation_form")}
    posted = session.post(
        f"{hub.url}/services/data-api/contribute",
        timeout=120,
        data={"name": form_meta["name"], "tier": "community", "licence": "CC-BY-4.0", "_xsrf": form_xsrf(page.text)},
        files={
            "file": (filename, (FOLDER / filename).read_bytes()),
            "metadata_file": ("metadata.yaml", json.dumps(form_meta).encode()),
        },
    )
    assert posted.status_code == (201 if expected[0] else 422), posted.text[-2000:]
    shown = html.unescape(posted.text)
    for _severity, code, _line, _column, message in findings(reports["upload"]):
        assert message in shown, f"{code} is not on the form's page"
    if expected[0]:
        assert "(community tier) passed every check" in shown


def test_the_form_refuses_values_that_differ_from_the_metadata_file_and_a_missing_tier(hub):
    session = browser_session(hub, USER)
    page = session.get(f"{hub.url}/services/data-api/contribute", timeout=30)
    assert '<option value="" selected>Choose a tier</option>' in page.text
    assert '<select id="tier" name="tier" required>' in page.text
    meta = metadata(name=unique("one_validation_mismatch"))
    files = {
        "file": ("clean.csv", (FOLDER / "clean.csv").read_bytes()),
        "metadata_file": ("visits.yaml", json.dumps(meta).encode()),
    }
    # What the old form sent: its dropdowns' first options, whatever the file said.
    mismatch = session.post(
        f"{hub.url}/services/data-api/contribute",
        timeout=60,
        files=files,
        data={"name": meta["name"], "tier": "open", "licence": "OGL-UK-3.0", "_xsrf": form_xsrf(page.text)},
    )
    assert mismatch.status_code == 422
    shown = html.unescape(mismatch.text)
    assert "the metadata file visits.yaml says tier `community` but the form says `open`" in shown
    assert "says licence `CC-BY-4.0` but the form says `OGL-UK-3.0`" in shown and "Nothing was stored" in shown
    missing = session.post(
        f"{hub.url}/services/data-api/contribute",
        timeout=60,
        files={"file": files["file"]},
        data={"name": meta["name"], "_xsrf": form_xsrf(page.text)},
    )
    assert missing.status_code == 422 and "no tier was chosen" in html.unescape(missing.text)
    # Without JavaScript, the button fills the form in from the file on the server; nothing is stored.
    filled = session.post(
        f"{hub.url}/services/data-api/contribute",
        timeout=60,
        files=files,
        data={"action": "prefill", "_xsrf": form_xsrf(page.text)},
    )
    assert filled.status_code == 200 and '<option value="community" selected>' in filled.text
    assert '<option value="CC-BY-4.0" selected>' in filled.text and f'value="{meta["name"]}"' in filled.text
    listing = requests.get(
        f"{hub.url}/services/data-api/api/contributions",
        timeout=30,
        headers={"Authorization": f"token {hub.token(USER)}"},
        params={"dataset": meta["name"]},
    )
    assert listing.json() == []


# -- `commons` in the JupyterLab terminal ------------------------------------------------------------------------


class Terminal:
    """A real terminal of a user server: created with POST api/terminals, driven over one websocket."""

    def __init__(self, hub, user: str):
        self.hub, self.user = hub, user
        self.name = hub.server_api(user, "POST", "api/terminals").json()["name"]
        self.conn, self.output, self.count = None, "", 0

    async def connect(self) -> None:
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        url = f"ws://127.0.0.1:{self.hub.port}/user/{self.user}/terminals/websocket/{self.name}"
        self.conn = await websocket_connect(
            HTTPRequest(url, headers={"Authorization": f"token {self.hub.token(self.user)}"})
        )

    async def run(self, command: str, timeout: float = 180) -> str:
        """Type ``command``; return what it printed, up to the line `DONE-N EXIT=code` typed after it."""
        self.count += 1
        marker = re.compile(rf"DONE-{self.count} EXIT=(\d+)")  # typed as $((N)), so the echo of the line differs
        self.conn.write_message(json.dumps(["stdin", f"{command}; echo DONE-$(({self.count})) EXIT=$?\r"]))
        start, deadline = len(self.output), time.monotonic() + timeout
        while not marker.search(self.output, start) and time.monotonic() < deadline:
            raw = await asyncio.wait_for(self.conn.read_message(), timeout=max(1, deadline - time.monotonic()))
            if raw is None:
                break
            kind, *rest = json.loads(raw)
            if kind == "stdout":
                self.output += rest[0]
        seen = self.output[start:]
        assert marker.search(seen), f"{command!r} did not finish; the terminal showed:\n{seen[-3000:]}"
        return seen

    def close(self) -> None:
        self.hub.server_api(self.user, "DELETE", f"api/terminals/{self.name}")


def test_commons_works_in_the_jupyterlab_terminal_as_the_member(hub):
    hub.spawn(USER)
    meta = metadata(name=unique("terminal_check"))
    for name, text in (
        ("count_of_5.csv", (FOLDER / "count_of_5.csv").read_text()),
        ("clean.csv", (FOLDER / "clean.csv").read_text()),
        ("visits.yaml", json.dumps(meta)),
    ):
        put = hub.server_api(
            USER, "PUT", f"api/contents/{name}", json={"type": "file", "format": "text", "content": text}
        )
        assert put.status_code in (200, 201), put.text
    terminal = Terminal(hub, USER)

    async def session() -> None:
        await terminal.connect()
        try:
            await commands()
        finally:
            terminal.conn.close()

    async def commands() -> None:
        who = await terminal.run("echo USER=$(id -un) WHERE=$(command -v commons)")
        assert re.search(r"USER=commons-u-analyst1 WHERE=\S+/bin/commons", who), who
        helped = await terminal.run("commons --help")
        assert "Run and operate the LCR Data Commons." in helped and "check" in helped and "EXIT=0" in helped
        blocked = await terminal.run("commons check count_of_5.csv -m visits.yaml")
        assert "count_of_5.csv (community tier): does not meet the standard: 1 error(s)" in blocked, blocked
        assert "column `visits` on line 3 is a count of 5, below 10" in blocked and "EXIT=1" in blocked
        clean = await terminal.run("commons check clean.csv -m visits.yaml")
        assert "clean.csv (community tier): meets the standard; quality score 100/100" in clean and "EXIT=0" in clean
        # It runs as the member: the state directory, and so what only the services may do, stays out of reach.
        state = await terminal.run(f"ls {hub.home}/governance.sqlite")
        assert "Permission denied" in state and "EXIT=0" not in state

    try:
        asyncio.run(session())
    finally:
        terminal.close()
