"""What an output checker sees of a release before reviewing it: each file's disclosure report (which rules
passed or failed, and why) from the release's manifest, and the first rows of each table.

The checks themselves ran once, when the release was requested (``releases.service``); this module only reads
what they recorded. A table's rows leave through ``ReleaseService.open_download``, which decides, verifies the
checksum and writes the ``release-download`` entry before returning the file, like a download.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from commons_hub.governance.projects import project_view
from commons_hub.policy import Caller
from commons_hub.releases import files as release_files
from commons_hub.releases import rules
from commons_hub.releases.service import ReleaseService
from commons_kernel.disclosure.rules import FAIL, PASS, RULES, table_rules
from commons_kernel.disclosure.thresholds import Thresholds
from commons_kernel.release_outputs import table_from_parquet

PREVIEW_ROWS = 20
# A table output is checked with its cells read as counts of records (release_outputs.check_table).
TABLE_EVIDENCE = {"counts"}
RULE_STATUS = {FAIL: "failed", "review": "needs review"}
RESULT = {FAIL: "failed", PASS: "passed", "review": "needs review"}


@dataclass
class RuleResult:
    rule: str
    status: str  # passed | failed | needs review
    cells: int  # cells the rule flagged
    why: str  # the rule, with the thresholds it used


@dataclass
class TablePreview:
    columns: list[str]
    rows: list[list[str]]
    total_rows: int


def file_checks(home, release_id: int) -> dict[str, dict]:
    """Each stored file's server-side check, as the release's manifest recorded it: {file name: check}."""
    path = release_files.manifest_path(home, release_id)
    if not path.is_file():
        return {}
    manifest = json.loads(path.read_text(encoding="utf-8"))
    return {item["name"]: item.get("check") or {} for item in manifest.get("files") or []}


def rule_results(check: dict) -> list[RuleResult]:
    """Every rule the table check ran, passed or not, and any other rule that flagged cells. [] when the output
    was not a table the rules could check (figures, text: the summary says why a person must look)."""
    report = (check or {}).get("report")
    if not report:
        return []
    thresholds = Thresholds(**report["thresholds"])
    cells = report.get("cells") or []
    flagged: dict[str, int] = {}
    for cell in cells:
        for name in cell.get("rules") or []:
            flagged[name] = flagged.get(name, 0) + 1
    names = [rule.name for rule in table_rules(TABLE_EVIDENCE)] + sorted(
        set(flagged) - {rule.name for rule in table_rules(TABLE_EVIDENCE)}
    )
    results = []
    for name in names:
        rule = RULES.get(name)
        why = rule.describe(thresholds) if rule else name
        count = flagged.get(name, 0)
        status = RULE_STATUS.get(rule.status if rule else FAIL, "failed") if count else "passed"
        summary = f"{rule.summary} " if rule and rule.summary else ""
        results.append(RuleResult(name, status, count, f"{summary}Flags a cell with {why}."))
    return results


def view_of(release: dict) -> rules.ReleaseView:
    """The rules' view of a release as ``ReleaseService.details`` returns it (no requester in the public part)."""
    return rules.ReleaseView(release["id"], release["project"], release.get("requester") or "", release["status"])


def preview_allowed(caller: Caller, release: dict, engine) -> bool:
    """Whether ``caller`` may see the files' rows now (the download rule: checkers; members once released)."""
    view = project_view(release["project"], engine)
    return rules.decide_download(caller, view_of(release), view.members if view else frozenset()).allowed


def review_allowed(caller: Caller, release: dict) -> bool:
    """Whether the page offers ``caller`` the review form (the review rule: a checker, not the requester, while
    the release is pending); the review itself decides again."""
    return rules.decide_review(caller, view_of(release), rules.APPROVE).allowed


def table_preview(
    service: ReleaseService, caller: Caller, release_id: int, name: str, limit: int = PREVIEW_ROWS
) -> TablePreview:
    """The first rows of table file ``name``: decided, checksum-verified and audited by ``open_download``."""
    path, _stored = service.open_download(caller, release_id, name)
    frame = release_files.with_labels(table_from_parquet(path.read_bytes()))
    head = frame.head(limit)
    rows = [
        ["" if value is None or value != value else str(value) for value in record]
        for record in head.itertuples(index=False, name=None)
    ]
    return TablePreview([str(c) for c in frame.columns], rows, len(frame))
