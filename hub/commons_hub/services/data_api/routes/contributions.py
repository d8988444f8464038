"""Contributions: the stewards' review page, and the JSON API that ``ck.contribute`` and `commons contribute`
use; plus withdrawal of a dataset by its contributor. The upload form is in routes/upload.py.

    GET/POST contributions                        pending contributions; stewards approve or reject here
    GET/POST api/contributions                    list / upload (multipart: file, name, tier, metadata as JSON)
    GET      api/contributions/limits             the upload limits (bytes, columns, cells, check budget)
    GET      api/contributions/ID                 one contribution with its quality report
    POST     api/contributions/ID/(approve|reject) {"reason": "..."} (stewards)
    POST     api/datasets/NAME/withdraw           {"reason": "..."} (the contributor, or a steward)
    GET      api/withdrawals                      withdrawn datasets
"""

from __future__ import annotations

import asyncio
import functools
import json
import sys
import threading

from commons_hub.governance import contributions, withdrawals
from commons_hub.governance.permissions import can_review_contributions
from commons_hub.services.data_api.base import ApiError
from commons_hub.services.data_api.governance_base import GovernanceHandler, PageHandler, status_of
from commons_hub.services.data_api.upload_form import parse_metadata
from commons_kernel.config import SETTINGS, setting
from commons_kernel.exceptions import CommonsError, ValidationFailed
from commons_kernel.standard.rules import load_standard

# A blocked upload is 413 when it is too big to check (bytes, or the checks' time or memory budget), else 422.
TOO_BIG = {"too-large", "check-budget"}


def upload_limits() -> dict:
    """What an upload may be: the same numbers the checks use, with the setting or file that sets each."""
    return {
        "max_upload_bytes": load_standard().limits["max_upload_bytes"],
        "max_columns": setting("upload_max_columns"),
        "max_cells": setting("upload_max_cells"),
        "check_seconds": setting("upload_check_seconds"),
        "check_memory_mb": setting("upload_check_memory_mb"),
        "set_by": {
            "max_upload_bytes": "catalog/standard/standard.yaml limits.max_upload_bytes",
            **{
                key: SETTINGS[name].env
                for key, name in (
                    ("max_columns", "upload_max_columns"),
                    ("max_cells", "upload_max_cells"),
                    ("check_seconds", "upload_check_seconds"),
                    ("check_memory_mb", "upload_check_memory_mb"),
                )
            },
        },
    }


def too_big(exc: ValidationFailed) -> bool:
    report = exc.report.to_dict() if hasattr(exc.report, "to_dict") else exc.report
    return any(issue.get("code") in TOO_BIG for issue in (report or {}).get("errors") or [])


def _upload(handler) -> tuple[bytes, str]:
    files = handler.request.files.get("file") or []
    if not files:
        raise ValidationFailed("The upload has no file: send it as the multipart field `file`. Nothing was stored.")
    return files[0]["body"], files[0]["filename"]


async def _submit(handler, data: bytes, filename: str, metadata: dict, name: str | None, tier: str | None) -> dict:
    caller = handler.caller()
    state = handler.state
    work = functools.partial(
        contributions.submit,
        caller,
        data,
        filename,
        metadata,
        store=state.store,
        eng=state.engine,
        audit=state.audit,
        catalogue=handler.catalogue(),
        name=name,
        tier=tier,
    )
    # The checks read the whole file (in a child process, within a budget: commons_kernel.upload_budget); keep
    # the event loop free for other requests meanwhile.
    try:
        return await asyncio.get_running_loop().run_in_executor(None, work)
    except ValidationFailed as exc:
        if too_big(exc):
            report = exc.report.to_dict() if hasattr(exc.report, "to_dict") else exc.report
            raise ApiError(413, "too-large", str(exc), report=report) from None
        raise


