"""`commons stories status` and `commons stories refresh [SLUG...] [--all] [--force]`."""

from __future__ import annotations

import json
import logging
import sys


def register(sub) -> None:
    parser = sub.add_parser("stories", help="the stories for residents: run history and refreshes")
    ssub = parser.add_subparsers(dest="stories_command", metavar="ACTION", required=True)
    p = ssub.add_parser("status", help="each story's published version and its recent runs")
    p.add_argument("--runs", type=int, default=10, help="how many recent runs to list (default 10)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=status)
    p = ssub.add_parser("refresh", help="re-run stories now, as the stories identity, against the running hub")
    p.add_argument("slugs", nargs="*", metavar="SLUG", help="stories to refresh (see `commons stories status`)")
    p.add_argument("--all", action="store_true", help="every story")
    p.add_argument("--force", action="store_true", help="run even if the input datasets have not changed")
    p.add_argument(
        "--place",
        action="append",
        default=None,
        metavar="CODE",
        help="only this place (repeatable): for previews and tests; the snapshot then has only these",
    )
    p.add_argument("--workers", type=int, default=2, help="places rendered at once (default 2)")
    p.set_defaults(handler=refresh)


def _selected(args):
    from commons_kernel.exceptions import ValidationFailed
    from commons_kernel.stories.model import discover, find_story

    if args.all == bool(args.slugs):
        raise ValidationFailed(
            "Name the stories to refresh, or say --all (not both). List them with `commons stories status`."
        )
    return discover() if args.all else [find_story(slug) for slug in args.slugs]


def refresh(args) -> int:
    from commons_hub.install import load_or_create_secrets
    from commons_hub.publishing.runner import Refresher
    from commons_hub.services.refresher.service import quiet_papermill
    from commons_kernel import config
    from commons_kernel.stories.inputs import DataApiInputs

    logging.basicConfig(level=logging.INFO, format="[stories %(asctime)s] %(message)s")
    quiet_papermill()
    stories = _selected(args)
    token = load_or_create_secrets(config.home())["stories_token"]
    refresher = Refresher(DataApiInputs(token), token, config.hub_url(), workers=args.workers)
    failed = 0
    for story in stories:
        if args.place:
            result = refresher.refresh(story, force=True, only_places=args.place)
        else:
            result = refresher.refresh_many([story], force=args.force)[0]
        detail = f"{result.places} places in {result.seconds:.1f} s" if result.status == "published" else ""
        print(f"{story.slug}: {result.status} {result.run_id} {detail}{result.error or ''}".rstrip())
        failed += result.status == "failed"
    return 1 if failed else 0


def status(args) -> int:
    from commons_hub.publishing import snapshot
    from commons_hub.publishing.history import RunHistory
    from commons_kernel.stories.model import discover

    history = RunHistory()
    history.mark_interrupted()
    stories = []
    for story in discover():
        current = snapshot.published(story.slug)
        last = history.last_published(story.slug)
        stories.append(
            {
                "story": story.slug,
                "title": story.title,
                "schedule": story.schedule,
                "published_run": current.name if current else None,
                "published_at": last["ended_at"] if last else None,
            }
        )
    recent = history.recent(limit=args.runs)
    if args.json:
        json.dump({"stories": stories, "runs": recent}, sys.stdout, indent=2, default=str)
        print()
        return 0
    print("Stories:")
    for s in stories:
        where = f"published run {s['published_run']}" if s["published_run"] else "not published yet"
        print(f"  {s['story']:<32} {where}  (schedule {s['schedule']})")
    print("\nRecent runs (newest first):")
    for run in recent:
        ended = run["ended_at"].strftime("%Y-%m-%d %H:%M:%S") if run["ended_at"] else "-"
        started = run["started_at"].strftime("%Y-%m-%d %H:%M:%S")
        error = f"  {run['error']}" if run["error"] else ""
        print(
            f"  {run['run_id']:<24} {run['story']:<32} {run['status']:<11} {started} → {ended} "
            f"places={run['places']}{error}"
        )
    if not recent:
        print("  none yet: `commons stories refresh --all`")
    return 0
