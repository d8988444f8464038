"""The data-api's base handler: hub authentication, the caller, JSON errors everywhere.

Every request that needs a caller calls ``self.caller()`` first: no token → 401, a token without the
``access:services!service=data-api`` scope → 403, both as JSON. Browsers (HTML pages) are redirected to
the hub's OAuth login instead of a 401.
"""

from __future__ import annotations

import json
import traceback

from jupyterhub.services.auth import HubOAuth, HubOAuthenticated
from tornado import web

from commons_hub.audit import AuditEvent, AuditLog
from commons_hub.policy import Caller
from commons_kernel.exceptions import CommonsError, DatasetNotFound, GovernanceError, ValidationFailed


class ApiError(web.HTTPError):
    def __init__(self, status: int, error: str, reason: str, **extra):
        super().__init__(status, reason)
        self.payload = {"error": error, "reason": reason, **extra}


class BaseHandler(HubOAuthenticated, web.RequestHandler):
    """JSON API handler. ``self.settings['commons']`` is the shared ``ServiceState``."""

    browser_page = False  # HTML pages redirect to login instead of answering 401

    @property
    def state(self):
        return self.settings["commons"]

    @property
    def audit(self) -> AuditLog:
        return self.state.audit

    def check_xsrf_cookie(self):
        # Token-authenticated API calls carry no cookie and need no XSRF check; cookie (browser) POSTs do.
        if self.request.headers.get("Authorization"):
            return None
        return super().check_xsrf_cookie()

    def caller(self) -> Caller:
        if hasattr(self, "_caller"):
            return self._caller
        model = self.hub_auth.get_user(self)
        if not model:
            if self.browser_page and isinstance(self.hub_auth, HubOAuth):
                self.redirect(self.get_login_url())
                raise web.Finish()
            raise ApiError(401, "not-authenticated",
                           "No valid JupyterHub token. Send `Authorization: token TOKEN` (in a notebook the "
                           "commons_kernel client does this for you; outside, get one with `commons token USER`).")
        allowed = self.hub_auth.check_scopes(self.hub_scopes, model) if self.hub_scopes else True
        if not allowed:
            name = model.get("name")
            self.audit.append(AuditEvent(actor=name, actor_kind=model.get("kind", "user"), action="deny",
                                         outcome="denied", detail={"path": self.request.path,
                                                                   "reason": "missing access:services scope"}))
            raise ApiError(403, "missing-scope",
                           f"{model.get('kind', 'user')} {name} is signed in but its token lacks the scope "
                           f"access:services!service=data-api. Ask an operator to grant it (see docs/operators).")
        self._caller = Caller(name=model["name"], kind=model.get("kind", "user"),
                              groups=frozenset(model.get("groups") or ()), scopes=frozenset(model.get("scopes") or ()))
        return self._caller

    def write_json(self, value, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(value, default=str))

    def write_error(self, status_code: int, **kwargs) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, ApiError):
            payload = exc.payload
        elif isinstance(exc, web.HTTPError):
            payload = {"error": "http-error", "reason": exc.log_message or self._reason}
        else:
            payload = {"error": "internal-error",
                       "reason": "The data-api hit an unexpected error; it is in the service log."}
            self.log.error("".join(traceback.format_exception(*kwargs["exc_info"])))
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(payload))

    def _handle_request_exception(self, e):
        # Domain errors become JSON with a status that says what kind of problem it is.
        if isinstance(e, DatasetNotFound):
            e = ApiError(404, "dataset-not-found", str(e), close=e.close)
        elif isinstance(e, ValidationFailed):
            report = e.report.to_dict() if hasattr(e.report, "to_dict") else e.report
            e = ApiError(422, "validation-failed", str(e), report=report)
        elif isinstance(e, GovernanceError):
            e = ApiError(409, "not-allowed-now", str(e))
        elif isinstance(e, CommonsError):
            e = ApiError(400, type(e).__name__, str(e))
        if isinstance(e, ApiError):
            self.send_error(e.status_code, exc_info=(type(e), e, e.__traceback__))
            return
        super()._handle_request_exception(e)
