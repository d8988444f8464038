"""The dask-gateway service's supervisor: stopping it stops both children; killing it outright still ends them
(each watches its parent); one child ending stops the other. Real processes throughout: the children stand in
for the gateway and the front door (tests/ only)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from tests import processes

CHILD = textwrap.dedent("""
    import sys, time
    from commons_hub.services.dask_gateway.service import watch_parent
    watch_parent(0.1)
    time.sleep(float(sys.argv[1]))
    sys.exit(int(sys.argv[2]))
""")


def start_supervisor(*children: tuple[float, int]) -> subprocess.Popen:
    commands = [[sys.executable, "-c", CHILD, str(seconds), str(code)] for seconds, code in children]
    code = (
        "import sys; from commons_hub.services.dask_gateway.service import supervise; "
        f"sys.exit(supervise({commands!r}))"
    )
    supervisor = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.monotonic() + 30
    while len(processes.descendants(supervisor.pid)) < len(children):
        assert time.monotonic() < deadline, "the supervisor did not start its children"
        time.sleep(0.05)
    return supervisor


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_stopping_the_supervisor_stops_both_children(signum):
    supervisor = start_supervisor((600, 0), (600, 0))
    children = processes.descendants(supervisor.pid)
    supervisor.send_signal(signum)
    assert supervisor.wait(30) == 0
    assert processes.still_running(children, grace=5) == {}


def test_killing_the_supervisor_outright_still_ends_the_children():
    supervisor = start_supervisor((600, 0), (600, 0))
    children = processes.descendants(supervisor.pid)
    os.kill(supervisor.pid, signal.SIGKILL)
    supervisor.wait(10)
    left = processes.still_running(children, grace=10)
    processes.kill_all(left)
    assert left == {}


def test_one_child_ending_stops_the_other_and_passes_on_its_code():
    supervisor = start_supervisor((600, 0), (0.5, 3))
    children = processes.descendants(supervisor.pid)
    assert supervisor.wait(30) == 3
    assert processes.still_running(children, grace=5) == {}
