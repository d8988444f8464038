"""Disclosure control for the commons, built on ACRO (the SACRO project's checker).

- ``Session``: ACRO's crosstab, pivot_table, ols/olsr, logit/logitr, probit/probitr, hist, pie, surv_func,
  with thresholds from the commons settings and the datasets' metadata; ``session.results()`` for a release.
- ``check_output(table, ...)``: any table, made with plain pandas or not, checked cell by cell.
- ``suppress_small_counts(frame, count_columns=None)``: the same rules on any frame (the stories' refresher).
- ``RULES`` / ``register_rule``: the rules, each one of ACRO's checks, from entry points (the built-ins: builtin.py).

Rules, defaults and settings: docs/analysts/disclosure.md.
"""

from commons_kernel.disclosure.acro_bridge import ACRO_VERSION
from commons_kernel.disclosure.check import check_output, suppress_small_counts
from commons_kernel.disclosure.report import DisclosureReport
from commons_kernel.disclosure.rules import RULES, Rule, load_rules, register_rule
from commons_kernel.disclosure.session import Session, add_constant
from commons_kernel.disclosure.thresholds import Thresholds, resolve_thresholds

__all__ = [
    "ACRO_VERSION",
    "DisclosureReport",
    "RULES",
    "Rule",
    "Session",
    "Thresholds",
    "add_constant",
    "check_output",
    "register_rule",
    "resolve_thresholds",
    "suppress_small_counts",
]

# The rules come from entry points, the built-ins' too; loaded once this package is whole, so a rule's own module
# may import from it (``from commons_kernel.disclosure import Rule``).
load_rules()
