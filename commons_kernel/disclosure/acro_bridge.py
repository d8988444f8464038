"""The one place that imports ACRO (acro==1.0.2) and corrects what the commons cannot use as shipped.

- Importing ACRO calls ``logging.basicConfig(level=INFO)`` and ``warnings.simplefilter("ignore",
  FutureWarning)`` for the whole process: both are undone here, so a kernel's logging and warnings stay the
  analyst's. ACRO's own loggers are set to WARNING unless someone has already chosen a level.
- ACRO's code triggers pandas FutureWarning / SettingWithCopyWarning / DeprecationWarning on pandas 2.3; they
  are ignored inside ``quiet_acro()`` only, and only when raised from ACRO's own modules.
- ``CommonsSDCChecks`` fixes two checks (see its docstring).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import warnings
from collections.abc import Iterator
from typing import Any

# ACRO's dependencies are imported first, outside the guard below, so that their own import-time warning
# filters (if any) survive; the guard then only reverts what ACRO itself changes.
import matplotlib.pyplot  # noqa: F401
import pandas as pd
import statsmodels.api  # noqa: F401
import statsmodels.formula.api  # noqa: F401


def _import_acro_quietly() -> tuple[Any, Any, Any, str]:
    root = logging.getLogger()
    placeholder = None
    if not root.handlers:
        # basicConfig does nothing when the root logger already has a handler.
        placeholder = logging.NullHandler()
        root.addHandler(placeholder)
    try:
        with warnings.catch_warnings():  # restores the filters ACRO's modules change at import
            import acro
            from acro import sdc_agg_funcs, sdcchecks
            from acro.version import __version__
    finally:
        if placeholder is not None:
            root.removeHandler(placeholder)
    for name in ("acro", "acro:records"):
        acro_logger = logging.getLogger(name)
        if acro_logger.level == logging.NOTSET:
            acro_logger.setLevel(logging.WARNING)
    return acro, sdcchecks, sdc_agg_funcs, __version__


acro, sdcchecks, sdc_agg_funcs, ACRO_VERSION = _import_acro_quietly()

_ACRO_MODULES = r"acro(\.|$)"


@contextlib.contextmanager
def quiet_acro() -> Iterator[None]:
    """Ignore the pandas deprecation noise that ACRO's own code raises; every other warning still shows."""
    with warnings.catch_warnings():
        for category in (FutureWarning, DeprecationWarning, pd.errors.SettingWithCopyWarning):
            warnings.filterwarnings("ignore", category=category, module=_ACRO_MODULES)
        yield


# ACRO is bound at run time (imported quietly above), so mypy sees its check class as Any.
_SDCChecks: Any = sdcchecks.SDCChecks


class CommonsSDCChecks(_SDCChecks):
    """ACRO's checks, with two corrections for acro 1.0.2.

    1. Minimum degrees of freedom on a table (``aggfunc="std"``): ACRO returns the table of residual degrees of
       freedom as the check's cell mask, so every cell with a non-zero value counts as failing and suppression
       blanks the whole table (STACK-NOTES: ``pivot_table(aggfunc=["mean","std"])`` blanked every cell). Here
       the mask is "degrees of freedom below the threshold", as the check's summary already states.
    2. Minimum threshold with ``zeros_are_disclosive: false``: ACRO still failed zero cells as "below the
       threshold", so the setting had no effect on counts. Here a zero cell is left to the zeros rule.
    3. Dominance (nk, p-ratio) with a negative value anywhere in the table: ACRO skipped the dominance check
       for every cell and only flagged the negative cells for review. Here the other cells are still checked;
       the mask holds the dominant cells and the negative cells, and the status is "fail" when any cell
       without negatives is dominant, else "review".
    """

    def check_model_dof(self, name: str, evidence: Any, model: Any):
        status, summary, outcome = super().check_model_dof(name, evidence, model)
        if isinstance(outcome, pd.DataFrame):
            threshold = int(self.risk_appetite["safe_dof_threshold"])
            outcome = outcome.isna() | (outcome < threshold)
        return status, summary, outcome

    def check_min_threshold(self, name: str, evidence: Any, model: Any):
        status, summary, mask = super().check_min_threshold(name, evidence, model)
        counts = evidence.interim_tables.get("count_table")
        if (
            not self.risk_appetite["zeros_are_disclosive"]
            and getattr(model, "model_type", "") == "table"
            and isinstance(counts, pd.DataFrame)
        ):
            mask = mask & ~(counts == 0)
            status, summary = sdcchecks.get_status_summary_from_mask(mask)
        return status, summary, mask

    def check_nk_dominance(self, name: str, evidence: Any, model: Any):
        return self._dominance_beside_negatives(super().check_nk_dominance, name, evidence, model)

    def check_ppercent_dominance(self, name: str, evidence: Any, model: Any):
        return self._dominance_beside_negatives(super().check_ppercent_dominance, name, evidence, model)

    @staticmethod
    def _dominance_beside_negatives(check, name: str, evidence: Any, model: Any):
        negatives = evidence.interim_tables["num_negative"] > 0
        if not negatives.to_numpy().any():
            return check(name, evidence, model)
        without_negatives = dataclasses.replace(
            evidence, interim_tables={**evidence.interim_tables, "num_negative": negatives & False}
        )
        status, summary, mask = check(name, without_negatives, model)
        mask = mask.fillna(True).astype(bool) | negatives
        note = "Dominance not defined where negative values are present: those cells need review."
        if status == "fail":
            return status, f"{summary} {note}", mask
        return "review", note, mask


def new_acro(acro_config: dict[str, Any], suppress: bool) -> Any:
    """A standalone (not federated) ACRO object using the given values and the corrected checks."""
    with quiet_acro():
        session = acro.ACRO(suppress=suppress, federated=False)
    session.config.update(acro_config)
    session.sdc_checks = CommonsSDCChecks(session.config)
    return session


def new_checks(acro_config: dict[str, Any]) -> CommonsSDCChecks:
    """ACRO's checks with the given values, for tables built outside an ACRO session."""
    config = {"check_missing_values": False, **acro_config}
    return CommonsSDCChecks(config)


def contributor_evidence(grouped: Any, nk_n: int) -> dict[str, Any]:
    """ACRO's per-cell evidence for dominance, from a pandas groupby of contributor values.

    Uses ACRO's own aggregation functions; ``nk_n`` is ACRO's module-level n for the nk rule.
    """
    sdc_agg_funcs.NK_N = nk_n
    with quiet_acro():
        return {
            "sum": grouped.sum(),
            "max": grouped.max(),
            "top_2_sum": grouped.agg(sdc_agg_funcs.agg_top_2_sum),
            "top_n_sum": grouped.agg(sdc_agg_funcs.agg_top_n_sum),
            "num_negative": grouped.agg(sdc_agg_funcs.agg_num_negative),
            "missing": grouped.agg(sdc_agg_funcs.agg_missing),
        }


__all__ = [
    "ACRO_VERSION",
    "CommonsSDCChecks",
    "acro",
    "contributor_evidence",
    "new_acro",
    "new_checks",
    "quiet_acro",
    "sdcchecks",
]
