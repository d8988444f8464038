"""What the register shows, computed from the governance database, the audit log and the store (read-only).

People appear as their organisation unless the ``show_user_names`` setting is true. Data uses are counted from
the audit log itself (``read`` entries with outcome ``ok``, ids 1 up to and including the entry named
``as_of_entry``), so the register's numbers are the audit log's numbers. Only entries the chain check accepted are
counted: while the chain does not verify, ``as_of_entry`` is 0 and every page says why.
"""

from __future__ import annotations

import json
from datetime import date

import sqlalchemy as sa

from commons_hub.audit import AuditLog
from commons_hub.catalogue import Catalogue, skip_and_warn
from commons_hub.governance import contributions as contribution_records
from commons_hub.governance import decisions, withdrawals
from commons_hub.governance.organisations import public_name
from commons_hub.governance.projects import list_projects
from commons_hub.services.register import audit_entries, story_table
from commons_hub.services.register import uses as use_counts
from commons_hub.services.register.chain import ChainStatus
from commons_hub.services.register.extra_tables import public_releases
from commons_hub.services.register.query import Query
from commons_hub.services.register.readonly import has_table
from commons_hub.store import Store
from commons_kernel.exceptions import DatasetNotFound


class RegisterData:
    def __init__(self, eng: sa.Engine, store: Store, catalog_dir=None, show_user_names: bool = False):
        self.engine, self.store, self.catalog_dir = eng, store, catalog_dir
        self.show_user_names = show_user_names
        self._catalogue_files = Catalogue(store, catalog_dir, on_invalid=skip_and_warn)
        self.audit = AuditLog(eng, anchor=store.home / "audit.anchor")
        self.chain = ChainStatus(self.audit)

    # people ------------------------------------------------------------------------------------------------
    def person(self, username: str | None, organisation: str) -> str:
        return public_name(username, organisation, self.show_user_names)

    # catalogue ---------------------------------------------------------------------------------------------
    def catalogue(self) -> dict:
        """Metadata of every dataset in the store, by name (seed metadata and contributed metadata), from the one
        loader; a broken contributed file is skipped with a warning: one bad file must not take the register down."""
        return self._catalogue_files.stored()

    # audit -------------------------------------------------------------------------------------------------
    def audit_status(self) -> dict:
        """Whether the hash chain verifies, and its head: fully every 30 s, new entries at each request
        (chain.ChainStatus)."""
        return self.chain.current()

    def audit_head(self) -> dict:
        """The chain head (id, hash, time) for anyone to keep; null fields while the chain does not verify."""
        return self.chain.head()

    def last_entry(self) -> int:
        """The last entry the register counts: the verified head (0 while the chain does not verify)."""
        return self.chain.verified_through()

    def uses(self, as_of: int | None = None) -> dict:
        """Reads per dataset per project per month, with the purposes stated, from the audit log's entries 1 to
        ``as_of`` (default, and at most: the last entry the chain check accepted); every group, unfiltered."""
        verified = self.last_entry()
        as_of = verified if as_of is None else max(0, min(as_of, verified))
        return {"as_of_entry": as_of, "uses": use_counts.all_uses(self.engine, as_of)}

    def uses_page(self, query: Query) -> dict:
        """One page of the uses matching the query's filters (dataset, project, dates), with the filter choices."""
        page = use_counts.uses_page(self.engine, self.last_entry(), query)
        page["choices"] = self.choices()
        return page

    def audit_page(self, query: Query) -> dict:
        """The chain's state and head, and a page of recent entries (public fields only) matching the query."""
        status = self.audit_status()
        verified = status["head"]["id"] if status["ok"] and status["head"] else 0
        return {**status, "recent": audit_entries.entries_page(self.engine, verified, query), "choices": self.choices()}

    def choices(self) -> dict:
        """What the filter forms offer: every dataset in the catalogue and every project, by name."""
        return {"datasets": list(self.catalogue()), "projects": [p["slug"] for p in list_projects(self.engine)]}

    # datasets ----------------------------------------------------------------------------------------------
    def _contributions(self) -> list[dict]:
        return contribution_records.list_contributions(self.engine) if has_table(self.engine, "contributions") else []

    def datasets(self) -> list[dict]:
        uses = self.uses()
        by_dataset: dict[str, dict[str, int]] = {}
        for use in uses["uses"]:
            months = by_dataset.setdefault(use["dataset"], {})
            months[use["month"]] = months.get(use["month"], 0) + use["reads"]
        scores = {}
        for record in self._contributions():
            if record["status"] == "approved":
                scores[record["dataset"]] = record  # the latest approved version's contribution wins
        return [
            self._dataset(name, meta, by_dataset.get(name, {}), scores.get(name), uses["as_of_entry"])
            for name, meta in self.catalogue().items()
        ]

    def _dataset(self, name: str, meta, months: dict, contributed: dict | None, as_of: int) -> dict:
        manifest = self.store.manifest(name)
        return {
            "name": name,
            "title": meta.title,
            "tier": meta.tier,
            "licence": meta.licence,
            "licence_url": meta.licence_url,
            "publisher": meta.publisher,
            "attribution": meta.attribution,
            "synthetic": meta.synthetic,
            "owner": meta.owner,
            "quality_score": contributed["score"] if contributed else None,
            "contributed_by": self.person(contributed["contributor"], contributed["organisation"])
            if contributed
            else None,
            "versions": [
                {"version": v["version"], "rows": v.get("rows"), "added": v.get("ingested_at")}
                for v in manifest["versions"]
            ],
            "withdrawn": bool(manifest.get("withdrawn")),
            "withdrawn_reason": manifest.get("withdrawn_reason"),
            "withdrawn_at": manifest.get("withdrawn_at"),
            "reads_by_month": dict(sorted(months.items(), reverse=True)),
            "reads": sum(months.values()),
            "as_of_entry": as_of,
        }

    def dataset(self, name: str) -> dict:
        catalogue = self.catalogue()
        if name not in catalogue:
            raise DatasetNotFound(name)
        uses = self.uses()
        months: dict[str, int] = {}
        for use in uses["uses"]:
            if use["dataset"] == name:
                months[use["month"]] = months.get(use["month"], 0) + use["reads"]
        records = [r for r in self._contributions() if r["dataset"] == name]
        approved = [r for r in records if r["status"] == "approved"]
        result = self._dataset(name, catalogue[name], months, approved[-1] if approved else None, uses["as_of_entry"])
        result["description"] = catalogue[name].description
        result["uses"] = [u for u in uses["uses"] if u["dataset"] == name]
        result["contributions"] = [self._public_contribution(r) for r in records]
        result["projects"] = [p["slug"] for p in list_projects(self.engine) if name in p["datasets"]]
        return result

    # projects and decisions ----------------------------------------------------------------------------------
    def _public_vote(self, vote: dict) -> dict:
        return {
            "by": self.person(vote["voter"], vote["organisation"]),
            "steward": vote["steward"],
            "choice": vote["choice"],
            "comment": vote["comment"],
            "cast_at": when(vote["cast_at"]),
            "veto_for": vote["veto_for"],
        }

    def _public_proposal(self, proposal: dict) -> dict:
        member = proposal["member"]
        return {
            "id": proposal["id"],
            "kind": proposal["kind"],
            "status": proposal["status"],
            "member": self.person(member, proposal["member_organisation"]) if member else None,
            "reason": proposal["reason"],
            "proposed_at": when(proposal["created_at"]),
            "proposed_by": self.person(proposal["proposer"], proposal["proposer_organisation"]),
            "decided_at": when(proposal["decided_at"]),
            "decision": proposal["decision_reason"],
            "standing": proposal["standing"],
            "rule": proposal["rule"],
            "counts": proposal["counts"],
            "votes": [self._public_vote(v) for v in proposal["votes"]],
        }

    def projects(self) -> list[dict]:
        proposals = decisions.list_proposals(self.engine) if has_table(self.engine, "proposals") else []
        by_project: dict[str, list] = {}
        for proposal in proposals:
            by_project.setdefault(proposal["project"], []).append(self._public_proposal(proposal))
        today = date.today()
        result = []
        for project in list_projects(self.engine):
            end = date.fromisoformat(project["end_date"])
            status = project["status"]
            if status == "approved" and end < today:
                status = "ended"
            elif status == "proposed" and end < today:
                status = "lapsed"
            result.append(
                {
                    "slug": project["slug"],
                    "title": project["title"],
                    "purpose": project["purpose"],
                    "public_benefit": project["public_benefit"],
                    "status": status,
                    "active": project["active"],
                    "organisation": project["organisation"],
                    "members": sorted({self.person(m["username"], m["organisation"]) for m in project["members"]}),
                    "datasets": project["datasets"],
                    "start_date": project["start_date"],
                    "end_date": project["end_date"],
                    "decisions": by_project.get(project["slug"], []),
                }
            )
        return result

    def project(self, slug: str) -> dict:
        for project in self.projects():
            if project["slug"] == slug:
                project["uses"] = [u for u in self.uses()["uses"] if u["project"] == slug]
                return project
        raise KeyError(slug)

    # contributions, withdrawals, releases, story runs ----------------------------------------------------------
    def _public_contribution(self, record: dict) -> dict:
        return {
            "id": record["id"],
            "dataset": record["dataset"],
            "title": record["title"],
            "tier": record["tier"],
            "licence": record["licence"],
            "by": self.person(record["contributor"], record["organisation"]),
            "rows": record["rows"],
            "quality_score": record["score"],
            "status": record["status"],
            "submitted_at": when(record["created_at"]),
            "version": record["version"],
            "decided_at": when(record["decided_at"]),
            "steward_reason": record["reason"],
        }

    def contributions(self) -> dict:
        records = [self._public_contribution(r) for r in self._contributions()]
        return {"contributions": records, "withdrawals": self.withdrawals()}

    def withdrawals(self) -> list[dict]:
        if not has_table(self.engine, "withdrawals"):
            return []
        return [
            {
                "dataset": w["dataset"],
                "by": self.person(w["withdrawn_by"], w["organisation"]),
                "reason": w["reason"],
                "withdrawn_at": when(w["withdrawn_at"]),
                "stories": w["stories"],
            }
            for w in withdrawals.list_withdrawals(self.engine)
        ]

    def releases(self) -> dict:
        return public_releases(self.engine, self.person)

    def story_runs(self, query: Query | None = None) -> dict:
        """The story-refresh history, newest first, a page at a time (story_table)."""
        return story_table.story_runs_page(self.engine, self.periods(), query or Query())

    def periods(self) -> dict[str, str | None]:
        """Each dataset's period (what its data cover), from the catalogue."""
        return {name: meta.period for name, meta in self.catalogue().items()}

    def summary(self) -> dict:
        datasets = self.datasets()
        projects = self.projects()
        this_month = date.today().isoformat()[:7]
        return {
            "datasets": len(datasets),
            "withdrawn": sum(d["withdrawn"] for d in datasets),
            "projects_active": sum(p["active"] for p in projects),
            "proposals_open": sum(1 for p in projects for d in p["decisions"] if d["status"] == "open"),
            "reads_this_month": sum(d["reads_by_month"].get(this_month, 0) for d in datasets),
            "audit": self.audit_status(),
        }


def when(value) -> str | None:
    """A time as people read it in the register: ISO 8601 to the second."""
    if value is None:
        return None
    return value.isoformat(sep=" ", timespec="seconds") if hasattr(value, "isoformat") else str(value)[:19]


def to_json(value) -> str:
    return json.dumps(value, default=str, indent=1, ensure_ascii=False)
