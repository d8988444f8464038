"""Voilà with the commons' additions: gallery, static pages, deep links, fresh preheated kernels, a fast stop."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

from jupyter_server.utils import url_path_join
from tornado import ioloop, web
from voila.app import Voila

from commons_hub.publishing import snapshot
from commons_hub.services.stories.capacity import SessionRateLimit
from commons_hub.services.stories.gallery import GalleryHandler
from commons_hub.services.stories.render import StoryAppHandler

STATIC = Path(__file__).parent / "static"
SLUG = r"(?!voila|static)[a-z0-9-]+"
WATCH_SECONDS = 5


def plotly_js_dir() -> str:
    import plotly

    return str(Path(plotly.__file__).parent / "package_data")


class AppRedirect(web.RequestHandler):
    """/services/stories/<slug>/app?ward=... → the Voilà app of the story, keeping the query (the deep link)."""

    def get(self, slug):
        if snapshot.published(slug) is None:
            raise web.HTTPError(404, f"no published story {slug}")
        target = url_path_join(self.settings["base_url"], "voila/render", slug, "app.ipynb")
        self.redirect(target + (f"?{self.request.query}" if self.request.query else ""))


class PublishedFileHandler(web.StaticFileHandler):
    """Static pages and thumbnails of published snapshots (no cookies, short cache: snapshots change).

    ``path`` is the stories state folder; a request for <slug>/pages/X.html follows the published/<slug> link
    into runs/, and only files under runs/ are served."""

    @classmethod
    def get_absolute_path(cls, root: str, path: str) -> str:
        return os.path.realpath(os.path.join(root, "published", path))

    def validate_absolute_path(self, root: str, absolute_path: str):
        return super().validate_absolute_path(os.path.realpath(os.path.join(root, "runs")), absolute_path)

    def get_cache_time(self, path, modified, mime_type):
        return 300

    def set_extra_headers(self, path):
        self.set_header("X-Content-Type-Options", "nosniff")


class CapacityHandler(web.RequestHandler):
    """GET /services/stories/api/capacity: live kernels per story against the caps (no names, no addresses)."""

    def get(self):
        manager = self.settings["kernel_manager"]
        manager.capacity.forget_missing(manager.list_kernel_ids())
        self.set_header("Cache-Control", "no-store")
        self.finish(manager.capacity.snapshot())


class CommonsVoila(Voila):
    name = "commons-stories"

    def init_handlers(self) -> list:
        base = self.server_url
        stories_state = str(snapshot.root())
        ours = [
            (base, GalleryHandler),
            (url_path_join(base, r"static/(plotly\.min\.js)"), web.StaticFileHandler, {"path": plotly_js_dir()}),
            (url_path_join(base, r"static/(.*)"), web.StaticFileHandler, {"path": str(STATIC)}),
            (url_path_join(base, rf"({SLUG})/?"), AppRedirect),
            (url_path_join(base, rf"({SLUG})/app"), AppRedirect),
            (
                url_path_join(base, rf"({SLUG}/(?:pages/[A-Za-z0-9_-]+\.html|thumbnail\.png))"),
                PublishedFileHandler,
                {"path": stories_state},
            ),
        ]
        ours.append((url_path_join(base, r"api/capacity"), CapacityHandler))
        # Voilà's directory listing and contents API are not needed: the gallery is the index. Its render route
        # is replaced by ours, which serves only published apps and goes through the caps (render.py).
        rate_limit = SessionRateLimit.from_settings()
        theirs = []
        for handler in super().init_handlers():
            if handler[0] == base or "/voila/tree" in handler[0] or "/voila/api/contents" in handler[0]:
                continue
            if handler[0].endswith("/voila/render/(.*)"):
                handler = (handler[0], StoryAppHandler, {**handler[2], "rate_limit": rate_limit})
            theirs.append(handler)
        return ours + theirs

    def start(self):
        # Voilà heats kernels for the notebooks it finds, but does not follow the published/<slug> links: heat
        # one for every published story now, and again whenever a story's snapshot changes.
        self._published_targets = {}
        ioloop.IOLoop.current().add_callback(self._watch_snapshots)
        ioloop.PeriodicCallback(self._watch_snapshots, WATCH_SECONDS * 1000).start()
        super().start()

    # Preheated kernels ran the app of the snapshot that was current when they started. When a refresh promotes
    # a new snapshot (or a story is published for the first time), drop those kernels and heat fresh ones.
    def _targets(self) -> dict[str, str]:
        folder = snapshot.published_dir()
        if not folder.is_dir():
            return {}
        return {link.name: os.path.realpath(link) for link in folder.iterdir() if link.is_symlink()}

    def _watch_snapshots(self) -> None:
        current = self._targets()
        changed = [slug for slug, target in current.items() if self._published_targets.get(slug) != target]
        self._published_targets = current
        manager = self.kernel_manager
        if not changed or not hasattr(manager, "fill_if_needed"):
            return
        for slug in changed:
            notebook = f"{slug}/app.ipynb"
            stale = manager._pools.pop(notebook, [])
            for task in stale:
                if not task.done():
                    task.cancel()  # a start still waiting for a free place (kernels.py) is not needed now
                task.add_done_callback(lambda t: self._shutdown_pooled(t))
            self.log.info("story %s has a new snapshot: heating a fresh kernel", slug)
            manager.fill_if_needed(delay=0, notebook_name=notebook)

    def _shutdown_pooled(self, task) -> None:
        try:
            kernel_id = task.result()["kernel_id"]
        except (Exception, asyncio.CancelledError):
            return
        ioloop.IOLoop.current().add_callback(self.kernel_manager.shutdown_kernel, kernel_id, now=True)

    def stop(self):
        """Kill the kernels outright (a public app has nothing to save) so the service stops in seconds."""
        for kernel in list(getattr(self.kernel_manager, "_kernels", {}).values()):
            process = getattr(getattr(kernel, "provisioner", None), "process", None)
            if process is not None and process.poll() is None:
                process.kill()
        shutil.rmtree(self.connection_dir, ignore_errors=True)
