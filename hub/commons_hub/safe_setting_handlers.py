"""Jupyter Server routes that refuse downloads in a commons user server (the safe setting).

Loaded with ``--ServerApp.extra_services=commons_hub.safe_setting_handlers``: extra services are matched
before Jupyter Server's own routes, so these patterns win over the file, view and export handlers. The same
handler is also the contents manager's ``files_handler_class``, so ``/files/`` stays off even if the extra
service were dropped.
"""

from __future__ import annotations

import json

from tornado import web

REFUSED = (
    "Downloads are off in the LCR Data Commons (the safe setting): files leave only as released outputs. "
    "Ask for a release with ck.request_release(objects, project=..., description=...); once two output checkers "
    "approve, the project's members download it (docs/analysts/releases.md)."
)

# Jupyter Server routes that send a file (or a converted notebook) to the browser as a download.
REFUSED_ROUTES = [
    r"/files/(.*)",  # raw files, and ?download=1 (JupyterLab's File > Download, the file browser's Download)
    r"/view/(.*)",  # a page that embeds /files/
    r"/nbconvert/(.*)",  # File > Save and Export Notebook As ... (HTML, PDF, script, ...)
]


class DownloadsOffHandler(web.RequestHandler):
    """Answers 403, whatever the method, with a message that says how outputs leave instead."""

    def initialize(self, **_params) -> None:
        # As files_handler_class the contents manager passes its own parameters (e.g. path=root_dir).
        pass

    def prepare(self) -> None:
        self.set_status(403)
        if "application/json" in self.request.headers.get("Accept", ""):
            self.set_header("Content-Type", "application/json; charset=utf-8")
            self.finish(json.dumps({"error": "downloads-off", "reason": REFUSED}))
        else:
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish(REFUSED + "\n")

    def check_xsrf_cookie(self) -> None:  # refusing needs no XSRF token
        return None


default_handlers = [(pattern, DownloadsOffHandler) for pattern in REFUSED_ROUTES]
