"""Asking for outputs to leave the commons, reviewing them, and downloading them once released.

    import commons_kernel as ck
    ck.request_release({"weekly": table, "model": results, "chart": fig}, project="early-help-demand",
                       title="Weekly referrals by borough", description="What they are and why they should leave")
    ck.releases()                              # the releases you can see, with status and approvals
    ck.describe_release(3)                     # files, checksums, checks, reviews, next step
    ck.review_release(3, "approve", "Counts all at least 10; no differencing risk.")   # output checkers
    ck.download_release(3, "released/")        # project members, once two checkers approved

The outputs are checked here first (commons_kernel.disclosure), then again by the data-api, which stores them
with checksums until two output checkers, neither of them you, approve. docs/analysts/releases.md explains it.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pandas as pd

from commons_kernel.exceptions import (
    AccessDenied,
    CommonsError,
    DisclosureRisk,
    GovernanceError,
    ReleaseNotFound,
    ValidationFailed,
    for_code,
)

# commons_kernel.disclosure (ACRO, statsmodels, matplotlib) is imported when a release is made, not when
# `import commons_kernel` runs in every kernel.
DECISIONS = ("approve", "request-changes", "reject")
FAIL = "fail"


# -- objects → outputs ----------------------------------------------------------------------------------------


def _figure_png(figure) -> bytes:
    sink = io.BytesIO()
    figure.savefig(sink, format="png", dpi=100, bbox_inches="tight")
    return sink.getvalue()


def _is_model_results(obj: Any) -> bool:
    return hasattr(obj, "summary") and hasattr(obj, "df_resid") and hasattr(obj, "params")


def to_output(name: str, obj: Any, exception: str | None = None):
    """One object as an Output: a table, a model summary, a figure or text."""
    from commons_kernel.release_outputs import Output, table_to_parquet

    if isinstance(obj, (pd.DataFrame, pd.Series)):
        return Output(name, "table", table_to_parquet(obj), exception)
    if _is_model_results(obj):
        return Output(
            name, "model", obj.summary().as_text().encode("utf-8"), exception, {"df_resid": float(obj.df_resid)}
        )
    if hasattr(obj, "savefig"):  # a matplotlib Figure
        return Output(name, "figure", _figure_png(obj), exception)
    if hasattr(obj, "get_figure") and hasattr(obj.get_figure(), "savefig"):  # matplotlib Axes
        return Output(name, "figure", _figure_png(obj.get_figure()), exception)
    if isinstance(obj, str):
        return Output(name, "text", obj.encode("utf-8"), exception)
    if isinstance(obj, Path):
        return _file_output(name, obj, exception)
    raise ValidationFailed(
        f"{name}: a {type(obj).__name__} cannot be released. Release a pandas table, a statsmodels result, a "
        f"matplotlib figure, text, or a PNG / CSV / text file (as a pathlib.Path). For a plotly figure, draw the "
        f"same chart with matplotlib or release the table behind it."
    )


def _file_output(name: str, path: Path, exception: str | None):
    from commons_kernel.release_outputs import Output, table_to_parquet

    suffix = path.suffix.lower()
    if suffix == ".png":
        return Output(name, "figure", path.read_bytes(), exception)
    if suffix == ".csv":
        return Output(name, "table", table_to_parquet(pd.read_csv(path)), exception)
    if suffix in (".txt", ".md"):
        return Output(name, "text", path.read_bytes(), exception)
    raise ValidationFailed(f"{name}: {path.name} is not a PNG, CSV or text file; those are the files a release takes.")


def _session_outputs(session, exceptions: dict, prefix: str = "") -> list:
    """Every output of an ACRO session (named ``prefix`` + its ACRO id): its tables (as suppressed), model
    summaries and plots."""
    from commons_kernel.release_outputs import Output, table_to_parquet

    records = session._acro.results.results  # the session's ACRO records: the objects behind session.outputs()
    outputs = []
    for acro_uid, record in records.items():
        uid = prefix + acro_uid
        exception = exceptions.get(uid) or (record.exception if record.status == FAIL else None) or None
        objects = record.output or []
        if record.output_type == "regression" or (
            objects and all(isinstance(o, pd.DataFrame) for o in objects) and len(objects) > 1
        ):
            text = "\n\n".join(o.to_string() for o in objects if isinstance(o, pd.DataFrame))
            outputs.append(Output(uid, "model", text.encode("utf-8"), exception, {"acro": record.status}))
        elif objects and isinstance(objects[0], pd.DataFrame):
            outputs.append(Output(uid, "table", table_to_parquet(objects[0]), exception, {"acro": record.status}))
        elif objects and isinstance(objects[0], str):
            path = Path(objects[0])
            output = _file_output(uid, path if path.is_absolute() else session.output_dir / path, exception)
            output.details["acro"] = record.status
            outputs.append(output)
    return outputs


def to_outputs(objects: Any, exceptions: dict | None = None) -> tuple[list, list[dict]]:
    """The analyst's objects as Outputs, and the ACRO results of any disclosure.Session among them.

    ``objects``: a dict {name: object}, a list (named output_1, output_2, ...), one object, or a
    ``disclosure.Session`` (each of its outputs, named by its ACRO id; in a dict, ``name_`` + the id).
    """
    from commons_kernel.disclosure import Session

    exceptions = dict(exceptions or {})
    named = isinstance(objects, dict)
    if named:
        items = list(objects.items())
    elif isinstance(objects, (list, tuple)):
        items = [(f"output_{i}", obj) for i, obj in enumerate(objects, start=1)]
    else:
        items = [("output_1", objects)]
    outputs, acro = [], []
    for name, obj in items:
        if isinstance(obj, Session):
            outputs.extend(_session_outputs(obj, exceptions, f"{name}_" if named else ""))
            acro.append(obj.results())
        else:
            outputs.append(to_output(str(name), obj, exceptions.get(name)))
    if not outputs:
        raise ValidationFailed("Nothing to release: pass a table, model, figure or text (or a session with outputs).")
    unknown = set(exceptions) - {o.name for o in outputs}
    if unknown:
        raise ValidationFailed(
            f"exceptions= names {sorted(unknown)}, which are not outputs; the outputs are {[o.name for o in outputs]}."
        )
    return outputs, acro


def check_outputs(outputs: list, thresholds) -> list:
    """Check each output as the data-api will; raise DisclosureRisk for a failing one without an exception."""
    from commons_kernel.release_outputs import check_file

    results = [check_file(output, thresholds) for output in outputs]
    failing = [(o, r) for o, r in zip(outputs, results, strict=False) if r.status == FAIL and not o.exception]
    if failing:
        lines = []
        for output, result in failing:
            cells = "; ".join(result.failing[:5]) or result.summary
            more = f" and {len(result.failing) - 5} more" if len(result.failing) > 5 else ""
            lines.append(f"{output.name}: {cells}{more}")
        raise DisclosureRisk(
            "These outputs fail disclosure control, so they were not sent: " + " | ".join(lines) + ". Release the "
            "suppressed copy instead (disclosure.suppress_small_counts(frame), or check_output(table).suppressed), "
            "combine small groups, or move labels such as a year into the index (frame.set_index('year')): every "
            "whole-number column is checked as a count. If an output must go out as it is, say why with "
            "exceptions={'name': 'reason'}; the output checkers decide."
        )
    return results


# -- the API --------------------------------------------------------------------------------------------------


def _client():
    from commons_kernel.api import client

    return client()


def _call(method: str, path: str, payload: dict | None = None):
    """A data-api call (GET, POST, or FILE: a GET of bytes) whose refusals come back as the commons' own
    exceptions, by their code in the one table (``exceptions.for_code``), in the data-api's own words."""
    client = _client()
    try:
        if method == "FILE":
            return client.get_bytes(path)
        return client.post_json(path, payload) if method == "POST" else client.get_json(path)
    except CommonsError as exc:
        answer = getattr(exc, "payload", None)
        if not answer:  # rebuilt whole by the client already (AccessDenied, ValidationFailed, ...)
            raise
        raise _from_answer(answer, exc) from None


