"""The disclosure rules: a registry, with the built-in rules registered the same way a new one would be.

Each built-in rule is one of ACRO's checks (``acro.sdcchecks.SDCChecks``); the registry adds what the commons
needs around it: a short name, whether a flagged cell fails or needs review, which setting holds its number,
and a plain-English reason for the report. docs/analysts/disclosure.md describes every rule here (a test
keeps the two in step).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from commons_kernel.disclosure.thresholds import Thresholds

FAIL, REVIEW, PASS = "fail", "review", "pass"
SEVERITY = {PASS: 0, REVIEW: 1, FAIL: 2}

# (status, summary, mask) as ACRO's check methods return them; mask is a boolean table, True = flagged.
CheckResult = tuple[str, str, Any]
CheckFunction = Callable[[Any, Any, Any], CheckResult]  # (sdc_checks, evidence, model) -> CheckResult


@dataclass(frozen=True)
class Rule:
    name: str
    status: str  # what a flagged cell becomes: "fail" (suppressed) or "review" (kept, a person looks)
    needs: str  # evidence the rule reads: "counts" (records per cell) or "contributors" (their values)
    describe: Callable[[Thresholds], str]  # the reason shown against a flagged cell
    check: str | CheckFunction | None  # an ACRO check name, or a function; None: reported by another rule
    setting: str = ""  # the commons setting or dataset key that holds the rule's number
    summary: str = ""  # one line for the docs
    review_as: str = ""  # when the check answers "review" instead of failing, the rule that explains why
    any_table: bool = True  # check_output applies it to any table (False: models and std tables only)

    def run(self, sdc_checks: Any, evidence: Any, model: Any) -> CheckResult:
        if callable(self.check):
            return self.check(sdc_checks, evidence, model)
        method = sdc_checks.check_to_method[self.check]
        return method(self.name, evidence, model)


RULES: dict[str, Rule] = {}


def register_rule(rule: Rule) -> Rule:
    """Add a rule (or replace one of the same name); every later check uses it."""
    if rule.status not in (FAIL, REVIEW):
        raise ValueError(f"rule {rule.name!r}: status must be 'fail' or 'review', not {rule.status!r}")
    if rule.needs not in ("counts", "contributors"):
        raise ValueError(f"rule {rule.name!r}: needs must be 'counts' or 'contributors', not {rule.needs!r}")
    RULES[rule.name] = rule
    return rule


def table_rules(evidence: set[str]) -> list[Rule]:
    """The rules a table check runs, given the evidence it has ("counts", and "contributors" with the data)."""
    return [rule for rule in RULES.values() if rule.any_table and rule.needs in evidence and rule.check is not None]


def rule_for_acro_check(check_name: str) -> Rule | None:
    """The registered rule behind one of ACRO's check names (as ACRO writes them in an output's outcome)."""
    for rule in RULES.values():
        if rule.check == check_name:
            return rule
    return None


for _rule in [
    Rule(
        "threshold",
        FAIL,
        "counts",
        lambda t: f"fewer than {t.threshold} records",
        "MinimumThresholdCheck",
        "disclosure_threshold",
        "A cell built from fewer records than the threshold fails.",
    ),
    Rule(
        "zeros",
        FAIL,
        "counts",
        lambda t: "a zero count (nobody in this group)",
        "PresenceOfZeroCheck",
        "zeros_are_disclosive (dataset metadata only)",
        "A cell with no records fails, because it tells that nobody in the group has the attribute.",
    ),
    Rule(
        "nk",
        FAIL,
        "contributors",
        lambda t: f"the {t.nk_n} largest contributors hold {t.nk_k:.0%} or more of the total",
        "NKCheck",
        "disclosure_nk_n, disclosure_nk_k",
        "Dominance: a cell fails when its n largest contributors hold k or more of its total.",
        "negative",
    ),
    Rule(
        "p-ratio",
        FAIL,
        "contributors",
        lambda t: f"the rest, without the 2 largest, add up to less than {t.p_ratio:.0%} of the largest",
        "PPercentCheck",
        "disclosure_p_ratio",
        "Dominance: a cell fails when its total minus its two largest contributors is below p of the largest.",
        "negative",
    ),
    Rule(
        "dof",
        FAIL,
        "counts",
        lambda t: f"fewer than {t.dof} residual degrees of freedom",
        "MinimumDoFCheck",
        "disclosure_dof",
        "A model, or a standard deviation in a table, fails below the residual degrees of freedom threshold.",
        any_table=False,
    ),
    Rule(
        "negative",
        REVIEW,
        "contributors",
        lambda t: "negative contributor values: the dominance rules cannot be applied",
        None,
        "",
        "Cells with negative contributions need review: dominance is not defined for them.",
    ),
    Rule(
        "missing",
        REVIEW,
        "counts",
        lambda t: "missing values: nothing was checked for them",
        "MissingCheck",
        "",
        "A missing cell, or a cell whose contributors include missing values, needs review.",
    ),
]:
    register_rule(_rule)