class ReviewPageHandler(PageHandler):
    def _render(self, status: int = 200, error: str | None = None, done: dict | None = None) -> None:
        caller = self.caller()
        steward = can_review_contributions(caller)
        pending = [
            c
            for c in contributions.list_contributions(self.state.engine, status="pending")
            if steward or c["contributor"] == caller.name
        ]
        for record in pending:
            record["report"] = contributions.quality_report(self.state.store, record)
        mine = [c for c in contributions.list_contributions(self.state.engine) if c["contributor"] == caller.name]
        self.render_page(
            "contributions.html",
            status=status,
            pending=pending,
            mine=mine,
            steward=steward,
            error=error,
            done=done,
            report=None,
        )

    def get(self):
        self._render()

    def post(self):
        caller = self.caller()
        action = self.get_body_argument("action", "")
        try:
            ident = int(self.get_body_argument("id", "0"))
            reason = self.get_body_argument("reason", "")
            if action not in ("approve", "reject"):
                raise ValueError("action must be approve or reject.")
            decide = contributions.approve if action == "approve" else contributions.reject
            done = decide(caller, ident, reason, store=self.state.store, eng=self.state.engine, audit=self.state.audit)
            self.catalogue_changed()
        except (CommonsError, ValueError) as exc:
            self._render(status=status_of(exc), error=str(exc))
            return
        self._render(done=done)


class ContributionsApiHandler(GovernanceHandler):
    def get(self):
        self.caller()
        self.write_json(
            contributions.list_contributions(
                self.state.engine, status=self.get_argument("status", None), dataset=self.get_argument("dataset", None)
            )
        )

    async def post(self):
        self.caller()
        data, filename = _upload(self)
        metadata = parse_metadata(self.get_body_argument("metadata", ""), "metadata")
        result = await _submit(
            self, data, filename, metadata, self.get_body_argument("name", None), self.get_body_argument("tier", None)
        )
        self.write_json(result, status=201)


def _start_checker() -> None:
    """Start the checks' forkserver in the background (it takes seconds once); an upload usually follows."""
    from commons_kernel.upload_budget import start_checker

    asyncio.get_running_loop().run_in_executor(None, start_checker)


def _start_checker_with_the_service() -> None:
    # When this module is loaded by the running data-api (not by a test, nor by the checker's own forkserver,
    # which imports the data-api's main module to fork from), start the checker now, not at the first upload.
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    if getattr(spec, "name", None) == "commons_hub.services.data_api.app":
        from commons_kernel.upload_budget import start_checker

        threading.Thread(target=start_checker, name="upload-checker", daemon=True).start()


_start_checker_with_the_service()


class UploadLimitsHandler(GovernanceHandler):
    def get(self):
        self.caller()
        _start_checker()
        self.write_json(upload_limits())


class ContributionApiHandler(GovernanceHandler):
    def get(self, ident):
        self.caller()
        record = contributions.contribution(int(ident), self.state.engine)
        self.write_json({**record, "report": contributions.quality_report(self.state.store, record)})


class ContributionDecisionHandler(GovernanceHandler):
    def post(self, ident, action):
        caller = self.caller()
        reason = str(self.json_body().get("reason") or "")
        decide = contributions.approve if action == "approve" else contributions.reject
        record = decide(
            caller, int(ident), reason, store=self.state.store, eng=self.state.engine, audit=self.state.audit
        )
        self.catalogue_changed()
        self.write_json(record)


class WithdrawHandler(GovernanceHandler):
    def post(self, name):
        caller = self.caller()
        record = withdrawals.withdraw(
            caller,
            name,
            str(self.json_body().get("reason") or ""),
            store=self.state.store,
            eng=self.state.engine,
            audit=self.state.audit,
        )
        self.write_json(json.loads(json.dumps(record, default=str)))


class WithdrawalsHandler(GovernanceHandler):
    def get(self):
        self.caller()
        self.write_json(withdrawals.list_withdrawals(self.state.engine))


ROUTES = [
    (r"contributions", ReviewPageHandler),
    (r"api/contributions", ContributionsApiHandler),
    (r"api/contributions/limits", UploadLimitsHandler),
    (r"api/contributions/(\d+)", ContributionApiHandler),
    (r"api/contributions/(\d+)/(approve|reject)", ContributionDecisionHandler),
    (r"api/datasets/([A-Za-z0-9_\-]+)/withdraw", WithdrawHandler),
    (r"api/withdrawals", WithdrawalsHandler),
]
