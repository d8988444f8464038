"""The upload form: a member contributes a data file in the browser (hub login, XSRF, the same checks and audit as
``ck.contribute`` and `commons contribute`, through commons_hub.governance.contributions.submit).

    GET/POST contribute            the form, and its result (the quality report, or the errors)
    POST     contribute/metadata   a metadata file's values for the form's fields, as JSON (the page's script)
    GET      contribute.js         that script: fills the form in from the chosen metadata file

The form is filled in from the metadata file (by the script, or without JavaScript by the "Fill in the form from
the file" button); tier and licence have no default; if the form and the file still disagree, the upload is
refused naming both values (commons_hub.services.data_api.upload_form).
"""

from __future__ import annotations

from pathlib import Path

from tornado import httputil, web

from commons_hub.services.data_api.base import ApiError
from commons_hub.services.data_api.governance_base import PAGE_POLICY, PageHandler
from commons_hub.services.data_api.routes.contributions import _start_checker, _submit, _upload
from commons_hub.services.data_api.upload_form import (
    FORM_FIELDS,
    GEOGRAPHY_FIELDS,
    form_values,
    merge,
    read_metadata_file,
    tier_choices,
)
from commons_kernel.exceptions import CommonsError, ValidationFailed
from commons_kernel.standard import readers
from commons_kernel.standard.rules import load_standard

SCRIPT = Path(__file__).resolve().parents[1] / "static" / "contribute.js"
# The upload page runs one script of its own (no inline script, no other origin) and it may call this service only.
FORM_POLICY = PAGE_POLICY.replace("default-src 'none';", "default-src 'none'; script-src 'self'; connect-src 'self';")
POSTED_FIELDS = (*FORM_FIELDS, "tags", *(f"geography_{f}" for f in GEOGRAPHY_FIELDS))


def _metadata_file(request: httputil.HTTPServerRequest) -> httputil.HTTPFile | None:
    """The metadata file sent with the form (the first, when several were), or None."""
    files = request.files.get("metadata_file")
    return files[0] if files else None


def _form_context(values: dict) -> dict:
    standard = load_standard()
    licences = dict(standard.licences)
    chosen = values.get("licence")
    if chosen and chosen not in licences:  # the file's own licence (restricted data may keep its owner's)
        licences[chosen] = {"name": chosen}
    return {
        "licences": licences,
        "tiers": [name for name, _ in tier_choices()],
        "tier_meanings": dict(tier_choices()),
        "levels": list(standard.gss_levels),
        "max_bytes": standard.limits["max_upload_bytes"],
        "accept": readers.accept_list(),  # the file chooser offers the installed readers' suffixes first
        "values": values,
    }


class ContributeFormHandler(PageHandler):
    def set_default_headers(self) -> None:
        super().set_default_headers()
        self.set_header("Content-Security-Policy", FORM_POLICY)

    def _page(
        self,
        status: int = 200,
        *,
        values: dict | None = None,
        result=None,
        error=None,
        report=None,
        problems=None,
        filled_from: str = "",
    ) -> None:
        self.render_page(
            "contribute.html",
            status=status,
            result=result,
            error=error,
            report=report,
            problems=problems or [],
            filled_from=filled_from,
            **_form_context(values or {}),
        )

    def get(self):
        self.caller()
        _start_checker()
        self._page()

    async def post(self):
        self.caller()
        posted = {field: self.get_body_argument(field, "").strip() for field in POSTED_FIELDS}
        try:
            file_metadata, source = read_metadata_file(_metadata_file(self.request))
        except ValidationFailed as exc:
            self._page(422, values=posted, error=str(exc))
            return
        if self.get_body_argument("action", "") == "prefill":  # no script: the server fills the form in
            self._page(values={**posted, **form_values(file_metadata)}, filled_from=source)
            return
        try:
            metadata = merge(file_metadata, source, posted)
        except ValidationFailed as exc:  # the form and the file disagree, or no tier or licence: nothing checked
            self._page(
                422,
                values={**form_values(file_metadata), **{k: v for k, v in posted.items() if v}},
                error=str(exc),
                problems=exc.report.to_dict()["errors"],
            )
            return
        values = form_values(metadata)
        try:
            data, filename = _upload(self)
            result = await _submit(self, data, filename, metadata, metadata.get("name"), metadata.get("tier"))
        except ApiError as exc:  # too big to check: 413, with the same report on the page
            self._page(exc.status_code, values=values, error=exc.payload["reason"], report=exc.payload.get("report"))
            return
        except CommonsError as exc:
            self.page_error("contribute.html", exc, problems=[], filled_from="", result=None, **_form_context(values))
            return
        self._page(201, result=result, report=result["report"])


class MetadataFieldsHandler(PageHandler):
    """A metadata file's values for the form, read by the same parser the upload uses (JSON for the script)."""

    def post(self):
        self.caller()
        try:
            metadata, source = read_metadata_file(_metadata_file(self.request))
        except ValidationFailed as exc:
            self.write_json({"error": str(exc), "code": exc.code}, status=exc.status)
            return
        self.write_json({"file": source, "values": form_values(metadata)})


class ScriptHandler(web.RequestHandler):
    def get(self):
        self.set_header("Content-Type", "text/javascript; charset=utf-8")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Cache-Control", "no-cache")
        self.finish(SCRIPT.read_bytes())


ROUTES = [
    (r"contribute", ContributeFormHandler),
    (r"contribute/metadata", MetadataFieldsHandler),
    (r"contribute\.js", ScriptHandler),
]
