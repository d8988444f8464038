"""The public register as a small tornado app: `python -m commons_hub.services.register.app`.

Every page is plain HTML from autoescaped templates (no JavaScript, no login) and has a JSON twin under api/:

    PAGE                       JSON
    ""  (summary)              api/summary
    datasets, datasets/NAME    api/datasets, api/datasets/NAME
    projects, projects/SLUG    api/projects, api/projects/SLUG
    uses                       api/uses          reads per dataset per project per month, from the audit log
    releases                   api/releases
    contributions              api/contributions contributions and withdrawals
    stories                    api/stories       story refresh history
    audit                      api/audit         whether the audit chain verifies, and its head
                               api/audit/head    the chain head (id, hash, time) to keep; also audit/head.json
"""

from __future__ import annotations

import logging
import os
import signal
from urllib.parse import urlparse

from tornado import httpserver, ioloop, web

from commons_hub import isolation
from commons_hub.services.register.data import RegisterData, to_json
from commons_hub.services.register.readonly import readonly_engine
from commons_hub.store import Store
from commons_kernel import config
from commons_kernel.exceptions import DatasetNotFound

POLICY = "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"

# resource → (method of RegisterData, template, page title)
RESOURCES = {
    "summary": ("summary", "index.html", "Public register"),
    "datasets": ("datasets", "datasets.html", "Datasets"),
    "dataset": ("dataset", "dataset.html", "Dataset"),
    "projects": ("projects", "projects.html", "Projects and decisions"),
    "project": ("project", "project.html", "Project"),
    "uses": ("uses", "uses.html", "Data uses"),
    "releases": ("releases", "releases.html", "Output releases"),
    "contributions": ("contributions", "contributions.html", "Contributions and withdrawals"),
    "stories": ("story_runs", "stories.html", "Story refresh history"),
    "audit": ("audit_status", "audit.html", "Audit log"),
    "audit_head": ("audit_head", None, "Audit log head"),  # JSON only: the audit page shows it
}


class RegisterHandler(web.RequestHandler):
    def initialize(self, resource: str, as_json: bool) -> None:
        self.resource, self.as_json = resource, as_json

    @property
    def data(self) -> RegisterData:
        return self.settings["register"]

    def set_default_headers(self) -> None:
        self.set_header("Content-Security-Policy", POLICY)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")
        self.set_header("Cache-Control", "no-cache")  # revalidate: tornado answers 304 by ETag

    def get_template_namespace(self) -> dict:
        namespace = super().get_template_namespace()
        # Every page says so when the hub that started the register runs without separate Unix accounts.
        namespace["walls_note"] = None if isolation.running_isolated() else isolation.NOT_ISOLATED
        return namespace

    def get(self, *args) -> None:
        method, template, title = RESOURCES[self.resource]
        try:
            value = getattr(self.data, method)(*args)
        except (DatasetNotFound, KeyError):
            self.set_status(404)
            value = None
        if self.as_json:
            self.set_header("Content-Type", "application/json; charset=utf-8")
            self.finish(to_json(value if value is not None else {"error": "not-found", "reason": "No such entry."}))
            return
        chain = self.data.audit_status()  # every page's footer: the head, or why the log does not verify
        if value is None:
            self.render("not_found.html", title="Not found", prefix=self.settings["prefix"], json_path=None,
                        chain=chain)
            return
        self.render(template, title=title, value=value, prefix=self.settings["prefix"], chain=chain,
                    json_path=self.request.path.replace(self.settings["prefix"], self.settings["prefix"] + "api/", 1)
                    if self.resource != "summary" else self.settings["prefix"] + "api/summary")

    def write_error(self, status_code: int, **kwargs) -> None:
        if status_code >= 500:
            logging.exception("register error")
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"The register could not answer (HTTP {status_code}). Try again in a moment.\n")


def routes(prefix: str) -> list:
    name = r"([A-Za-z0-9_\-]+)"
    paths = {"summary": "", "datasets": "datasets", "dataset": f"datasets/{name}", "projects": "projects",
             "project": f"projects/{name}", "uses": "uses", "releases": "releases",
             "contributions": "contributions", "stories": "stories", "audit": "audit"}
    result = []
    for resource, path in paths.items():
        result.append((prefix + path + ("/?" if path else ""), RegisterHandler, {"resource": resource, "as_json": False}))
        result.append((prefix + "api/" + (path or "summary") + "/?", RegisterHandler,
                       {"resource": resource, "as_json": True}))
    head = (prefix + "api/audit/head/?", RegisterHandler, {"resource": "audit_head", "as_json": True})
    return result + [head, (prefix + r"audit/head\.json", RegisterHandler, head[2])]


def make_app(data: RegisterData | None = None, prefix: str | None = None) -> web.Application:
    prefix = prefix or os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/register/")
    prefix = prefix if prefix.endswith("/") else prefix + "/"
    if data is None:
        data = RegisterData(readonly_engine(), Store(), show_user_names=bool(config.setting("show_user_names")))
    return web.Application(routes(prefix), register=data, prefix=prefix, autoescape="xhtml_escape",
                           template_path=os.path.join(os.path.dirname(__file__), "templates"),
                           compress_response=True)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="[register %(asctime)s %(levelname)s] %(message)s")
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10102"))
    server = httpserver.HTTPServer(make_app(), xheaders=True)
    server.listen(url.port, url.hostname or "127.0.0.1")
    logging.info("register listening on %s:%s", url.hostname, url.port)
    loop = ioloop.IOLoop.current()
    signal.signal(signal.SIGTERM, lambda *_: loop.add_callback_from_signal(loop.stop))
    signal.signal(signal.SIGINT, lambda *_: loop.add_callback_from_signal(loop.stop))
    loop.start()


if __name__ == "__main__":
    main()
