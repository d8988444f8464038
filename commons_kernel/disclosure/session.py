"""Session: ACRO's checked tables, models and plots, with the commons thresholds and nothing written to the CWD.

from commons_kernel import disclosure
session = disclosure.Session(metadata=dataset_metadata)      # thresholds: settings + dataset overrides
table = session.crosstab(df.age_band, df.reason)              # small cells suppressed
model = session.ols(y, disclosure.add_constant(x))            # fails below the residual dof threshold
session.results()                                             # every output's checks, as JSON for a release
session.finalise()                                            # ACRO's release folder, in the session folder
"""

from __future__ import annotations

import contextlib
import inspect
import json
import logging
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from commons_kernel.disclosure.acro_bridge import ACRO_VERSION, acro, new_acro, quiet_acro
from commons_kernel.disclosure.check import check_output
from commons_kernel.disclosure.report import DisclosureReport
from commons_kernel.disclosure.session_records import merge_table_records, record_report, record_to_dict
from commons_kernel.disclosure.thresholds import Thresholds, resolve_thresholds
from commons_kernel.exceptions import ValidationFailed

logger = logging.getLogger(__name__)
_PACKAGE = __name__.rpartition(".")[0]


def add_constant(data: Any, prepend: bool = True, has_constant: str = "skip") -> Any:
    """A column of ones for a model's intercept (statsmodels' add_constant, as ACRO exposes it)."""
    return acro.add_constant(data, prepend=prepend, has_constant=has_constant)


