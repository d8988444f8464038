"""Serving governed data: decide → audit → stream, in that order, in one call.

``prepare_read`` does everything that can fail before data leaves: finds the version, decides with the policy,
loads (and filters) the table, and writes the audit entry. The decision is ``policy.decide_read_request``, the
same one ``describe`` gives, so the two always agree. Only then does the handler stream bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from commons_hub.access_advice import advise
from commons_hub.audit import AuditEvent, refusal
from commons_hub.governance.projects import list_projects, project_view
from commons_hub.governance.quorum import QuorumRule
from commons_hub.policy import Caller, Decision, decide_read_request
from commons_hub.services.data_api.parts import VERIFIED, parse_limit, parse_part, part_label, read_from_copy, read_rows
from commons_hub.store import StoredFileCorrupt
from commons_kernel import output_formats
from commons_kernel.exceptions import CommonsError


@dataclass
class ReadRequest:
    dataset: str
    format: str = output_formats.DEFAULT  # a name in commons_kernel.output_formats
    columns: list[str] | None = None
    version: int | None = None
    project: str | None = None
    purpose: str | None = None
    areas: list[str] | None = None  # filter on the dataset's area-code column
    part: str | None = None  # "I/N": the I-th of N slices (a Dask partition), parts.py
    limit: str | None = None  # at most this many rows ("0": columns and types only)


@dataclass
class PreparedRead:
    content_type: str
    rows: int
    version: int
    payload: bytes  # the stored Arrow copy as-is (checked), or the table encoded in the asked format
    filename: str = ""
    about: dict = field(default_factory=dict)  # licence, attribution, title, tier, synthetic: read_headers.encode


class Denied(Exception):
    def __init__(self, decision):
        self.decision = decision


def _table(state, request: ReadRequest, meta, entry) -> pa.Table:
    store = state.store
    columns = request.columns
    if columns:
        known = [c["name"] for c in meta.columns]
        unknown = [c for c in columns if c not in known]
        if unknown:
            raise CommonsError(f"{request.dataset} has no column(s) {', '.join(unknown)}; it has {', '.join(known)}.")
        code_column = meta.geography.get("code_column")
        if request.areas and code_column and code_column not in columns:
            columns = [*columns, code_column]
    part, limit = parse_part(request.part), parse_limit(request.limit)
    if (part or limit == 0) and "arrow_sha256" in entry:  # a Dask partition or the schema: the checked Arrow copy
        table = read_from_copy(VERIFIED.get(store, request.dataset, entry), columns, entry["rows"], part, limit)
    else:
        parquet = store.version_bytes(request.dataset, entry)  # sha256 checked: StoredFileCorrupt otherwise
        table = read_rows(parquet, columns, part, limit)
    if request.areas:
        code_column = meta.geography.get("code_column")
        if not code_column or code_column not in table.column_names:
            raise CommonsError(f"{request.dataset} has no area-code column to filter on.")
        table = table.filter(pc.is_in(table[code_column], value_set=pa.array(request.areas)))
        if request.columns and code_column not in request.columns:
            table = table.drop_columns([code_column])
    return table


def refusal_event(
    caller: Caller, request: ReadRequest, reason: str, rule: str | None = None, version=None, **detail
) -> AuditEvent:
    """The audit entry of a refused read (a rule, a bad request, a corrupt file): the one shape every refusal has."""
    return refusal(
        caller.name,
        reason,
        actor_kind=caller.kind,
        project=request.project,
        purpose=request.purpose,
        dataset=request.dataset,
        version=version,
        detail={**({"rule": rule} if rule else {}), **detail},
    )


def with_advice(state, caller: Caller, dataset: str, tier: str, decision: Decision) -> Decision:
    """A refusal with the next step for this caller (commons_hub.access_advice), from the projects listing it."""
    return advise(
        decision,
        caller.name,
        dataset,
        tier,
        list_projects(state.engine),
        rule_text=QuorumRule.from_settings().describe(),
    )


def prepare_read(state, caller: Caller, request: ReadRequest) -> PreparedRead:
    """Decide, load, audit. Raises Denied (already audited) or CommonsError."""
    meta = state.metadata(request.dataset)
    fmt = output_formats.get(request.format)  # CommonsError naming the installed formats
    part = part_label(parse_part(request.part))
    parse_limit(request.limit)
    entry = state.version_entry(request.dataset, request.version)
    project = project_view(request.project, state.engine) if request.project else None
    decision = decide_read_request(
        caller,
        request.dataset,
        meta.tier,
        named=request.project,
        project=project,
        purpose=request.purpose,
        withdrawn=state.is_withdrawn(request.dataset),
    )
    if not decision.allowed:
        state.audit.append(refusal_event(caller, request, decision.reason, decision.rule, version=entry["version"]))
        raise Denied(with_advice(state, caller, request.dataset, meta.tier, decision))
    fast = fmt.serves_stored_copy and not (request.columns or request.areas or part or request.limit)
    try:
        if fast and "arrow_sha256" in entry:  # the stored Arrow copy, as-is, once its hash is checked
            payload = state.store.version_bytes(request.dataset, entry, "arrow")
            prepared = PreparedRead(fmt.media_type, entry["rows"], entry["version"], payload=payload)
        else:
            table = _table(state, request, meta, entry)
            prepared = PreparedRead(fmt.media_type, table.num_rows, entry["version"], payload=fmt.encode(table))
    except StoredFileCorrupt as exc:
        state.audit.append(
            refusal_event(
                caller,
                request,
                f"stored file does not match its manifest: {exc.where}",
                "integrity",
                version=entry["version"],
                expected_sha256=exc.expected,
                actual_sha256=exc.actual,
            )
        )
        raise Denied(
            Decision(
                False,
                f"{request.dataset} version {entry['version']} failed its integrity check "
                f"(the stored bytes are not the ones published), so it was not served.",
                "Nothing is wrong with your request: tell the operators (the audit log names the "
                "file); they restore it from a backup.",
                project=request.project,
                rule="integrity",
                why="integrity",
            )
        ) from exc
    size = len(prepared.payload)
    prepared.about = {
        "version": entry["version"],
        "licence": meta.licence,
        "attribution": meta.attribution,
        "title": meta.title,
        "tier": meta.tier,
        "synthetic": bool(meta.synthetic),
    }
    prepared.filename = f"{request.dataset}-v{entry['version']}.{fmt.suffix}"
    state.audit.append(
        AuditEvent(
            actor=caller.name,
            actor_kind=caller.kind,
            action="read",
            outcome="ok",
            project=request.project,
            purpose=request.purpose,
            dataset=request.dataset,
            version=entry["version"],
            rows=prepared.rows,
            bytes=size,
            detail={
                "tier": meta.tier,
                "format": request.format,
                "columns": request.columns,
                "areas": request.areas,
                "rule": decision.rule,
                **({"part": part} if part else {}),
                **({"limit": int(request.limit)} if request.limit else {}),
            },
        )
    )
    return prepared
