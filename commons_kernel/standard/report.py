"""The quality report: errors (which block a contribution), warnings, and a 0-100 score with its breakdown.

Every check records what it looked at with ``tally(category, passed, checked)``; a category scores its weight
times the share that passed. Repeated problems in one column are listed a few times, then summarised.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from commons_kernel.exceptions import ValidationFailed


@dataclass
class Issue:
    """One problem, with where it is (file, 1-based line counting the header as line 1, column) and the fix."""

    severity: str  # "error" blocks; "warning" lowers the score
    category: str  # a key of the score weights
    code: str  # a stable machine name, e.g. "not-gss-code"
    message: str
    fix: str = ""
    file: str | None = None
    line: int | None = None
    column: str | None = None

    def to_dict(self) -> dict:
        return {
            "severity": self.severity,
            "category": self.category,
            "code": self.code,
            "message": self.message,
            "fix": self.fix,
            "file": self.file,
            "line": self.line,
            "column": self.column,
        }

    def __str__(self) -> str:
        where = self.file or ""
        if self.line is not None:
            where += f":{self.line}"
        text = f"{where}: {self.message}" if where else self.message
        return f"{text}. Fix: {self.fix}" if self.fix else text


@dataclass
class QualityReport:
    file: str
    tier: str
    weights: dict[str, int]
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    tallies: dict[str, list[int]] = field(default_factory=dict)
    not_assessed: set[str] = field(default_factory=set)
    per_key_limit: int = 5
    _seen: Counter = field(default_factory=Counter, repr=False)
    _held_back: dict = field(default_factory=dict, repr=False)

    # -- recording -------------------------------------------------------------------------------------------
    def add(self, issue: Issue) -> Issue:
        if issue.file is None:
            issue.file = self.file
        key = (issue.severity, issue.code, issue.file, issue.column)
        self._seen[key] += 1
        if self._seen[key] > self.per_key_limit and issue.line is not None:
            self._held_back.setdefault(key, [issue, [], 0])[1].append(issue.line)
            return issue
        (self.errors if issue.severity == "error" else self.warnings).append(issue)
        return issue

    def error(self, category: str, code: str, message: str, fix: str = "", **where) -> Issue:
        return self.add(Issue("error", category, code, message, fix, **where))

    def warning(self, category: str, code: str, message: str, fix: str = "", **where) -> Issue:
        return self.add(Issue("warning", category, code, message, fix, **where))

    def add_many(self, positions, build) -> None:
        """``build(position) -> Issue`` for each position; past the first few, only counted (fast on big files)."""
        positions = list(positions)
        cap = self.per_key_limit + 10
        last = None
        for position in positions[:cap]:
            last = self.add(build(position))
        if len(positions) > cap and last is not None:
            key = (last.severity, last.code, last.file, last.column)
            self._held_back.setdefault(key, [last, [], 0])[2] += len(positions) - cap

    def tally(self, category: str, passed: int, checked: int) -> None:
        counts = self.tallies.setdefault(category, [0, 0])
        counts[0] += max(0, min(passed, checked))
        counts[1] += checked

    def finish(self) -> QualityReport:
        """Summarise the problems held back after the first few of a kind in one column."""
        for (severity, code, file, column), (first, lines, uncounted) in self._held_back.items():
            total = len(lines) + uncounted
            shown = ", ".join(str(line) for line in lines[:10]) + (", ..." if total > 10 else "")
            where = f" in column `{column}`" if column else ""
            self.add(
                Issue(
                    severity,
                    first.category,
                    code + "-more",
                    f"the same problem ({code}) is on {total} more lines{where}: {shown}",
                    "the same kind of fix as above",
                    file=file,
                    line=None,
                    column=column,
                )
            )
        self._held_back.clear()
        return self

    def merge(self, other: QualityReport) -> QualityReport:
        other.finish()
        self.errors += other.errors
        self.warnings += other.warnings
        for category, (passed, checked) in other.tallies.items():
            self.tally(category, passed, checked)
        self.not_assessed |= other.not_assessed
        return self

    # -- reading ---------------------------------------------------------------------------------------------
    @property
    def ok(self) -> bool:
        """True when nothing blocks: there are no errors (warnings only lower the score)."""
        return not self.errors

    @property
    def breakdown(self) -> dict[str, dict]:
        parts = {}
        for category, weight in self.weights.items():
            passed, checked = self.tallies.get(category, [0, 0])
            if category in self.not_assessed:
                points, note = 0.0, "not assessed: first fix the errors that stop the table being read"
            elif checked == 0:
                points, note = float(weight), "nothing to check"
            else:
                points, note = weight * passed / checked, f"{passed} of {checked} checks passed"
            parts[category] = {
                "points": round(points, 1),
                "out_of": weight,
                "note": note,
                "errors": sum(1 for issue in self.errors if issue.category == category),
                "warnings": sum(1 for issue in self.warnings if issue.category == category),
            }
        return parts

    @property
    def score(self) -> int:
        return round(sum(part["points"] for part in self.breakdown.values()))

    def raise_if_blocked(self) -> QualityReport:
        if self.errors:
            first = self.errors[0]
            more = f" (and {len(self.errors) - 1} more errors)" if len(self.errors) > 1 else ""
            raise ValidationFailed(f"{first}{more}. Nothing was stored. See the report for the full list.", report=self)
        return self

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "tier": self.tier,
            "ok": self.ok,
            "score": self.score,
            "breakdown": self.breakdown,
            "errors": [issue.to_dict() for issue in self.errors],
            "warnings": [issue.to_dict() for issue in self.warnings],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def to_text(self) -> str:
        verdict = "meets the standard" if self.ok else f"does not meet the standard: {len(self.errors)} error(s)"
        lines = [f"{self.file} ({self.tier} tier): {verdict}; quality score {self.score}/100"]
        for label, issues in (("Errors (these block the upload)", self.errors), ("Warnings", self.warnings)):
            if issues:
                lines += ["", f"{label}:"] + [f"  - {issue}" for issue in issues]
        lines += ["", "Score breakdown:"]
        for category, part in self.breakdown.items():
            lines.append(f"  {category:<10} {part['points']:>5}/{part['out_of']:<3} {part['note']}")
        return "\n".join(lines)
