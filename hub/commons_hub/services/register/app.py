"""The public register as a small tornado app: `python -m commons_hub.services.register.app`.

Every page is plain HTML from autoescaped templates (no JavaScript, no login) and has a JSON twin under api/:

    PAGE                       JSON
    ""  (summary)              api/summary
    datasets, datasets/NAME    api/datasets, api/datasets/NAME
    projects, projects/SLUG    api/projects, api/projects/SLUG
    uses                       api/uses          reads per dataset per project per month, from the audit log;
                                                 ?dataset= &project= &from= &to= (YYYY-MM-DD) &page= &per_page=
    releases                   api/releases
    contributions              api/contributions contributions and withdrawals
    stories                    api/stories       story refresh history
    audit                      api/audit         whether the audit chain verifies, its head, recent entries
                                                 (public fields only; the same filters, and ?action=)
                               api/audit/head    the chain head (id, hash, time) to keep; also audit/head.json

Every table downloads as TABLE.csv and TABLE.json (tables.TABLES: datasets, versions, projects, decisions, votes,
uses, contributions, withdrawals, releases, release-files, release-reviews, stories, audit), every matching row,
filtered by the same query string as the page.
"""

from __future__ import annotations

import os

from tornado import web

from commons_hub.services.register.data import RegisterData
from commons_hub.services.register.downloads import DownloadHandler
from commons_hub.services.register.pages import RESOURCES, NotFoundHandler, RegisterHandler
from commons_hub.services.register.readonly import readonly_engine
from commons_hub.services.register.tables import TABLES
from commons_hub.services.serve import serve_tornado
from commons_hub.store import Store
from commons_kernel import config

__all__ = ["RESOURCES", "make_app", "routes"]


def routes(prefix: str) -> list:
    name = r"([A-Za-z0-9_\-]+)"
    paths = {
        "summary": "",
        "datasets": "datasets",
        "dataset": f"datasets/{name}",
        "projects": "projects",
        "project": f"projects/{name}",
        "uses": "uses",
        "releases": "releases",
        "contributions": "contributions",
        "stories": "stories",
        "audit": "audit",
    }
    result = []
    for resource, path in paths.items():
        result.append(
            (prefix + path + ("/?" if path else ""), RegisterHandler, {"resource": resource, "as_json": False})
        )
        result.append(
            (prefix + "api/" + (path or "summary") + "/?", RegisterHandler, {"resource": resource, "as_json": True})
        )
    head = (prefix + "api/audit/head/?", RegisterHandler, {"resource": "audit_head", "as_json": True})
    tables = "|".join(TABLES).replace("-", r"\-")
    download = (prefix + rf"({tables})\.(csv|json)", DownloadHandler)
    return result + [head, (prefix + r"audit/head\.json", RegisterHandler, head[2]), download]


def make_app(data: RegisterData | None = None, prefix: str | None = None) -> web.Application:
    prefix = prefix or os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/register/")
    prefix = prefix if prefix.endswith("/") else prefix + "/"
    if data is None:
        data = RegisterData(readonly_engine(), Store(), show_user_names=bool(config.setting("show_user_names")))
    return web.Application(
        routes(prefix),
        register=data,
        prefix=prefix,
        autoescape="xhtml_escape",
        template_path=os.path.join(os.path.dirname(__file__), "templates"),
        compress_response=True,
        default_handler_class=NotFoundHandler,
    )


def main() -> None:
    serve_tornado("register", lambda: make_app(), "http://127.0.0.1:10102")


if __name__ == "__main__":
    main()