def _from_answer(answer: dict, exc: CommonsError) -> CommonsError:
    """The exception a data-api answer stands for; ``exc`` (the client's) when the answer carries too little."""
    kind = for_code(answer.get("error"))
    if kind is ReleaseNotFound and isinstance(answer.get("release"), int):
        return ReleaseNotFound(answer["release"], answer.get("file"))
    if kind in (DisclosureRisk, GovernanceError):  # their message is all they carry: the data-api's reason
        return kind(answer.get("reason") or str(exc))
    return exc


def _project_thresholds(project: str):
    """The thresholds the data-api applies to this project's outputs: the strictest of its datasets'."""
    from commons_kernel.api import describe
    from commons_kernel.disclosure import resolve_thresholds

    projects = {p["slug"]: p for p in _call("GET", "api/projects")}
    if project not in projects:
        return resolve_thresholds()  # the data-api will say the project does not exist
    metadata = []
    for name in projects[project]["datasets"]:
        try:
            metadata.append(describe(name))
        except CommonsError:
            continue
    return resolve_thresholds(None, metadata)


def request_release(
    objects: Any,
    project: str,
    description: str,
    title: str | None = None,
    exceptions: dict[str, str] | None = None,
    replaces: int | None = None,
) -> dict:
    """Ask for outputs made in ``project`` to be released; returns the stored request (id, status, files, checks).

    ``objects``: {name: table | model results | figure | text | Path}, a list, or a ``disclosure.Session``.
    ``description``: what the outputs are, what data they come from and why they should leave.
    ``title``: a short title for the public register (default: the description's first sentence).
    ``exceptions``: {name: reason} for outputs that fail a check but should go out as they are (checkers decide).
    ``replaces``: the id of your release that checkers sent back for changes; this is its new version.
    """
    if not isinstance(description, str) or not description.strip():
        raise ValidationFailed("Describe the outputs: what they are, which data they come from, why they should leave.")
    outputs, acro = to_outputs(objects, exceptions)
    check_outputs(outputs, _project_thresholds(project))
    title = (title or description.strip().split(". ")[0])[:200]
    payload = {
        "project": project,
        "title": title,
        "description": description,
        "replaces": replaces,
        "outputs": [o.to_payload() for o in outputs],
        "acro": (acro[0] if len(acro) == 1 else {"sessions": acro}) if acro else None,
    }
    return _call("POST", "api/releases", payload)


