"""The data-api's base handler: hub authentication, the caller, JSON errors everywhere.

Every request that needs a caller calls ``self.caller()`` first: no token → 401, a token without the
``access:services!service=data-api`` scope → 403, both as JSON. Browsers (HTML pages) are redirected to
the hub's OAuth login instead of a 401.

Cookie-authenticated (browser) requests that change something must carry the XSRF token; only a request that a
*valid* API token authenticates skips that check (any other ``Authorization`` header does not). Every 5xx is
JSON with an ``error_id``: the traceback is logged under that id and a ``deny`` entry (outcome ``error``) records
the failed request in the audit log.
"""

from __future__ import annotations

import json
import logging
import traceback
import uuid

from jupyterhub.services.auth import HubOAuth, HubOAuthenticated
from tornado import web

from commons_hub.audit import AuditLog, refusal
from commons_hub.policy import Caller
from commons_kernel.exceptions import AccessDenied, CommonsError, DatasetNotFound, ReleaseNotFound, ValidationFailed

LOG = logging.getLogger("commons.data_api")


class ApiError(web.HTTPError):
    def __init__(self, status: int, error: str, reason: str, **extra):
        super().__init__(status, reason)
        self.payload = {"error": error, "reason": reason, **extra}


def as_api_error(exc: CommonsError) -> ApiError:
    """A commons exception as the data-api's JSON answer: ``exc.status``, ``exc.code`` and the fields the client
    needs to raise the same exception again (commons_kernel.client)."""
    extra: dict = {}
    reason = str(exc)
    if isinstance(exc, DatasetNotFound):
        extra = {"close": exc.close}
    elif isinstance(exc, ValidationFailed):
        extra = {"report": exc.report.to_dict() if hasattr(exc.report, "to_dict") else exc.report}
    elif isinstance(exc, AccessDenied):
        reason, extra = exc.reason, {"how_to_get_access": exc.how_to_get_access, "dataset": exc.name}
    elif isinstance(exc, ReleaseNotFound):
        extra = {"release": exc.release_id, "file": exc.name}
    return ApiError(exc.status, exc.code, reason, **extra)


