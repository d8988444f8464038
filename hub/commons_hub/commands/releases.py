"""`commons releases list|show|verify`: what was asked for, reviewed and released, and whether files are intact.

Reviews are made by output checkers as themselves (`ck.review_release`, or the data-api with their own token),
never from this command, so every decision carries a person's name.
"""

from __future__ import annotations

import json
import sys


def register(sub) -> None:
    parser = sub.add_parser("releases", help="list, show and verify output releases")
    rsub = parser.add_subparsers(dest="releases_command", metavar="ACTION", required=True)
    p = rsub.add_parser("list", help="every release with its status and approvals")
    p.add_argument("--status", choices=["pending", "released", "rejected", "changes-requested"])
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=list_releases)
    p = rsub.add_parser("show", help="one release: files with sha256 and checks, reviews")
    p.add_argument("id", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=show)
    p = rsub.add_parser("verify", help="recompute every stored file's sha256; exit 1 naming any that changed")
    p.add_argument("id", type=int, nargs="?", help="one release (default: all)")
    p.set_defaults(handler=verify)


def _releases(status=None):
    from commons_hub.db import engine
    from commons_hub.releases.service import all_releases

    return all_releases(engine(), status)


def list_releases(args) -> int:
    from commons_hub.releases import rules

    rows = _releases(args.status)
    if args.json:
        json.dump(rows, sys.stdout, indent=2, default=str)
        print()
        return 0
    if not rows:
        print("No releases yet. Analysts ask with ck.request_release(...).")
    for r in rows:
        # the approvals that count, as the review rule counts them (each checker's latest, never the requester's)
        approvals = rules.approvals(
            [rules.ReviewView(v["checker"], v["decision"]) for v in r["reviews"]], r["requester"]
        )
        print(
            f"{r['id']:>5}  {r['status']:<18} {r['project']:<24} v{r['version']}  {r['requester']:<12} "
            f"approved by: {', '.join(approvals) or '-':<20}  {r['title']}"
        )
    return 0


def show(args) -> int:
    from commons_kernel.exceptions import CommonsError

    rows = [r for r in _releases() if r["id"] == args.id]
    if not rows:
        raise CommonsError(f"No release {args.id}; `commons releases list` shows them all.")
    r = rows[0]
    if args.json:
        json.dump(r, sys.stdout, indent=2, default=str)
        print()
        return 0
    print(
        f"Release {r['id']} (version {r['version']}): {r['title']}\n  project {r['project']}, asked by "
        f"{r['requester']} on {r['created_at']}, status {r['status']}"
        + (f", released {r['released_at']}" if r["released_at"] else "")
        + (f"; resubmits release {r['replaces']}" if r["replaces"] else "")
    )
    print(f"\n{r['description']}\n\nfiles:")
    for f in r["files"]:
        print(
            f"  {f['name']:<40} {f['kind']:<7} {f['bytes']:>9} bytes  sha256 {f['sha256'][:16]}…  "
            f"check {f['check_status']}" + (f"  exception: {f['exception']}" if f["exception"] else "")
        )
    print("\nreviews:" if r["reviews"] else "\nno reviews yet")
    for v in r["reviews"]:
        print(f"  {v['created_at']}  {v['checker']:<12} {v['decision']:<16} {v['comment']}")
    return 0


def verify(args) -> int:
    from commons_hub.releases import files as release_files
    from commons_kernel import config

    rows = [r for r in _releases() if args.id is None or r["id"] == args.id]
    problems = []
    for r in rows:
        problems += release_files.verify(config.home(), r["id"], {f["name"]: f["sha256"] for f in r["files"]})
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print(f"{len(rows)} release(s) intact: every file matches its sha256.")
    return 0
