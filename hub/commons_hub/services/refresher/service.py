"""Run the refresher: `python -m commons_hub.services.refresher.service` (the hub starts it).

- marks runs left "running" by a killed process as interrupted;
- schedules each story from the cron line in its story.yaml (APScheduler, Europe/London);
- at start, in the background, publishes every story that has no published snapshot yet (setting
  ``stories_refresh_on_start``), once the data-api answers;
- on SIGTERM stops at once: a run in progress is abandoned, which leaves the published snapshot as it was.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from commons_hub.publishing import snapshot
from commons_hub.publishing.history import RunHistory
from commons_hub.publishing.runner import Refresher
from commons_kernel import config
from commons_kernel.client import DataApiClient
from commons_kernel.stories.inputs import DataApiInputs
from commons_kernel.stories.model import discover

TIMEZONE = "Europe/London"
log = logging.getLogger("commons.stories")


def stories_token() -> str:
    token = os.environ.get("JUPYTERHUB_API_TOKEN")
    if not token:  # the hub gives a managed service its token; the service never reads the hub's secrets
        raise SystemExit("the refresher has no JUPYTERHUB_API_TOKEN: start it as a hub-managed service (`commons up`)")
    return token


def wait_for_data_api(client: DataApiClient, timeout: float = 300) -> bool:
    """Whether the data-api answered its health check within ``timeout`` seconds (asked every 2 s)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if client.answers():
            return True
        time.sleep(2)
    return False


def build_refresher() -> Refresher:
    hub_url = config.hub_url()
    token = stories_token()
    return Refresher(DataApiInputs(token, hub_url), token, hub_url, workers=min(2, os.cpu_count() or 1))


def schedule(scheduler: BackgroundScheduler, refresher: Refresher) -> None:
    for story in discover():
        trigger = CronTrigger.from_crontab(story.schedule, timezone=TIMEZONE)
        scheduler.add_job(
            refresher.refresh_many,
            trigger,
            args=[[story]],
            kwargs={"trigger": "schedule"},
            id=story.slug,
            name=f"refresh {story.slug}",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=3600,
        )
        log.info("%s: scheduled %r (%s)", story.slug, story.schedule, TIMEZONE)


def publish_missing(refresher: Refresher) -> None:
    missing = [story for story in discover() if snapshot.published(story.slug) is None]
    if not missing:
        return
    if not wait_for_data_api(DataApiClient.for_hub(refresher.hub_url, refresher.token)):
        log.error("the data-api did not answer: stories not published at start")
        return
    log.info("publishing %d stories not yet published: %s", len(missing), ", ".join(s.slug for s in missing))
    refresher.refresh_many(missing, trigger="start")


def quiet_papermill() -> None:
    """Papermill logs every notebook and cell; the refresher logs progress per story instead."""
    logging.getLogger("papermill").setLevel(logging.ERROR)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="[refresher %(asctime)s %(levelname)s] %(message)s")
    quiet_papermill()
    interrupted = RunHistory().mark_interrupted()
    if interrupted:
        log.info("%d earlier runs were interrupted (their published versions were kept)", interrupted)
    refresher = build_refresher()
    scheduler = BackgroundScheduler(timezone=TIMEZONE)
    schedule(scheduler, refresher)
    scheduler.start()
    if config.setting("stories_refresh_on_start"):
        threading.Thread(target=publish_missing, args=(refresher,), name="publish-at-start", daemon=True).start()
    stopping = threading.Event()

    def stop(signum, _frame):
        log.info("signal %s: stopping", signum)
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    stopping.wait()
    scheduler.shutdown(wait=False)
    RunHistory().mark_interrupted(own=True)
    os._exit(0)  # a run in progress is abandoned: its kernels exit with us, the published snapshot stays


if __name__ == "__main__":
    main()
