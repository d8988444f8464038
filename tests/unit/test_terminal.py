"""`commons` on PATH in members' terminals (commons_hub.terminal): the hook's settings, and why a login shell
lost it. A real terminal of a real user server: tests/integration/test_one_validation.py."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from types import SimpleNamespace

import pytest

from commons_hub import terminal

pytestmark = pytest.mark.unit


def config(args=None, environment=None):
    return SimpleNamespace(Spawner=SimpleNamespace(args=list(args or []), environment=dict(environment or {})))


def test_the_hook_puts_the_commons_environment_first_and_a_shell_that_keeps_path():
    c = config(["--ServerApp.foo=1"], {"COMMONS_HUB_URL": "http://127.0.0.1:1"})
    terminal.terminal_hook(c, None)
    terminal.terminal_hook(c, None)  # idempotent
    assert c.Spawner.args == ["--ServerApp.foo=1", "--ServerApp.terminado_settings=shell_command=/bin/bash -i"]
    path = c.Spawner.environment["PATH"].split(os.pathsep)
    assert path[0] == str(terminal.commons_bin()) and path.count(path[0]) == 1
    assert (terminal.commons_bin() / "commons").exists()
    assert c.Spawner.environment["COMMONS_HUB_URL"] == "http://127.0.0.1:1"


def test_jupyter_reads_the_shell_setting_as_the_command_it_runs():
    from jupyter_server.serverapp import ServerApp

    app = ServerApp()
    app.parse_command_line(terminal.terminal_args())
    assert shlex.split(app.terminado_settings["shell_command"]) == terminal.SHELL


def test_the_terminals_shell_finds_commons_where_a_login_shell_would_not():
    env = {"PATH": terminal.server_path("/usr/bin:/bin"), "HOME": "/tmp", "TERM": "dumb"}
    found = subprocess.run(
        [*terminal.SHELL, "-c", "command -v commons"],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=30,
    )
    assert found.stdout.strip() == str(terminal.commons_bin() / "commons")
    # The login shell Jupyter used to start: /etc/profile gives an account other than root the system's PATH.
    as_member = [shutil.which("runuser"), "-u", "nobody", "--"] if os.geteuid() == 0 else []
    lost = subprocess.run(
        [*as_member, "/bin/bash", "-l", "-c", "command -v commons || echo missing"],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=30,
    )
    assert lost.stdout.strip() == "missing"


@pytest.mark.parametrize("command", [["users"], ["audit", "verify"]])
def test_a_member_running_an_operators_command_is_told_why_not(tmp_path, command):
    # As in a member's terminal: their own account, a state directory it cannot open.
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    (state / "secrets.json").write_text("{}")
    as_member = [shutil.which("runuser"), "-u", "nobody", "--"] if os.geteuid() == 0 else []
    if not as_member:
        pytest.skip("needs root, to run as another account")
    os.chmod(tmp_path, 0o755)
    done = subprocess.run(
        [*as_member, "env", f"COMMONS_HOME={state}", "HOME=/tmp", str(terminal.commons_bin() / "commons"), *command],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert (
        f"`commons {command[0]}` needs the commons' state directory, which the account `nobody` cannot open"
        in done.stderr
    )
