"""`commons audit verify|tail`."""

from __future__ import annotations

import json
import sys


def register(sub) -> None:
    parser = sub.add_parser("audit", help="verify or read the tamper-evident audit log")
    asub = parser.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    p = asub.add_parser("verify", help="check the hash chain; exit 0 if intact, 1 naming the first bad entry")
    p.set_defaults(handler=verify)
    p = asub.add_parser("tail", help="the newest entries")
    p.add_argument("-n", type=int, default=20, help="how many (default 20)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=tail)


def verify(args) -> int:
    from commons_hub.audit import AuditLog

    result = AuditLog().verify()
    if result.ok:
        print(f"Audit chain intact: {result.entries} entries.")
        return 0
    print(f"Audit chain BROKEN at entry {result.first_bad_id}: {result.reason}", file=sys.stderr)
    return 1


def tail(args) -> int:
    from commons_hub.audit import AuditLog

    entries = AuditLog().tail(args.n)
    if args.json:
        json.dump(entries, sys.stdout, indent=2, default=str)
        print()
        return 0
    for e in entries:
        what = e["dataset"] or ""
        if e["version"]:
            what += f" v{e['version']}"
        rows = f" {e['rows']} rows" if e["rows"] is not None else ""
        project = f" project={e['project']}" if e["project"] else ""
        print(f"{e['id']:>6} {e['time'][:19]} {e['actor']:<14} {e['action']:<8} {e['outcome']:<7} {what}{rows}{project}")
    return 0
