"""Every module of commons_kernel and commons_hub imports on its own, first, in a process where none of ours is loaded.

An import circle (a imports b imports a) often works by luck of order: it breaks only when someone imports b first,
in a notebook, a service or a test. So each module here is imported first, in a process of its own, forked from one
in which only third-party libraries are loaded (those our modules use, found by a first process that imports them
all), so that the 200-odd imports take seconds, not minutes. The driver checks that none of ours is loaded before
it forks.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {"commons_kernel": ROOT / "commons_kernel", "commons_hub": ROOT / "hub" / "commons_hub"}
# Not importable as plain modules, each for a reason: Alembic runs env.py and the revision files itself, inside a
# migration context (tests/unit/test_migrations.py runs them that way); a __main__ module runs its program; Dask
# Gateway's config file is executed by the gateway with `get_config` defined (like jupyterhub_config.py).
NOT_PLAIN_MODULES = {
    "commons_hub.migrations.env",
    "commons_hub.migrations.versions.0001_baseline",
    "commons_kernel.standard.__main__",
    "commons_hub.services.dask_gateway.gateway_config",
}
# Third-party packages never preloaded: importing intake imports commons_kernel (its `intake.imports` entry point).
NOT_PRELOADED = {"intake"}
SECONDS_PER_MODULE = 120  # a module still importing after this long starts something at import time

DRIVER = r"""
import importlib, json, os, select, signal, sys, time, traceback
job = json.load(sys.stdin)
modules, ours = job["modules"], tuple(job["packages"])
def is_ours(name):
    return name.split(".")[0] in ours
def fork(work, limit):
    # Run work() in a forked child; (exit status, what it wrote) or (None, why) when it took longer than limit.
    read, write = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        sys.argv = ["import-check"]
        try:
            os.write(write, work().encode())
            code = 0
        except BaseException:
            os.write(write, traceback.format_exc(limit=8).encode())
            code = 1
        os._exit(code)
    os.close(write)
    output, status = b"", None
    while True:
        ready, _, _ = select.select([read], [], [], max(0.0, started + limit - time.monotonic()))
        if not ready:
            os.kill(pid, signal.SIGKILL)
            output += f"still importing after {limit:.0f} s: does it start something at import time?".encode()
            break
        chunk = os.read(read, 65536)
        if not chunk:
            break
        output += chunk
    os.close(read)
    _, status = os.waitpid(pid, 0)
    return status, output.decode()
def third_party():
    for name in modules:
        try:
            importlib.import_module(name)
        except BaseException:
            pass  # reported by its own import below
    top = sorted({m for m in sys.modules if not is_ours(m) and m not in ("__main__", "__mp_main__")
                  and m.split(".")[0] not in job["not_preloaded"]})
    return json.dumps(top)
status, found = fork(third_party, 20 * job["limit"])
if status != 0:
    print(json.dumps({"error": "the process importing every module failed: " + found}))
    sys.exit(0)
for name in json.loads(found):
    try:
        importlib.import_module(name)
    except BaseException:
        pass  # a module that imports only as part of another (a lazy alias): the real import will load it
loaded = sorted(m for m in sys.modules if is_ours(m))
if loaded:
    print(json.dumps({"error": "third-party preloading imported our modules (add the package that did it to "
                               "NOT_PRELOADED): " + ", ".join(loaded)}))
    sys.exit(0)
failures = {}
for name in modules:
    status, output = fork(lambda: (importlib.import_module(name), "")[1], job["limit"])
    if status != 0:
        failures[name] = output or f"exit status {status}"
print(json.dumps({"failures": failures}))
"""


def module_names() -> list[str]:
    names = []
    for package, folder in PACKAGES.items():
        for path in sorted(folder.rglob("*.py")):
            relative = path.relative_to(folder).with_suffix("")
            if not all(part.isidentifier() or part[:1].isdigit() for part in relative.parts):
                continue  # not a module path (kernel/00-commons.py is an IPython start-up file)
            if not all(
                (folder.joinpath(*relative.parts[:i]) / "__init__.py").exists() for i in range(len(relative.parts))
            ):
                continue  # a .py file outside any package (static files, templates)
            parts = [package, *relative.parts]
            if parts[-1] == "__init__":
                parts.pop()
            names.append(".".join(parts))
    return [n for n in names if n not in NOT_PLAIN_MODULES]


def test_the_module_list_covers_both_packages():
    names = module_names()
    assert "commons_kernel.geography.levels" in names and "commons_hub.services.data_api.app" in names
    assert len(names) > 150


@pytest.mark.slow  # 4.8 min measured on two cores shared at load 14
def test_each_module_imports_alone():
    job = {
        "modules": module_names(),
        "packages": sorted(PACKAGES),
        "not_preloaded": sorted(NOT_PRELOADED),
        "limit": SECONDS_PER_MODULE,
    }
    result = subprocess.run(
        [sys.executable, "-c", DRIVER], input=json.dumps(job), cwd=ROOT, capture_output=True, text=True, timeout=1800
    )
    assert result.returncode == 0 and result.stdout.strip(), result.stderr[-4000:] + result.stdout[-4000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert "error" not in report, report.get("error")
    failures = report["failures"]
    assert not failures, "\n\n".join(f"{name} cannot be imported first:\n{why}" for name, why in failures.items())
