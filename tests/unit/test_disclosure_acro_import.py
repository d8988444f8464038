"""ACRO changes logging and warnings for the whole process when imported; the commons' import does not."""

import json
import subprocess
import sys
import warnings

import pytest

from commons_kernel.config import PROJECT_ROOT
from commons_kernel.disclosure.acro_bridge import quiet_acro

pytestmark = pytest.mark.unit

PROBE = """
import json, logging, warnings
import {module}
print(json.dumps({{
    "root_handlers": len(logging.getLogger().handlers),
    "future_warnings_ignored": ("ignore", None, FutureWarning, None, 0) in warnings.filters,
    "acro_level": logging.getLogger("acro").level,
}}))
"""


def probe(module: str, tmp_path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin:/bin", "MPLBACKEND": "agg"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_importing_acro_itself_changes_the_process(tmp_path):
    assert probe("acro", tmp_path) == {"root_handlers": 1, "future_warnings_ignored": True, "acro_level": 0}


@pytest.mark.slow
def test_importing_the_commons_wrapper_does_not(tmp_path):
    assert probe("commons_kernel.disclosure", tmp_path) == {
        "root_handlers": 0,
        "future_warnings_ignored": False,
        "acro_level": 30,
    }
    assert list(tmp_path.iterdir()) == []


def test_quiet_acro_ignores_only_warnings_raised_from_acro():
    with quiet_acro():
        with pytest.warns(FutureWarning, match="outside ACRO"):
            warnings.warn("outside ACRO", FutureWarning, stacklevel=1)
        warnings.warn_explicit("inside ACRO", FutureWarning, "table_utils.py", 1, module="acro.table_utils")
