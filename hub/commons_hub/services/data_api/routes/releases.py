"""Output releases over HTTP: request, list, details, review and download (``commons_hub.releases.service`` decides).

POST api/releases                       {project, title, description, outputs: [...], replaces?, acro?} → 201
GET  api/releases                       the releases the caller may see
GET  api/releases/ID                    one release: files, checksums, checks, reviews, next step
POST api/releases/ID/reviews            {decision: approve | request-changes | reject, comment}
GET  api/releases/ID/files/NAME         one file (checkers; project members once released), audited first
"""

from __future__ import annotations

import asyncio
import json

from commons_hub.releases.service import ReleaseService
from commons_hub.services.data_api.base import ApiError, BaseHandler

CHUNK = 1 << 20
MAX_BODY = 40 * 1024 * 1024


def _service(handler: BaseHandler) -> ReleaseService:
    state = handler.state
    if not hasattr(state, "releases"):

        def metadata_of(name: str):
            try:
                return state.metadata(name).to_dict()
            except Exception:  # noqa: BLE001 - a dataset no longer in the catalogue adds no thresholds
                return None

        state.releases = ReleaseService(state.engine, state.audit, state.store.home, metadata_of)
    return state.releases


class ReleaseHandler(BaseHandler):
    def _json_body(self) -> dict:
        if len(self.request.body) > MAX_BODY:
            raise ApiError(413, "too-large", f"The request has {len(self.request.body):,} bytes; at most {MAX_BODY:,}.")
        try:
            body = json.loads(self.request.body or b"{}")
        except ValueError:
            raise ApiError(400, "bad-json", "The body is not JSON: send a JSON object.") from None
        if not isinstance(body, dict):
            raise ApiError(400, "bad-json", "The body must be a JSON object.")
        return body

    async def _run(self, fn, *args):
        # checks, Parquet and checksums take a moment: keep the event loop free. A CommonsError raised there is
        # answered by BaseHandler with its own status and code, as every other (base.as_api_error).
        return await asyncio.get_running_loop().run_in_executor(None, fn, *args)


class ReleasesHandler(ReleaseHandler):
    async def get(self):
        caller = self.caller()
        self.write_json(await self._run(_service(self).visible, caller))

    async def post(self):
        caller = self.caller()
        body = self._json_body()
        self.write_json(await self._run(_service(self).request, caller, body), status=201)


class ReleaseDetailsHandler(ReleaseHandler):
    async def get(self, release_id):
        caller = self.caller()
        self.write_json(await self._run(_service(self).details, caller, int(release_id)))


class ReviewsHandler(ReleaseHandler):
    async def post(self, release_id):
        caller = self.caller()
        body = self._json_body()
        decision, comment = body.get("decision"), body.get("comment") or ""
        if not isinstance(decision, str) or not isinstance(comment, str):
            raise ApiError(
                400, "bad-review", 'Send {"decision": "approve" | "request-changes" | "reject", "comment": "..."}.'
            )
        self.write_json(await self._run(_service(self).review, caller, int(release_id), decision, comment))


class ReleaseFileHandler(ReleaseHandler):
    browser_page = True  # a member opening the link in a browser signs in through the hub

    async def get(self, release_id, name):
        caller = self.caller()
        path, stored = await self._run(_service(self).open_download, caller, int(release_id), name)
        self.set_header("Content-Type", stored["media_type"])
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Length", str(stored["bytes"]))
        self.set_header("X-Commons-Sha256", stored["sha256"])
        self.set_header("Content-Disposition", f'attachment; filename="release-{int(release_id)}-{name}"')
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                self.write(chunk)
                await self.flush()


ROUTES = [
    (r"api/releases", ReleasesHandler),
    (r"api/releases/([0-9]+)", ReleaseDetailsHandler),
    (r"api/releases/([0-9]+)/reviews", ReviewsHandler),
    (r"api/releases/([0-9]+)/files/([A-Za-z0-9][A-Za-z0-9_.\-]*)", ReleaseFileHandler),
]