def releases() -> pd.DataFrame:
    """The releases you can see: your projects' (any status), every released one, and all of them for checkers."""
    rows = _call("GET", "api/releases")
    columns = [
        "id",
        "project",
        "title",
        "status",
        "version",
        "requester",
        "approvals",
        "checkers",
        "created_at",
        "released_at",
    ]
    return pd.DataFrame(rows, columns=columns)


def describe_release(release_id: int) -> dict:
    """One release: description, files with sha256 and checks, reviews, and what happens next."""
    return _call("GET", f"api/releases/{int(release_id)}")


def review_release(release_id: int, decision: str, comment: str = "") -> dict:
    """For output checkers: ``decision`` is "approve", "request-changes" or "reject"; say why in ``comment``."""
    if decision not in DECISIONS:
        raise ValidationFailed(f"decision is one of {', '.join(DECISIONS)}, not {decision!r}.")
    return _call("POST", f"api/releases/{int(release_id)}/reviews", {"decision": decision, "comment": comment})


def download_release(release_id: int, path: str | Path) -> list[Path]:
    """Download the files of a release into folder ``path`` (created if needed), checking each sha256.

    Project members can download once two checkers have approved; checkers can download to review.
    """
    details = describe_release(release_id)
    if "files" not in details:
        raise AccessDenied(
            f"release {release_id}",
            "only its project's members and the output checkers can download its files.",
            "The public register lists it.",
        )
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for item in details["files"]:
        data = _call("FILE", f"api/releases/{int(release_id)}/files/{item['name']}")
        if hashlib.sha256(data).hexdigest() != item["sha256"]:
            raise CommonsError(
                f"{item['name']} of release {release_id} arrived with the wrong checksum; nothing "
                f"more was written. Try again, and tell the operators if it happens again."
            )
        target = folder / item["name"]
        target.write_bytes(data)
        written.append(target)
    return written
