"""The register's pages and their JSON twins (under api/): one handler, a resource each (``RESOURCES``)."""

from __future__ import annotations

from commons_hub.services.register.base import PublicHandler
from commons_hub.services.register.data import to_json
from commons_hub.services.register.query import BadRegisterQuery, Query
from commons_kernel.exceptions import DatasetNotFound

# resource → (method of RegisterData, template, page title, filters its query string takes, or None for none)
RESOURCES = {
    "summary": ("summary", "index.html", "Public register", None),
    "datasets": ("datasets", "datasets.html", "Datasets", None),
    "dataset": ("dataset", "dataset.html", "Dataset", None),
    "projects": ("projects", "projects.html", "Projects and decisions", None),
    "project": ("project", "project.html", "Project", None),
    "uses": ("uses_page", "uses.html", "Data uses", ("dataset", "project", "from", "to")),
    "releases": ("releases", "releases.html", "Output releases", None),
    "contributions": ("contributions", "contributions.html", "Contributions and withdrawals", None),
    "stories": ("story_runs", "stories.html", "Story refresh history", ()),
    "audit": ("audit_page", "audit.html", "Audit log", ("dataset", "project", "action", "from", "to")),
    "audit_head": ("audit_head", None, "Audit log head", None),  # JSON only: the audit page shows it
}


class RegisterHandler(PublicHandler):
    def initialize(self, resource: str, as_json: bool) -> None:
        self.resource, self.as_json = resource, as_json

    def get(self, *args) -> None:
        method, template, title, filters = RESOURCES[self.resource]
        query = Query()
        try:
            if filters is not None:
                query = self.register_query(filters, title.lower())
                args = (*args, query)
            value = getattr(self.data, method)(*args)
        except (DatasetNotFound, KeyError):
            self.set_status(404)
            value = None
        except BadRegisterQuery as exc:
            self.bad_query(exc, title)
            return
        if self.as_json:
            self.set_header("Content-Type", "application/json; charset=utf-8")
            self.finish(to_json(value if value is not None else {"error": "not-found", "reason": "No such entry."}))
            return
        chain = self.data.audit_status()  # every page's footer: the head, or why the log does not verify
        prefix = self.settings["prefix"]
        if value is None or template is None:  # no template: a JSON-only resource, which routes() serves under api/
            self.set_status(404)
            self.render("not_found.html", title="Not found", prefix=prefix, json_path=None, chain=chain)
            return
        path = (
            self.request.uri.replace(prefix, prefix + "api/", 1)
            if self.resource != "summary"
            else prefix + "api/summary"
        )
        self.render(template, title=title, value=value, prefix=prefix, chain=chain, json_path=path, query=query)

    def bad_query(self, exc: BadRegisterQuery, title: str) -> None:
        self.set_status(400)
        if self.as_json:
            self.set_header("Content-Type", "application/json; charset=utf-8")
            self.finish(to_json({"error": "bad-query", "parameter": exc.parameter, "reason": str(exc)}))
            return
        self.render(
            "bad_query.html",
            title="That filter cannot be used",
            prefix=self.settings["prefix"],
            json_path=None,
            chain=self.data.audit_status(),
            error=exc,
            page_title=title,
            back=self.request.path,
        )


class NotFoundHandler(PublicHandler):
    """Any other address under the register: its own "not found" page (language, heading, navigation), not
    tornado's bare one."""

    def prepare(self) -> None:
        self.set_status(404)
        self.render(
            "not_found.html",
            title="Not found",
            prefix=self.settings["prefix"],
            json_path=None,
            chain=self.data.audit_status(),
        )
