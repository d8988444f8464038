"""A separate process that appends to the audit log, for tests/unit/test_audit_concurrency.py and the benchmark.

python -m tests.unit.audit_append_child URL ANCHOR WORKER COUNT      append COUNT entries, then exit
python -m tests.unit.audit_append_child URL ANCHOR WORKER hold FILE  append one entry inside an open audited
                                                                   transaction, touch FILE, and wait (to be killed)
"""

import sys
import time
from pathlib import Path

from commons_hub.audit import AuditEvent, AuditLog
from commons_hub.db import engine


def main(url: str, anchor: str, worker: str, what: str, ready: str | None = None) -> None:
    audit = AuditLog(engine(url), anchor=Path(anchor))
    if what == "hold":
        with audit.transaction() as conn:
            audit.append(AuditEvent(actor=f"w{worker}", action="read", dataset="held"), conn=conn)
            Path(ready).touch()
            time.sleep(600)
        return
    for i in range(int(what)):
        audit.append(AuditEvent(actor=f"w{worker}", action="read", dataset="d", rows=i))


if __name__ == "__main__":
    main(*sys.argv[1:])
