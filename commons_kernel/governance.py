"""Contributing data and deciding together, from a notebook or a script (through the data-api, as yourself).

    ck.contribute(frame, name="foodbank_visits_ward22", title=..., description=..., licence="OGL-UK-3.0",
                  tier="community", publisher=..., contact=..., update_frequency="monthly", methodology=...)
    ck.contributions()                               # yours and everyone's, with status and quality score
    ck.approve_contribution(7) / ck.reject_contribution(7, reason=...)   # stewards
    ck.withdraw("foodbank_visits_ward22", reason=...)                    # the contributor
    ck.propose_project(title=..., purpose=..., public_benefit=..., datasets=[...], members=[...], end_date=...)
    ck.propose_member("early-help-demand", "analyst2", organisation=...)  # or remove=True
    ck.vote("early-help-demand", "approve", comment=...)                 # or a proposal id
    ck.proposals(status="open")

A blocked upload raises ValidationFailed whose ``report`` lists every problem (file, line, column, fix). A file
over the upload limit is refused before it is sent, with the same message the data-api gives (413).
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pandas as pd
import requests

from commons_kernel import tiers
from commons_kernel.exceptions import DataApiUnavailable, GovernanceError, ValidationFailed

METADATA_FIELDS = (
    "publisher",
    "contact",
    "update_frequency",
    "methodology",
    "attribution",
    "licence_url",
    "period",
    "tags",
    "geography",
    "columns",
    "owner",
    "synthetic",
    "disclosure",
    "disclosure_control",
)


BIG_UPLOAD_BYTES = 1 << 20  # a connection dropped while sending more than this: the body was too big


def _client():
    from commons_kernel.api import client

    return client()


def _post(path: str, *, json_body: dict | None = None, files=None, data=None, upload: tuple[str, int] | None = None):
    """POST to the data-api as you. ``upload``: (file name, size) of a file being sent, for clear size errors."""
    api = _client()
    try:
        response = api.send("POST", path, json=json_body, files=files, data=data)
    except requests.ConnectionError as exc:
        if upload and upload[1] > BIG_UPLOAD_BYTES and "refused" not in str(exc).lower():
            # A server that will not take a body this big closes the connection while it is still being sent.
            raise _too_large(
                *upload, None, "the data-api closed the connection while the file was being sent"
            ) from None
        raise DataApiUnavailable(api.url, type(exc).__name__) from None
    except requests.RequestException as exc:
        raise DataApiUnavailable(api.url, type(exc).__name__) from None
    if upload and response.status_code == 503 and upload[1] > BIG_UPLOAD_BYTES and api.answers(timeout=10):
        # the proxy's 503 while the data-api itself answers: it dropped a body too big to take
        raise _too_large(*upload, None, "the data-api closed the connection while the file was being sent")
    if upload and (response.status_code == 413 or response.status_code == 400 and not response.content.strip()):
        if response.status_code == 413 and _error_code(response) == "too-large":
            body = response.json()
            raise ValidationFailed(_blocked_message(body), report=body.get("report"))
        # tornado's body limit (400, no JSON) or a proxy's 413 page: the same clear message
        raise _too_large(*upload, None, f"the server refused it (HTTP {response.status_code})")
    if response.status_code == 422:
        body = response.json()
        raise ValidationFailed(_blocked_message(body), report=body.get("report"))
    if _error_code(response) in ("not-permitted", GovernanceError.code):  # the hub's NotPermitted is a GovernanceError
        raise GovernanceError(response.json().get("reason", ""))
    if response.status_code >= 400:
        raise api.error(response)
    return response.json()


def _error_code(response) -> str:
    try:
        return response.json().get("error", "")
    except ValueError:
        return ""


def _blocked_message(body: dict) -> str:
    report = body.get("report") or {}
    errors = report.get("errors") or []
    lines = [body.get("reason", "The upload was blocked. Nothing was stored.")]
    for issue in errors[:10]:
        where = ":".join(str(part) for part in (issue.get("file"), issue.get("line")) if part not in (None, ""))
        column = f" column `{issue['column']}`" if issue.get("column") else ""
        lines.append(f"  - {where}{column}: {issue['message']}. Fix: {issue['fix']}")
    if len(errors) > 10:
        lines.append(f"  ... and {len(errors) - 10} more (see the exception's .report)")
    return "\n".join(lines)


def upload_limits() -> dict:
    """What the data-api accepts: max_upload_bytes, max_columns, max_cells, the checks' budget, and what sets each.
    Empty when the data-api does not say (an older one)."""
    try:
        return _client().get_json("api/contributions/limits")
    except Exception:  # the limits only make an error clearer; the data-api checks again anyway
        return {}


def _too_large(filename: str, size: int, limit: int | None, why: str) -> ValidationFailed:
    limit_text = (
        f"the limit is {limit:,} bytes (limits.max_upload_bytes in the data standard)"
        if limit
        else "it is larger than the data-api accepts"
    )
    message = f"the file is {size:,} bytes; {limit_text}"
    fix = "split the data into smaller files (by year or area), or zip it"
    report = {
        "file": filename,
        "ok": False,
        "errors": [
            {
                "severity": "error",
                "category": "structure",
                "code": "too-large",
                "message": message,
                "fix": fix,
                "file": filename,
            }
        ],
        "warnings": [],
    }
    return ValidationFailed(f"{filename}: {message} ({why}). Fix: {fix}. Nothing was stored.", report=report)


def _payload(frame_or_path, name: str) -> tuple[str, bytes]:
    if isinstance(frame_or_path, pd.DataFrame):
        if hasattr(frame_or_path, "geometry"):
            raise ValidationFailed(
                "Contribute a table without geometry: link areas by their GSS code column, and the "
                "commons joins boundaries. Drop the geometry column first."
            )
        buffer = io.BytesIO()
        frame_or_path.to_parquet(buffer, index=False)
        return f"{name}.parquet", buffer.getvalue()
    path = Path(frame_or_path)
    if not path.is_file():
        raise ValidationFailed(
            f"{path} is not a file. Give a pandas DataFrame, or the path of a CSV, xlsx, Parquet or zip file."
        )
    return path.name, path.read_bytes()


def contribute(
    frame_or_path,
    name: str,
    title: str,
    description: str,
    licence: str,
    tier: str = tiers.DEFAULT,
    *,
    metadata: dict | str | Path | None = None,
    **fields,
) -> dict:
    """Upload a table for the catalogue. It is checked at once (the data standard, personal data, small counts,
    size and file type); if it passes it waits for a steward, and ``status`` is ``pending``.

    ``metadata``: a dict or a YAML file with further fields; keyword ``fields`` (publisher, contact,
    update_frequency, methodology, attribution, period, tags, geography, columns, ...) are added to it.
    Uploading again under the same name adds a new version. Returns the contribution with its quality report.
    """
    unknown = set(fields) - set(METADATA_FIELDS)
    if unknown:
        raise TypeError(
            f"contribute() got unknown field(s) {', '.join(sorted(unknown))}; metadata fields are "
            f"{', '.join(METADATA_FIELDS)}"
        )
    base: dict = {}
    if isinstance(metadata, (str, Path)):
        import yaml

        base = yaml.safe_load(Path(metadata).read_text(encoding="utf-8")) or {}
    elif isinstance(metadata, dict):
        base = dict(metadata)
    base.update({k: v for k, v in fields.items() if v is not None})
    base.update(name=name, title=title, description=description, licence=licence, tier=tier)
    filename, content = _payload(frame_or_path, name)
    limit = upload_limits().get("max_upload_bytes")
    if isinstance(limit, int) and len(content) > limit:
        raise _too_large(filename, len(content), limit, "checked before sending: nothing was sent")
    return _post(
        "api/contributions",
        files={"file": (filename, content)},
        data={"name": name, "tier": tier, "metadata": json.dumps(base, default=str)},
        upload=(filename, len(content)),
    )


def contributions(status: str | None = None) -> pd.DataFrame:
    """Every contribution: dataset, contributor, status (pending, approved, rejected), quality score, reason."""
    return pd.DataFrame(_client().get_json("api/contributions", status=status))


def contribution(contribution_id: int) -> dict:
    """One contribution with its quality report."""
    return _client().get_json(f"api/contributions/{int(contribution_id)}")


def approve_contribution(contribution_id: int, reason: str = "") -> dict:
    """Stewards: make a pending contribution the dataset's next version, in the catalogue."""
    return _post(f"api/contributions/{int(contribution_id)}/approve", json_body={"reason": reason})


