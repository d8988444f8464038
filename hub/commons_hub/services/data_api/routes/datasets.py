"""Catalogue, dataset details with the caller's access decision, and the data itself."""

from __future__ import annotations

import asyncio

from commons_hub.access_advice import denial_fields
from commons_hub.governance.projects import list_projects, project_view, projects_of
from commons_hub.policy import decide_read_request
from commons_hub.services.data_api.base import ApiError, BaseHandler
from commons_hub.services.data_api.reads import Denied, ReadRequest, prepare_read, refusal_event, with_advice
from commons_kernel import output_formats, read_headers
from commons_kernel.exceptions import CommonsError


class HealthHandler(BaseHandler):
    def get(self):
        self.write_json({"status": "ok", "datasets": len(self.state.store.names())})


class WhoAmIHandler(BaseHandler):
    def get(self):
        caller = self.caller()
        self.write_json(
            {
                "name": caller.name,
                "kind": caller.kind,
                "groups": sorted(caller.groups),
                "projects": projects_of(caller.name, self.state.engine),
            }
        )


def summary(meta, manifest) -> dict:
    latest = manifest["versions"][-1]
    return {
        **meta.to_dict(),
        "version": latest["version"],
        "rows": latest["rows"],
        "updated": latest["ingested_at"],
        "withdrawn": bool(manifest.get("withdrawn")),
    }


class DatasetsHandler(BaseHandler):
    def get(self):
        self.caller()
        store = self.state.store
        names = set(store.names())
        out = [
            summary(meta, self.state.manifest(name))
            for name, meta in sorted(self.state.all_metadata().items())
            if name in names
        ]
        if self.get_argument("include_withdrawn", "") != "1":
            out = [d for d in out if not d["withdrawn"]]  # withdrawn datasets leave the catalogue
        self.write_json(out)


class DatasetHandler(BaseHandler):
    def get(self, name):
        caller = self.caller()
        meta = self.state.metadata(name)
        manifest = self.state.manifest(name)
        slug = self.get_argument("project", None) or self.request.headers.get("X-Commons-Project")
        project = project_view(slug, self.state.engine) if slug else None
        purpose = self.get_argument("purpose", None) or self.request.headers.get("X-Commons-Purpose") or None
        decision = decide_read_request(
            caller,
            name,
            meta.tier,
            named=slug,
            project=project,
            purpose=purpose,
            withdrawn=bool(manifest.get("withdrawn")),
        )
        decision = with_advice(self.state, caller, name, meta.tier, decision)
        covering = [p["slug"] for p in list_projects(self.state.engine) if name in p["datasets"] and p["active"]]
        self.write_json(
            {
                **summary(meta, manifest),
                "versions": [
                    {
                        k: v[k]
                        for k in ("version", "sha256", "rows", "bytes", "ingested_at", "sources", "notes")
                        if k in v
                    }
                    for v in manifest["versions"]
                ],
                "access": {
                    "allowed": decision.allowed,
                    "reason": decision.reason,
                    "how_to_get_access": decision.how_to_get_access,
                    "project": slug,
                    "projects_covering": covering,
                    **(denial_fields(decision) if not decision.allowed else {}),
                },
            }
        )


class DataHandler(BaseHandler):
    async def get(self, name):
        caller = self.caller()
        columns = self.get_argument("columns", "") or None
        areas = self.get_argument("areas", "") or None
        version = self.get_argument("version", None)
        request = ReadRequest(
            dataset=name,
            format=self.get_argument("format", output_formats.DEFAULT),  # checked by prepare_read
            columns=[c.strip() for c in columns.split(",") if c.strip()] if columns else None,
            version=int(version) if version and version.isdigit() else None,
            project=self.get_argument("project", None) or self.request.headers.get("X-Commons-Project") or None,
            purpose=self.get_argument("purpose", None) or self.request.headers.get("X-Commons-Purpose") or None,
            areas=[a.strip() for a in areas.split(",") if a.strip()] if areas else None,
            part=self.get_argument("part", None),
            limit=self.get_argument("limit", None),
        )
        self.failed_request = {"dataset": name, "project": request.project, "purpose": request.purpose}
        if version and not version.isdigit():
            self.audit_refusal(caller, request, f"version must be a whole number, not {version!r}")
            raise ApiError(400, "bad-version", f"version must be a whole number, not {version!r}.")
        loop = asyncio.get_running_loop()
        try:
            # Loading and encoding can take a moment for big tables: keep the event loop free.
            prepared = await loop.run_in_executor(None, prepare_read, self.state, caller, request)
        except Denied as denied:  # already audited
            d = denied.decision
            raise ApiError(
                403,
                "access-denied",
                d.reason,
                how_to_get_access=d.how_to_get_access,
                dataset=name,
                project=request.project,
                **denial_fields(d),
            ) from None
        except CommonsError as problem:  # an unknown dataset, column or format: no data left, and the log says so
            self.audit_refusal(caller, request, str(problem))
            raise
        self.set_header("Content-Type", prepared.content_type)
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Commons-Version", str(prepared.version))
        self.set_header("X-Commons-Rows", str(prepared.rows))
        for header, value in read_headers.encode(prepared.about).items():  # one round trip: ck.read needs no describe
            self.set_header(header, value)
        self.set_header("Content-Disposition", f'attachment; filename="{prepared.filename}"')
        self.set_header("Content-Length", str(len(prepared.payload)))
        self.write(prepared.payload)
        await self.flush()

    def audit_refusal(self, caller, request: ReadRequest, reason: str) -> None:
        self.audit.append(refusal_event(caller, request, reason[:500], "bad-request"))


class ProjectsHandler(BaseHandler):
    def get(self):
        self.caller()
        self.write_json(list_projects(self.state.engine))


ROUTES = [
    (r"api/health", HealthHandler),
    (r"api/whoami", WhoAmIHandler),
    (r"api/datasets", DatasetsHandler),
    (r"api/datasets/([A-Za-z0-9_\-]+)", DatasetHandler),
    (r"api/datasets/([A-Za-z0-9_\-]+)/data", DataHandler),
    (r"api/projects", ProjectsHandler),
]
