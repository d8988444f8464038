"""The disclosure rules: a registry, filled from entry points, with the built-in rules registered the same way a new
one would be (in ``pyproject.toml``; they are in commons_kernel/disclosure/builtin.py)::

    [project.entry-points."lcr_data_commons.disclosure_rules"]
    whole-population = "my_package.rules:WHOLE_POPULATION"    # a Rule(...) from this module

Each built-in rule is one of ACRO's checks (``acro.sdcchecks.SDCChecks``); the registry adds what the commons
needs around it: a short name, whether a flagged cell fails or needs review, which setting holds its number,
and a plain-English reason for the report. ``load_rules`` fills ``RULES`` in rank order, the order in which the
checks run and the reports list a cell's rules, whatever order the entry points come in; ``register_rule`` adds one
in a notebook session. docs/analysts/disclosure.md describes every rule here (a test keeps the two in step).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from commons_kernel import plugins
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
    rank: int = 100  # where it runs and is listed among the installed rules (the built-ins 10-70, in ACRO's order)

    def run(self, sdc_checks: Any, evidence: Any, model: Any) -> CheckResult:
        if callable(self.check):
            return self.check(sdc_checks, evidence, model)
        method = sdc_checks.check_to_method[self.check]
        return method(self.name, evidence, model)


RULES: dict[str, Rule] = {}  # filled by load_rules() when commons_kernel.disclosure is imported


def register_rule(rule: Rule) -> Rule:
    """Add a rule after those installed (or replace one of the same name, in its place); every later check uses it."""
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


def load_rules() -> None:
    """Register every installed rule (the ``lcr_data_commons.disclosure_rules`` entry points) in rank order."""
    found = plugins.load_checked(
        plugins.DISCLOSURE_RULES, Rule, "name", "the rule", "reports and review_as name rules by it"
    )
    for name, rule in sorted(found.items(), key=lambda item: (item[1].rank, item[0])):
        try:
            register_rule(rule)
        except ValueError as exc:
            raise plugins.PluginError(f"the {plugins.DISCLOSURE_RULES} entry point {name!r}: {exc}.") from exc
    for rule in found.values():
        if rule.review_as and rule.review_as not in RULES:
            raise plugins.PluginError(
                f"the {plugins.DISCLOSURE_RULES} entry point {rule.name!r} has review_as={rule.review_as!r}, "
                f"which is not an installed rule: name one of {', '.join(RULES)}."
            )