def reject_contribution(contribution_id: int, reason: str) -> dict:
    """Stewards: refuse a pending contribution; the reason is shown to the contributor and on the register."""
    return _post(f"api/contributions/{int(contribution_id)}/reject", json_body={"reason": reason})


def withdraw(name: str, reason: str) -> dict:
    """Withdraw a dataset you contributed: reads are refused from now on and the public register says so."""
    return _post(f"api/datasets/{name}/withdraw", json_body={"reason": reason})


def propose_project(
    title: str,
    purpose: str,
    public_benefit: str,
    datasets: list[str],
    end_date,
    *,
    members: list[str] | dict[str, str] | None = None,
    start_date=None,
    organisation: str | None = None,
    slug: str | None = None,
) -> dict:
    """Propose a project; members and stewards vote, and it may read its restricted datasets once approved.

    ``members``: user names, or {user name: organisation} (default: you). ``end_date``: the project expires then.
    """
    body = {
        "kind": "project",
        "title": title,
        "purpose": purpose,
        "public_benefit": public_benefit,
        "datasets": list(datasets),
        "end_date": _iso(end_date),
        "start_date": _iso(start_date),
        "members": members,
        "organisation": organisation,
        "slug": slug,
    }
    return _post("api/proposals", json_body={k: v for k, v in body.items() if v is not None})


def propose_member(
    project: str, username: str, *, organisation: str = "", remove: bool = False, reason: str = ""
) -> dict:
    """Propose adding ``username`` to a project (or removing them, ``remove=True``); it goes to a vote."""
    return _post(
        "api/proposals",
        json_body={
            "kind": "remove-member" if remove else "add-member",
            "project": project,
            "username": username,
            "organisation": organisation,
            "reason": reason,
        },
    )


def vote(proposal, choice: str, comment: str = "") -> dict:
    """Vote ``approve``, ``reject`` or ``abstain`` on a proposal (its id) or a project's proposal (its short name).
    Returns the proposal: ``status`` is open until the quorum rule decides it."""
    path = f"api/proposals/{proposal}/votes" if str(proposal).isdigit() else f"api/projects/{proposal}/votes"
    return _post(path, json_body={"choice": choice, "comment": comment})


def proposals(status: str | None = None) -> pd.DataFrame:
    """Proposals with their project, status, counts and where they stand (``status='open'`` for the open ones)."""
    rows = _client().get_json("api/proposals", status=status)
    columns = ["id", "kind", "project", "member", "status", "standing", "counts", "created_at", "decided_at"]
    return pd.DataFrame(rows, columns=None if rows else columns)


def proposal(proposal_id: int) -> dict:
    return _client().get_json(f"api/proposals/{int(proposal_id)}")


def _iso(value) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


__all__ = [
    "contribute",
    "upload_limits",
    "contributions",
    "contribution",
    "approve_contribution",
    "reject_contribution",
    "withdraw",
    "propose_project",
    "propose_member",
    "vote",
    "proposals",
    "proposal",
]