class BaseHandler(HubOAuthenticated, web.RequestHandler):
    """JSON API handler. ``self.settings['commons']`` is the shared ``ServiceState``."""

    browser_page = False  # HTML pages redirect to login instead of answering 401
    _caller: Caller  # set by caller() once the request's token is checked (declared only: hasattr is the test)

    @property
    def state(self):
        return self.settings["commons"]

    @property
    def audit(self) -> AuditLog:
        return self.state.audit

    def check_xsrf_cookie(self):
        # A request authenticated by a valid API token cannot be forged by another site, so it needs no XSRF
        # check; everything else (cookies, a bogus or non-token Authorization header beside a cookie) does.
        if self.token_authenticated():
            return None
        if self.hub_auth.get_token(self, in_cookie=False):
            # A token was sent and the hub does not accept it: refused whatever cookie comes with it.
            raise ApiError(
                401,
                "not-authenticated",
                "The token in the Authorization header is not a valid JupyterHub "
                "token (expired, revoked or mistyped). Get a new one with `commons token USER`, or in a "
                "notebook let the commons_kernel client send yours.",
            )
        return super().check_xsrf_cookie()

    def token_authenticated(self) -> bool:
        """True when the request carries a JupyterHub API token (header or ?token=) that the hub accepts."""
        if getattr(self, "_token_authenticated", False):
            return True
        token = self.hub_auth.get_token(self, in_cookie=False)
        if not token:
            return False
        model = self.hub_auth.user_for_token(token, session_id=self.hub_auth.get_session_id(self))
        return bool(model)

    def caller(self) -> Caller:
        if hasattr(self, "_caller"):
            return self._caller
        model = self.hub_auth.get_user(self)
        if not model:
            if self.browser_page and isinstance(self.hub_auth, HubOAuth):
                self.redirect(self.get_login_url())
                raise web.Finish()
            raise ApiError(
                401,
                "not-authenticated",
                "No valid JupyterHub token. Send `Authorization: token TOKEN` (in a notebook the "
                "commons_kernel client does this for you; outside, get one with `commons token USER`).",
            )
        allowed = self.hub_auth.check_scopes(self.hub_scopes, model) if self.hub_scopes else True
        if not allowed:
            name = model.get("name")
            self.audit.append(
                refusal(
                    name,
                    "missing access:services scope",
                    actor_kind=model.get("kind", "user"),
                    detail={"path": self.request.path},
                )
            )
            raise ApiError(
                403,
                "missing-scope",
                f"{model.get('kind', 'user')} {name} is signed in but its token lacks the scope "
                f"access:services!service=data-api. Ask an operator to grant it (see docs/operators).",
            )
        self._caller = Caller(
            name=model["name"],
            kind=model.get("kind", "user"),
            groups=frozenset(model.get("groups") or ()),
            scopes=frozenset(model.get("scopes") or ()),
        )
        return self._caller

    def write_json(self, value, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(value, default=str))

    def write_error(self, status_code: int, **kwargs) -> None:
        exc_info = kwargs.get("exc_info") or (None, None, None)
        exc = exc_info[1]
        if isinstance(exc, ApiError):
            payload = dict(exc.payload)
        elif isinstance(exc, web.HTTPError):
            payload = {"error": "http-error", "reason": exc.log_message or self._reason}
        else:
            payload = {"error": "internal-error", "reason": "The data-api hit an unexpected error."}
        if status_code >= 500:
            error_id = uuid.uuid4().hex[:12]
            payload["error_id"] = error_id
            payload["reason"] = (
                f"{payload.get('reason') or 'The data-api hit an unexpected error.'} It is logged "
                f"under error id {error_id}: quote it to the operators (docs/operators)."
            )
            detail = "".join(traceback.format_exception(*exc_info)) if exc is not None else f"status {status_code}"
            LOG.error(
                "error id %s: %s %s failed (%s)\n%s",
                error_id,
                self.request.method,
                self.request.path,
                status_code,
                detail,
            )
            self.audit_failure(error_id, status_code, exc)
        self.clear_header("Content-Disposition")
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(payload, default=str))

    # What the failed request was about, for its audit entry; DataHandler fills it in once it knows.
    failed_request: dict | None = None

    def audit_failure(self, error_id: str, status_code: int, exc: BaseException | None) -> None:
        """A ``deny`` entry (outcome ``error``) for a request that failed inside the data-api. Never raises: a
        broken audit store must not hide the original error (both are logged under the same id)."""
        caller = getattr(self, "_caller", None)
        about = dict(self.failed_request or {})
        try:
            self.audit.append(
                refusal(
                    caller.name if caller else "unknown",
                    "internal error",
                    actor_kind=caller.kind if caller else "unknown",
                    outcome="error",
                    project=about.pop("project", None),
                    purpose=about.pop("purpose", None),
                    dataset=about.pop("dataset", None),
                    version=about.pop("version", None),
                    detail={
                        "error_id": error_id,
                        "status": status_code,
                        "method": self.request.method,
                        "path": self.request.path,
                        "error": type(exc).__name__ if exc is not None else "",
                        **about,
                    },
                )
            )
        except Exception:  # noqa: BLE001 - logged; the answer still goes out
            LOG.exception("error id %s: the failure could not be audited", error_id)

    def _handle_request_exception(self, e):
        # Domain errors become JSON with the status and code of the one error table (commons_kernel.exceptions).
        if isinstance(e, CommonsError):
            e = as_api_error(e)
        if isinstance(e, ApiError):
            self.send_error(e.status_code, exc_info=(type(e), e, e.__traceback__))
            return
        super()._handle_request_exception(e)
