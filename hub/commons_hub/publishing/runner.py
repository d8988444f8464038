"""``Refresher.refresh(story)``: one refresh of one story, for every place, promoted only on full success.

1. Ask the data-api for the versions of the story's datasets; unchanged since the last published run (and the
   story's own files unchanged) → skipped, unless forced.
2. Papermill runs story.ipynb once with ``save_artefacts``: it computes through the data-api, as the stories
   identity, and saves the raw artefacts in the work folder.
3. ``artefacts.disclose``: the disclosure rule on every artefact; only the checked set goes into the run folder.
4. Papermill runs story.ipynb for each place with ``artefacts`` (warm kernels, two at a time), and each executed
   notebook becomes a static page (input hidden).
5. The Voilà app, the story's module and story.json join the run folder, which is promoted by an atomic switch.
Any failure leaves the published snapshot as it was and records the error in the run history and the audit log.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from commons_hub.publishing import history as runs
from commons_hub.publishing import snapshot
from commons_hub.publishing.engine import WarmKernel, close_thread_loop, kernel_environment
from commons_hub.publishing.pages import exporter, write_app, write_page
from commons_kernel import config
from commons_kernel.stories import artefacts as artefact_store
from commons_kernel.stories import periods
from commons_kernel.stories.chooser import chooser_html, noun
from commons_kernel.stories.inputs import input_versions
from commons_kernel.stories.model import Place, Story, stories_dir

log = logging.getLogger("commons.stories")
APP_TEMPLATE = "_app/app.ipynb"
PUBLIC_SOURCE = ("name", "title", "publisher", "licence", "licence_url", "attribution")  # in story.json


@dataclass
class RefreshResult:
    story: str
    status: str
    run_id: str
    places: int = 0
    seconds: float = 0.0
    error: str | None = None


class PlaceFailed(Exception):
    def __init__(self, place: Place, cause: BaseException):
        self.place, self.cause = place, cause
        super().__init__(f"place {place.code} ({place.name}): {_short(cause)}")


def _short(exc: BaseException) -> str:
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    text = f"{ename}: {evalue}" if ename else f"{type(exc).__name__}: {exc}"
    return text.strip()[:800]


class Refresher:
    def __init__(
        self,
        inputs,
        token: str,
        hub_url: str,
        *,
        home: Path | None = None,
        history=None,
        audit=None,
        workers: int = 2,
        actor: str = "refresher",
        stories_folder: Path | None = None,
    ):
        self.inputs, self.token, self.hub_url = inputs, token, hub_url.rstrip("/")
        self.home, self.workers, self.actor = home, max(1, workers), actor
        self.history = history or runs.RunHistory()
        self.audit = audit
        self.stories_folder = Path(stories_folder) if stories_folder else stories_dir()

    # -- one story -------------------------------------------------------------------------------------------------
    def refresh(
        self, story: Story, *, force: bool = False, only_places: list[str] | None = None, trigger: str = "manual"
    ) -> RefreshResult:
        with snapshot.story_lock(story.slug, self.home):
            return self._refresh_locked(story, force, only_places, trigger)

    def _refresh_locked(self, story, force, only_places, trigger) -> RefreshResult:
        started = time.monotonic()
        versions = input_versions(story, self.inputs)
        last = self.history.last_published(story.slug)
        current = snapshot.published(story.slug, self.home)
        if not force and not only_places and last and current and last["input_versions"] == versions:
            reason = "inputs unchanged since run " + last["run_id"]
            run_id = self.history.record_skip(story.slug, versions, trigger, self.actor, reason)
            log.info("%s: skipped (%s)", story.slug, reason)
            return RefreshResult(story.slug, runs.SKIPPED, run_id, error=reason)
        places = story.parameter.places(self.inputs.read)
        if only_places:
            unknown = set(only_places) - {p.code for p in places}
            if unknown:
                raise ValueError(f"{sorted(unknown)} are not places of story {story.slug}; e.g. {places[0].code}.")
            places = [p for p in places if p.code in set(only_places)]
        run_id = self.history.start(
            story.slug, {story.parameter.name: [p.code for p in places]}, versions, trigger, self.actor, len(places)
        )
        run, work = snapshot.new_run_dirs(story.slug, run_id, self.home)
        log.info("%s: run %s started for %d places", story.slug, run_id, len(places))
        try:
            self._build(story, places, run, work, run_id, versions)
            snapshot.promote(story.slug, run, self.home)
        except BaseException as exc:  # KeyboardInterrupt too: record it, keep the published snapshot
            error = str(exc) if isinstance(exc, PlaceFailed) else _short(exc)
            self.history.finish(run_id, runs.FAILED, error)
            shutil.rmtree(run, ignore_errors=True)
            self._audit(story, run_id, "error", versions, len(places), time.monotonic() - started, error)
            log.error("%s: run %s failed, the published version is kept: %s", story.slug, run_id, error)
            if not isinstance(exc, Exception):
                raise
            return RefreshResult(story.slug, runs.FAILED, run_id, len(places), time.monotonic() - started, error)
        shutil.rmtree(work / "raw", ignore_errors=True)
        self.history.finish(run_id, runs.PUBLISHED)
        seconds = time.monotonic() - started
        self._audit(story, run_id, "ok", versions, len(places), seconds, None)
        snapshot.prune(story.slug, self.home)
        log.info("%s: run %s published %d places in %.1f s", story.slug, run_id, len(places), seconds)
        return RefreshResult(story.slug, runs.PUBLISHED, run_id, len(places), seconds)

    # -- the steps ---------------------------------------------------------------------------------------------------
    def _build(self, story: Story, places: list[Place], run: Path, work: Path, run_id: str, versions: dict) -> None:
        env = kernel_environment(self.token, self.hub_url, {"COMMONS_STORIES_DIR": str(self.stories_folder)})
        parameter = story.parameter.name
        with WarmKernel(story.folder, env) as kernel:
            kernel.execute(
                story.notebook,
                work / "compute.ipynb",
                {parameter: story.parameter.example, "save_artefacts": str(work / "raw")},
            )
        reports = artefact_store.disclose(work / "raw", run / "artefacts")
        (work / "disclosure.json").write_text(json.dumps(reports, indent=1, default=str))
        sources = json.loads((run / "artefacts" / artefact_store.MANIFEST).read_text()).get("sources", [])
        data_periods = periods.story_periods(dict(story.periods), sources)  # fails early when one is missing
        self._render_places(story, places, run, work, env)
        write_app(self.app_template(), run / "app.ipynb", story.title)
        shutil.copyfile(story.module_file, run / story.module_file.name)
        shutil.copyfile(story.folder / "story.yaml", run / "story.yaml")
        missing = [p.code for p in places if not (run / "pages" / f"{p.code}.html").is_file()]
        if missing:
            raise RuntimeError(f"pages missing for {len(missing)} places (e.g. {missing[0]})")
        public = {
            **story.to_public(),
            "module": story.module,
            "run_id": run_id,
            # the link a waiting app re-reads, relative to the run folder (no server paths in public files)
            "published": os.path.relpath(snapshot.published_dir(self.home) / story.slug, run),
            "published_at": runs.now().isoformat(timespec="seconds"),
            "input_versions": versions,
            "places": [{"code": p.code, "name": p.name, "group": p.group, "label": p.label} for p in places],
            "thumbnail": (run / "thumbnail.png").is_file(),
            "periods": data_periods,
            "sources": [{k: source.get(k) for k in PUBLIC_SOURCE} for source in sources],
        }
        (run / "story.json").write_text(json.dumps(public, indent=1))

    def app_template(self) -> Path:
        """The Voilà app: the stories folder's own ``_app/app.ipynb``, else the project's."""
        own = self.stories_folder / APP_TEMPLATE
        return own if own.is_file() else config.PROJECT_ROOT / "stories" / APP_TEMPLATE

    def _render_places(self, story: Story, places: list[Place], run: Path, work: Path, env: dict) -> None:
        (work / "notebooks").mkdir(exist_ok=True)
        stop = threading.Event()
        done = [0]
        lock = threading.Lock()
        footer = f"{story.title}. Liverpool City Region Data Commons."
        listed = [{"code": p.code, "name": p.name, "group": p.group} for p in places]

        def worker(chunk: list[Place]) -> None:
            try:
                render(chunk)
            finally:
                close_thread_loop()

        def render(chunk: list[Place]) -> None:
            html = exporter()
            with WarmKernel(story.folder, env) as kernel:
                for place in chunk:
                    if stop.is_set():
                        return
                    parameters = {story.parameter.name: place.code, "artefacts": str(run / "artefacts")}
                    if place == places[0]:
                        parameters["thumbnail"] = str(run / "thumbnail.png")
                    executed = work / "notebooks" / f"{place.code}.ipynb"
                    try:
                        kernel.execute(story.notebook, executed, parameters)
                        write_page(
                            executed,
                            run / "pages" / f"{place.code}.html",
                            title=f"{story.title}: {place.label}",
                            footer=footer,
                            html_exporter=html,
                            links={
                                "gallery": "../../",
                                "static": "../../static",
                                "app": f"../app?{story.parameter.name}={place.code}",
                            },
                            chooser=chooser_html(
                                listed, story.parameter.name, href=lambda c: f"{c}.html", current=place.code
                            ),
                            choose_label=f"Choose another {noun(story.parameter.name)}",
                        )
                    except Exception as exc:
                        stop.set()
                        raise PlaceFailed(place, exc) from exc
                    with lock:
                        done[0] += 1
                        if done[0] % 10 == 0 or done[0] == len(places):
                            log.info("%s: %d/%d places", story.slug, done[0], len(places))

        chunks = [places[i :: self.workers] for i in range(self.workers)]
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix=f"story-{story.slug}") as pool:
            futures = [pool.submit(worker, chunk) for chunk in chunks if chunk]
            errors = [error for error in (f.exception() for f in futures) if error is not None]
        if errors:
            raise errors[0]

    def _audit(self, story, run_id, outcome, versions, places, seconds, error) -> None:
        from commons_hub.audit import AuditEvent, AuditLog

        audit = self.audit or AuditLog(self.history.engine)
        audit.append(
            AuditEvent(
                actor=self.actor,
                actor_kind="service",
                action="story-run",
                outcome=outcome,
                detail={
                    "story": story.slug,
                    "run_id": run_id,
                    "places": places,
                    "input_versions": versions,
                    "seconds": round(seconds, 1),
                    "error": error,
                },
            )
        )

    # -- several stories -------------------------------------------------------------------------------------------
    def refresh_many(
        self, stories: list[Story], *, force: bool = False, trigger: str = "manual"
    ) -> list[RefreshResult]:
        results = []
        for story in stories:
            try:
                results.append(self.refresh(story, force=force, trigger=trigger))
            except Exception as exc:  # e.g. another refresh holds the lock, or the data-api is down
                log.error("%s: not refreshed: %s", story.slug, exc)
                results.append(RefreshResult(story.slug, runs.FAILED, "", error=_short(exc)))
        return results
