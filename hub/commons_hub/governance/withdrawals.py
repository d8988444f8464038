"""Withdrawing a dataset: its contributor (or a steward) takes it out of use.

The manifest gets ``"withdrawn": true`` with the reason, time and who (written atomically): the policy then
refuses every read (``ServiceState.is_withdrawn``), the catalogue marks it, and the register lists the
withdrawal with the stories that used it. Stories are refreshed without it or unpublished by the refresher,
which asks ``datasets_withdrawn()``; the files stay in the store so the audit trail can still be checked.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
import yaml

from commons_hub.audit import AuditEvent
from commons_hub.governance import permissions
from commons_hub.governance.contributions import contributors_of
from commons_hub.governance.organisations import organisation_of
from commons_hub.policy import Caller
from commons_hub.store import Store
from commons_hub.tables.contributions import withdrawals
from commons_kernel import config
from commons_kernel.exceptions import GovernanceError


def stories_dir() -> Path:
    return config.PROJECT_ROOT / "stories"


def stories_using(name: str, folder: Path | None = None) -> list[str]:
    """Slugs of the stories whose story.yaml lists dataset ``name`` (as a name or as ``{name: ...}``)."""
    found = []
    for path in sorted((folder or stories_dir()).glob("*/story.yaml")):
        try:
            story = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        listed = story.get("datasets") or [] if isinstance(story, dict) else []
        names = {item.get("name") if isinstance(item, dict) else str(item) for item in listed}
        if name in names:
            found.append(path.parent.name)
    return found


def withdraw(
    caller: Caller, name: str, reason: str, *, store: Store, eng, audit, stories_folder: Path | None = None
) -> dict:
    """Withdraw dataset ``name``: reads are refused from now on. Returns the withdrawal record."""
    manifest = store.manifest(name)  # DatasetNotFound when there is no such dataset
    permissions.check_can_withdraw(caller, audit, dataset=name, contributors=contributors_of(name, eng))
    with eng.connect() as conn:
        committed = conn.execute(sa.select(withdrawals).where(withdrawals.c.dataset == name)).first()
    if committed is not None and not manifest.get("withdrawn"):  # a retry after a crash: finish it, audit nothing new
        _mark_withdrawn(store, name, committed.withdrawn_by, committed.reason, committed.withdrawn_at)
        return {
            "dataset": name,
            "withdrawn_at": committed.withdrawn_at,
            "reason": committed.reason,
            "organisation": committed.organisation,
            "stories": json.loads(committed.stories or "[]"),
        }
    if manifest.get("withdrawn"):
        raise GovernanceError(
            f"{name} was already withdrawn on {manifest.get('withdrawn_at')}: {manifest.get('withdrawn_reason')}"
        )
    reason = str(reason or "").strip()
    if not reason:
        raise GovernanceError("Say why the dataset is withdrawn (reason=...): the public register shows it.")
    stories = stories_using(name, stories_folder)
    now = datetime.now(UTC)
    with audit.transaction() as conn:  # the withdrawal and its audit entry commit together
        organisation = organisation_of(caller.name, conn)
        conn.execute(
            withdrawals.insert().values(
                dataset=name,
                withdrawn_by=caller.name,
                organisation=organisation,
                reason=reason[:2000],
                withdrawn_at=now,
                stories=json.dumps(stories),
            )
        )
        audit.append(
            AuditEvent(
                actor=caller.name,
                action="withdraw",
                dataset=name,
                version=manifest["versions"][-1]["version"],
                detail={"reason": reason, "stories": stories},
            ),
            conn=conn,
        )
    # Then the manifest flag the policy reads; after a crash in between, the start-up sweep sets it (`sweep`).
    _mark_withdrawn(store, name, caller.name, reason, now)
    return {"dataset": name, "withdrawn_at": now, "reason": reason, "organisation": organisation, "stories": stories}


def _mark_withdrawn(store: Store, name: str, by: str, reason: str, when: datetime) -> None:
    def mark(manifest: dict) -> None:
        manifest.update(
            withdrawn=True,
            withdrawn_reason=reason[:2000],
            withdrawn_at=when.isoformat(timespec="seconds"),
            withdrawn_by=by,
        )

    store.update_manifest(name, mark)


def sweep(store: Store, eng) -> list[str]:
    """At start: set the manifest flag of every withdrawal committed just before a crash. One line per dataset."""
    done = []
    for record in list_withdrawals(eng):
        name = record["dataset"]
        if name in store.names() and not store.manifest(name).get("withdrawn"):
            _mark_withdrawn(store, name, record["withdrawn_by"], record["reason"], record["withdrawn_at"])
            done.append(f"marked {name} withdrawn (withdrawn before a crash)")
    return done


def datasets_withdrawn(store: Store | None = None) -> dict[str, dict]:
    """Every withdrawn dataset: {name: {"reason", "withdrawn_at"}}. The refresher asks this before each run and
    refreshes stories without those datasets, or unpublishes them."""
    store = store or Store()
    result = {}
    for name in store.names():
        manifest = store.manifest(name)
        if manifest.get("withdrawn"):
            result[name] = {
                "reason": manifest.get("withdrawn_reason", ""),
                "withdrawn_at": manifest.get("withdrawn_at", ""),
            }
    return result


def list_withdrawals(eng) -> list[dict]:
    with eng.connect() as conn:
        rows = conn.execute(sa.select(withdrawals).order_by(withdrawals.c.id)).all()
    return [
        {
            "dataset": r.dataset,
            "withdrawn_by": r.withdrawn_by,
            "organisation": r.organisation,
            "reason": r.reason,
            "withdrawn_at": r.withdrawn_at,
            "stories": json.loads(r.stories or "[]"),
        }
        for r in rows
    ]