class Session:
    """An ACRO session whose thresholds come from the commons configuration.

    ``thresholds``: a Thresholds, or a dict overriding some settings (``{"threshold": 20}``). ``metadata``: one
    or more datasets' metadata, whose ``disclosure`` blocks apply (the strictest across datasets).
    ``suppress``: blank failing cells automatically (the commons default; ACRO's is off). ``output_dir``: the
    only folder ACRO writes in (plots, release folders); a new temporary folder when not given.
    """

    def __init__(
        self,
        thresholds: Thresholds | Mapping[str, Any] | None = None,
        *,
        metadata: Mapping[str, Any] | Iterable[Mapping[str, Any]] | None = None,
        suppress: bool = True,
        output_dir: str | Path | None = None,
    ) -> None:
        self.thresholds = resolve_thresholds(thresholds, metadata)
        self.suppress = suppress
        self._output_dir = Path(output_dir).resolve() if output_dir is not None else None
        self._acro = new_acro(self.thresholds.to_acro_config(), suppress)

    @property
    def output_dir(self) -> Path:
        """The folder ACRO writes in; created on first use."""
        if self._output_dir is None:
            self._output_dir = Path(tempfile.mkdtemp(prefix="commons-disclosure-"))
        self._output_dir.mkdir(parents=True, exist_ok=True)
        return self._output_dir

    # Tables -------------------------------------------------------------------------------------------------

    def crosstab(
        self, index: Any, columns: Any, values: Any = None, aggfunc: str | list[str] | None = None, **kwargs: Any
    ) -> pd.DataFrame:
        """pandas.crosstab, checked (and suppressed unless ``suppress=False``): ACRO's Tables.crosstab."""
        if isinstance(aggfunc, (list, tuple)) and len(aggfunc) > 1:
            return self._table_per_aggfunc(
                "crosstab", list(aggfunc), lambda one: ((index, columns, values), {"aggfunc": one, **kwargs})
            )
        return self._run("crosstab", index, columns, values, aggfunc=aggfunc, **kwargs)

    def pivot_table(
        self,
        data: pd.DataFrame,
        values: Any = None,
        index: Any = None,
        columns: Any = None,
        aggfunc: str | list[str] = "mean",
        **kwargs: Any,
    ) -> pd.DataFrame:
        """pandas.pivot_table, checked: ACRO's Tables.pivot_table. One values column; aggfunc may be a list."""
        if isinstance(aggfunc, (list, tuple)) and len(aggfunc) > 1:
            return self._table_per_aggfunc(
                "pivot_table",
                list(aggfunc),
                lambda one: ((data,), {"values": values, "index": index, "columns": columns, "aggfunc": one, **kwargs}),
            )
        return self._run("pivot_table", data, values=values, index=index, columns=columns, aggfunc=aggfunc, **kwargs)

    # Models -------------------------------------------------------------------------------------------------

    def ols(self, endog: Any, exog: Any = None, **kwargs: Any) -> Any:
        """Ordinary least squares; fails below the residual degrees of freedom threshold."""
        return self._run("ols", endog, exog, **kwargs)

    def olsr(self, formula: str, data: pd.DataFrame, **kwargs: Any) -> Any:
        """Ordinary least squares from a formula (``"y ~ x1 + x2"``)."""
        return self._run("olsr", formula, data, **kwargs)

    def logit(self, endog: Any, exog: Any, **kwargs: Any) -> Any:
        return self._run("logit", endog, exog, **kwargs)

    def logitr(self, formula: str, data: pd.DataFrame, **kwargs: Any) -> Any:
        return self._run("logitr", formula, data, **kwargs)

    def probit(self, endog: Any, exog: Any, **kwargs: Any) -> Any:
        return self._run("probit", endog, exog, **kwargs)

    def probitr(self, formula: str, data: pd.DataFrame, **kwargs: Any) -> Any:
        return self._run("probitr", formula, data, **kwargs)

    # Plots and survival -------------------------------------------------------------------------------------

    def hist(self, data: pd.DataFrame, column: str, **kwargs: Any) -> Path | None:
        """A checked histogram, saved in ``output_dir``; returns the file's path."""
        saved = self._run("hist", data.copy(), column, in_output_dir=True, **kwargs)
        return self.output_dir / saved if saved else None

    def pie(self, data: pd.DataFrame, column: str, **kwargs: Any) -> Path | None:
        """A checked pie chart, saved in ``output_dir``; returns the file's path."""
        saved = self._run("pie", data.copy(), column, in_output_dir=True, **kwargs)
        return self.output_dir / saved if saved else None

    def surv_func(self, time: Any, status: Any, output: str = "table", **kwargs: Any) -> Any:
        """Kaplan-Meier survival table (``output="table"``) or plot (``"plot"``, returns (axes, path))."""
        result = self._run("surv_func", time, status, output, in_output_dir=True, **kwargs)
        if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], str):
            return result[0], self.output_dir / result[1]
        return result

    # Any table, made any way --------------------------------------------------------------------------------

    def check_output(self, table: pd.DataFrame | pd.Series, **kwargs: Any) -> DisclosureReport:
        """``disclosure.check_output`` with this session's thresholds."""
        return check_output(table, thresholds=self.thresholds, **kwargs)

    # Outputs ------------------------------------------------------------------------------------------------

    def outputs(self) -> list[str]:
        """Identifiers of the outputs so far, oldest first (``output_0``, ...)."""
        return list(self._acro.results.results)

    def results(self) -> dict[str, Any]:
        """Every output's ACRO checks, JSON-serialisable: what a release request carries."""
        document = {
            "tool": {"name": "ACRO", "version": ACRO_VERSION},
            "thresholds": self.thresholds.to_dict(),
            "suppress": self.suppress,
            "outputs": {uid: record_to_dict(record) for uid, record in self._acro.results.results.items()},
        }
        json.dumps(document)  # fail here, not in the release request, if something cannot be written
        return document

    def report(self, uid: str | None = None) -> DisclosureReport:
        """The per-cell report of one output (the latest when ``uid`` is None)."""
        records = self._acro.results.results
        if not records:
            raise ValidationFailed("The session has no outputs yet: make a table or model with it first.")
        uid = uid or list(records)[-1]
        if uid not in records:
            raise ValidationFailed(f"No output {uid!r} in this session; it has {list(records)}.")
        return record_report(records[uid], self.thresholds)

    def add_comments(self, uid: str, comment: str) -> None:
        self._acro.add_comments(uid, comment)

    def add_exception(self, uid: str, reason: str) -> None:
        """Ask the output checkers to release an output that fails or needs review, and say why."""
        self._acro.add_exception(uid, reason)

    def remove_output(self, uid: str) -> None:
        self._acro.remove_output(uid)

    def rename_output(self, old: str, new: str) -> None:
        self._acro.rename_output(old, new)

    def custom_output(self, path: str | Path, comment: str = "") -> None:
        """Add a file ACRO cannot check (a figure, a model summary) for the output checkers to review."""
        with quiet_acro():
            self._acro.custom_output(str(Path(path).resolve()), comment)

    def finalise(self, path: str | Path | None = None, ext: str = "json") -> Path:
        """Write ACRO's release folder (results file, outputs, checksums) to a new folder; return its path."""
        if not self._acro.results.results:
            raise ValidationFailed("The session has no outputs to finalise: make a table or model with it first.")
        if path is None:
            n = 0
            while (self.output_dir / f"release-{n}").exists():
                n += 1
            path = self.output_dir / f"release-{n}"
        target = Path(path).resolve()
        if target.exists():
            raise FileExistsError(f"{target} already exists: finalise writes a new folder, so choose another path.")
        with quiet_acro(), contextlib.chdir(self.output_dir):
            self._acro.finalise(str(target), ext)
        return target

    # --------------------------------------------------------------------------------------------------------

    def _run(self, method: str, *args: Any, in_output_dir: bool = False, **kwargs: Any) -> Any:
        command = _callers_source_line(method)
        result, new_uids = self._call(method, args, kwargs, in_output_dir)
        self._label_outputs(new_uids, method, command)
        return result

    def _call(self, method: str, args: tuple, kwargs: dict, in_output_dir: bool = False) -> tuple[Any, list[str]]:
        before = set(self._acro.results.results)
        place = contextlib.chdir(self.output_dir) if in_output_dir else contextlib.nullcontext()
        with quiet_acro(), place:
            result = getattr(self._acro, method)(*args, **kwargs)
        return result, [uid for uid in self._acro.results.results if uid not in before]

    def _table_per_aggfunc(self, method: str, aggfuncs: list[str], arguments) -> pd.DataFrame:
        """A table of several statistics, checked one statistic at a time, recorded as one output.

        Each statistic's cells are judged by that statistic's own rules, exactly as when asked for alone: ACRO
        given the list at once blanks a cell in every statistic when one of them fails it.
        """
        command = _callers_source_line(method)
        parts, uids = [], []
        for one in aggfuncs:
            args, kwargs = arguments(one)
            table, new_uids = self._call(method, args, kwargs)
            parts.append(table)
            uids.extend(new_uids)
        combined = pd.concat(parts, axis=1, keys=aggfuncs)
        uid = merge_table_records(self._acro.results, uids, aggfuncs, combined)
        self._label_outputs([uid], method, command)
        return combined

    def _label_outputs(self, uids: list[str], method: str, command: str) -> None:
        for uid in uids:
            record = self._acro.results.results[uid]
            record.command = command  # ACRO would record the line in this wrapper instead
            if record.status == "fail":
                logger.warning(
                    "%s (%s) fails the disclosure checks and cannot be released as it is: %s. "
                    "See session.report(%r); to ask for an exception, session.add_exception(%r, reason).",
                    uid,
                    method,
                    " ".join(record.summary.split()),
                    uid,
                    uid,
                )


def _callers_source_line(default: str) -> str:
    """The analyst's line that called the session (the first frame outside this package)."""
    frame = inspect.currentframe()
    try:
        while frame is not None and frame.f_globals.get("__name__", "").startswith(_PACKAGE):
            frame = frame.f_back
        if frame is None:
            return default
        context = inspect.getframeinfo(frame, context=1).code_context
        return context[0].strip() if context else default
    finally:
        del frame
