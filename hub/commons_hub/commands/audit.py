"""`commons audit verify|head|tail`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(sub) -> None:
    parser = sub.add_parser("audit", help="verify or read the tamper-evident audit log")
    asub = parser.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    p = asub.add_parser(
        "verify",
        help="prove the log: every entry, the anchor, and heads kept earlier; exit 0 if "
        "intact, 1 naming the first bad entry",
    )
    p.add_argument(
        "--head",
        action="append",
        default=[],
        type=_head,
        metavar="ID:HASH",
        help="a head copied earlier (from the register's audit page or `commons audit head`): the log must "
        "still contain entry ID with exactly that hash; repeat for several",
    )
    p.add_argument(
        "--head-file",
        action="append",
        default=[],
        type=_head_file,
        metavar="FILE",
        help="the same, from a copy of the register's audit/head.json; repeat for several",
    )
    p.set_defaults(handler=verify)
    p = asub.add_parser("head", help="the current chain head (id, hash, time) to keep a copy of, if the log verifies")
    p.add_argument("--json", action="store_true", help="print it as the register's api/audit/head does")
    p.set_defaults(handler=head)
    p = asub.add_parser("tail", help="the newest entries")
    p.add_argument("-n", type=int, default=20, help="how many (default 20)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=tail)


def _head(text: str):
    from commons_hub.audit_verify import parse_head

    try:
        return parse_head(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _head_file(path: str):
    from commons_hub.audit_verify import parse_head

    try:
        saved = json.loads(Path(path).read_text(encoding="utf-8"))
        return parse_head(f"{saved['id']}:{saved['hash']}")
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot read {path}: {exc.strerror}") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise argparse.ArgumentTypeError(
            f"{path} is not a saved head: it should be the JSON of the register's audit/head.json (or "
            f'`commons audit head --json`), with "id" and "hash" ({exc})'
        ) from exc


def _broken(result) -> str:
    where = f" at entry {result.first_bad_id}" if result.first_bad_id is not None else ""
    return f"Audit chain BROKEN{where}: {result.reason}."


def verify(args) -> int:
    from commons_hub.audit import AuditLog

    heads = args.head + args.head_file
    result = AuditLog().verify(heads)
    if not result.ok:
        print(_broken(result), file=sys.stderr)
        return 1
    kept = f"; it still contains the {len(heads)} head(s) kept earlier, unchanged" if heads else ""
    print(f"Audit chain intact: {result.entries} entries{kept}.")
    return 0


def head(args) -> int:
    from commons_hub.audit import AuditLog
    from commons_hub.audit_verify import head_record

    result = AuditLog().verify()
    if args.json:
        json.dump(head_record(result), sys.stdout, indent=1)
        print()
    if not result.ok:
        print(_broken(result) + " No head to keep: a head of a changed log proves nothing.", file=sys.stderr)
        return 1
    if not args.json:
        if result.head is None:
            print("The audit log has no entries yet: no head to keep.")
        else:
            h = result.head
            print(
                f"entry {h['id']}  {h['time']}\nhash  {h['hash']}\n"
                f"Keep a copy; later `commons audit verify --head {h['id']}:{h['hash']}` proves the log still "
                f"contains it unchanged."
            )
    return 0


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
        print(
            f"{e['id']:>6} {e['time'][:19]} {e['actor']:<14} {e['action']:<8} {e['outcome']:<7} {what}{rows}{project}"
        )
    return 0
