"""The only route that starts a public kernel: /services/stories/voila/render/<slug>/app.ipynb.

Before Voilà renders, in this order: the path must be a published story's app (anything else is 404, so no
arbitrary notebook can be run); the client must be under its rate of new sessions; a kernel must be free (a
ready preheated one, or room under the caps). Otherwise the resident gets the story's static page with a short
note (fallback.py), with status 200: never an error page, never a wait. The header ``X-Commons-Live`` says which
(``app``, ``busy``, ``rate-limited``) for operators and tests.
"""

from __future__ import annotations

import re

from tornado import web
from voila.tornado.handler import TornadoVoilaHandler

from commons_hub.publishing import snapshot
from commons_hub.services.stories.capacity import StoriesBusy, client_address

APP_PATH = re.compile(r"^(?P<slug>[a-z0-9][a-z0-9-]*)/app\.ipynb$")


class StoryAppHandler(TornadoVoilaHandler):
    def initialize(self, **kwargs):
        self.rate_limit = kwargs.pop("rate_limit")
        super().initialize(**kwargs)

    def _ready_pool(self, notebook: str) -> bool:
        """Put the ready preheated kernels first (Voilà takes the first); drop failed ones. True if any."""
        pools = getattr(self.kernel_manager, "_pools", None)
        if pools is None or notebook not in pools:
            return False
        pool = pools[notebook]
        failed = [t for t in pool if t.done() and (t.cancelled() or t.exception() is not None)]
        ready = [t for t in pool if t.done() and t not in failed]
        pool[:] = ready + [t for t in pool if not t.done()]
        return bool(ready)

    def should_use_rendered_notebook(self, notebook_data, pool_size, template_name, theme, request_args):
        # Voilà would wait for a kernel still starting; only a ready one is used, else a new one (if there is room).
        if not self._ready_pool(self._notebook):
            return False
        return super().should_use_rendered_notebook(notebook_data, pool_size, template_name, theme, request_args)

    @web.authenticated
    async def get(self, path=None):
        match = APP_PATH.match(path or "")
        published = snapshot.published(match["slug"]) if match else None
        if match is None or published is None:
            raise web.HTTPError(404, "Only the apps of published stories are served here; see the gallery.")
        slug = match["slug"]
        self._notebook = path
        client = client_address(self.request.remote_ip, self.request.headers.get("X-Forwarded-For"))
        if not self.rate_limit.allow(client):
            self.log.warning("story %s: client %s over stories_sessions_per_minute; static page", slug, client)
            return self._fallback(slug, published, "rate-limited")
        capacity = self.kernel_manager.capacity
        capacity.forget_missing(self.kernel_manager.list_kernel_ids())
        if not self._ready_pool(path) and not capacity.can_start(slug):
            self.log.warning("story %s busy (%s); static page", slug, capacity.refusal(slug))
            return self._fallback(slug, published, "busy")
        self.set_header("X-Commons-Live", "app")
        # Sets the _xsrf cookie: when the tab closes, Voilà's page posts it to voila/api/shutdown/<kernel> to stop
        # its kernel. Without it (nothing else here sets one) every such post was refused (403) and a visitor's
        # kernel held its place under the caps until culled.
        self.xsrf_token  # noqa: B018
        sent = False
        try:
            async for html in self.get_generator(path=path):
                self.write(html)
                self.flush()
                sent = True
        except StoriesBusy as busy:
            # Another visitor took the last place while this page was being prepared.
            if sent:
                raise
            self.log.warning("story %s busy (%s); static page", slug, busy.reason)
            self.clear()
            self._fallback(slug, published, "busy")

    def _fallback(self, slug: str, published, why: str) -> None:
        from commons_hub.services.stories.fallback import busy_page

        self.set_status(200)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Commons-Live", why)
        self.finish(busy_page(published, slug, self.request.query, self.settings["base_url"]))
