"""Imported once by the upload checks' forkserver (upload_budget.py), never by anything else: it imports the
checks and runs them on a tiny table, so the lazy imports and caches are warm in every child forked from it and
a check costs milliseconds instead of seconds."""

from commons_kernel.tiers import DEFAULT
from commons_kernel.upload_checks import check_upload

_TINY = b"ward22_code,month,visits\nE05000886,2022-01,25\n"
_METADATA = {
    "name": "warm_up",
    "title": "Warm up",
    "description": "Warms the checks.",
    "licence": "OGL-UK-3.0",
    "tier": DEFAULT,
}

try:
    check_upload(_TINY, "warm_up.csv", DEFAULT, metadata=_METADATA, raise_on_block=False, budget=False)
except Exception:  # a warm-up only: a child runs the real checks and reports their problems
    pass
