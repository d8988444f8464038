"""The numbers the disclosure rules compare against: from the commons settings, made stricter per dataset.

A dataset's catalogue metadata may carry its own values, for example ``{"disclosure": {"threshold": 20}}``.
A per-dataset value may only make a rule stricter than the commons settings: a looser one is ignored (the rules
bind the people who write the metadata, so those people cannot loosen them). A contributor's ``disclosure``
block is a request: ``review_request`` says which parts would apply, and only a steward's approval puts the
stricter parts in the catalogue (commons_hub.governance.contributions). When an output draws on several datasets, the
strictest value of each rule applies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from commons_kernel.config import setting
from commons_kernel.exceptions import ConfigurationError


@dataclass(frozen=True)
class Thresholds:
    """Disclosure thresholds; the defaults are ACRO's and the commons settings override them."""

    threshold: int = 10  # smallest count a cell may hold (setting disclosure_threshold)
    p_ratio: float = 0.10  # p-ratio dominance (setting disclosure_p_ratio)
    nk_n: int = 2  # nk dominance: the n largest contributors (setting disclosure_nk_n)
    nk_k: float = 0.90  # nk dominance: their largest allowed share (setting disclosure_nk_k)
    dof: int = 10  # smallest residual degrees of freedom (setting disclosure_dof)
    zeros_are_disclosive: bool = True  # ACRO's default; per dataset only, no commons setting

    def __post_init__(self) -> None:
        for field in fields(self):
            problem = _CHECKS[field.name](getattr(self, field.name))
            if problem:
                raise ConfigurationError(
                    f"Disclosure threshold {field.name}={getattr(self, field.name)!r} is not valid: {problem}."
                )

    @classmethod
    def from_settings(cls) -> Thresholds:
        """The commons-wide thresholds (environment variables COMMONS_DISCLOSURE_*, else ACRO's defaults)."""
        return cls(**{name: setting(setting_name) for name, setting_name in SETTING_NAMES.items()})

    def with_overrides(self, overrides: Mapping[str, Any], source: str = "overrides") -> Thresholds:
        """A copy with some values replaced; ``source`` names where they came from, for error messages."""
        unknown = sorted(set(overrides) - {f.name for f in fields(self)})
        if unknown:
            raise ConfigurationError(
                f"{source} names unknown disclosure thresholds {unknown}; "
                f"known: {', '.join(f.name for f in fields(self))}."
            )
        values: dict[str, Any] = {}
        for name, raw in overrides.items():
            try:
                values[name] = _PARSERS[name](raw)
            except (TypeError, ValueError) as exc:
                raise ConfigurationError(
                    f"{source} sets disclosure threshold {name}={raw!r}, which is not valid ({exc}). "
                    f"Fix the value where it is declared (for a dataset: its catalogue file "
                    f"catalog/datasets/NAME.yaml, key disclosure.{name})."
                ) from exc
        try:
            return replace(self, **values)
        except ConfigurationError as exc:
            raise ConfigurationError(f"{source}: {exc}") from None

    def for_dataset(self, metadata: Mapping[str, Any] | None) -> Thresholds:
        """Apply a dataset's ``disclosure`` block, e.g. ``{"disclosure": {"threshold": 20}}``: each value that is
        stricter than this one applies; a looser one is ignored (``review_request`` says which)."""
        block = disclosure_block(metadata)
        if not block:
            return self
        name = (metadata or {}).get("name", "a dataset")
        return self.strictest(self.with_overrides(block, source=f"metadata of {name!r}"))

    def strictest(self, other: Thresholds) -> Thresholds:
        """Each rule at its strictest of the two: what an output drawing on both datasets must meet."""
        return Thresholds(
            threshold=max(self.threshold, other.threshold),
            p_ratio=max(self.p_ratio, other.p_ratio),
            nk_n=max(self.nk_n, other.nk_n),
            nk_k=min(self.nk_k, other.nk_k),
            dof=max(self.dof, other.dof),
            zeros_are_disclosive=self.zeros_are_disclosive or other.zeros_are_disclosive,
        )

    def to_acro_config(self) -> dict[str, Any]:
        """The same values under the names ACRO's configuration uses."""
        return {
            "safe_threshold": self.threshold,
            "survival_safe_threshold": self.threshold,
            "safe_pratio_p": self.p_ratio,
            "safe_nk_n": self.nk_n,
            "safe_nk_k": self.nk_k,
            "safe_dof_threshold": self.dof,
            "zeros_are_disclosive": self.zeros_are_disclosive,
        }

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


SETTING_NAMES: dict[str, str] = {
    "threshold": "disclosure_threshold",
    "p_ratio": "disclosure_p_ratio",
    "nk_n": "disclosure_nk_n",
    "nk_k": "disclosure_nk_k",
    "dof": "disclosure_dof",
}


def _parse_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    lowered = str(raw).strip().lower()
    if lowered in {"true", "yes", "1"}:
        return True
    if lowered in {"false", "no", "0"}:
        return False
    raise ValueError("expected true or false")


def _parse_int(raw: Any) -> int:
    if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
        raise ValueError("expected a whole number")
    return int(raw)


def _parse_float(raw: Any) -> float:
    if isinstance(raw, bool):
        raise ValueError("expected a number")
    return float(raw)


_PARSERS = {
    "threshold": _parse_int,
    "p_ratio": _parse_float,
    "nk_n": _parse_int,
    "nk_k": _parse_float,
    "dof": _parse_int,
    "zeros_are_disclosive": _parse_bool,
}

_CHECKS = {
    "threshold": lambda v: "" if isinstance(v, int) and v >= 1 else "expected a whole number of at least 1",
    "p_ratio": lambda v: "" if 0 <= v <= 1 else "expected a number from 0 to 1",
    "nk_n": lambda v: "" if isinstance(v, int) and v >= 1 else "expected a whole number of at least 1",
    "nk_k": lambda v: "" if 0 < v <= 1 else "expected a number above 0 and at most 1",
    "dof": lambda v: "" if isinstance(v, int) and v >= 0 else "expected a whole number of at least 0",
    "zeros_are_disclosive": lambda v: "" if isinstance(v, bool) else "expected true or false",
}


# How each rule gets stricter: a bigger smallest count, p-ratio, n or dof; a smaller nk share; zeros disclosive.
_STRICTER = {
    "threshold": lambda a, b: a > b,
    "p_ratio": lambda a, b: a > b,
    "nk_n": lambda a, b: a > b,
    "nk_k": lambda a, b: a < b,
    "dof": lambda a, b: a > b,
    "zeros_are_disclosive": lambda a, b: a and not b,
}


def disclosure_block(metadata: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """A dataset's ``disclosure`` block ({} when it has none); a block that is not a mapping is an error."""
    if not metadata:
        return {}
    block = metadata.get("disclosure") or {}
    if not isinstance(block, Mapping):
        raise ConfigurationError(
            f"Dataset metadata key 'disclosure' must be a mapping such as {{'threshold': 20}}, not {block!r}."
        )
    return block


@dataclass(frozen=True)
class RequestedThreshold:
    """One value of a dataset's ``disclosure`` block, compared with the commons settings."""

    name: str
    requested: Any
    commons: Any
    verdict: str  # stricter | same | looser

    @property
    def applies(self) -> bool:
        return self.verdict == "stricter"

    def describe(self) -> str:
        if self.verdict == "looser":
            return f"requested {self.name} {self.requested}: looser than the commons' {self.commons}, ignored"
        if self.verdict == "same":
            return f"requested {self.name} {self.requested}: the same as the commons' setting"
        return (
            f"requested {self.name} {self.requested}: stricter than the commons' {self.commons}, applies once "
            f"a steward approves it"
        )

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "applies": self.applies, "message": self.describe()}


def review_request(metadata: Mapping[str, Any] | None, base: Thresholds | None = None) -> list[RequestedThreshold]:
    """Each value of the metadata's ``disclosure`` block against ``base`` (the commons settings): stricter ones
    may apply, looser ones are ignored. Raises ConfigurationError for unknown names or invalid values."""
    block = disclosure_block(metadata)
    if not block:
        return []
    base = base or Thresholds.from_settings()
    name = (metadata or {}).get("name", "a dataset")
    asked = base.with_overrides(block, source=f"metadata of {name!r}")
    result = []
    for key in block:
        requested, commons = getattr(asked, key), getattr(base, key)
        verdict = "stricter" if _STRICTER[key](requested, commons) else "same" if requested == commons else "looser"
        result.append(RequestedThreshold(key, requested, commons, verdict))
    return result


def approved_block(metadata: Mapping[str, Any] | None, base: Thresholds | None = None) -> dict[str, Any]:
    """The part of a requested ``disclosure`` block that a steward's approval puts in the catalogue: the values
    stricter than the commons settings, parsed; looser and equal ones are dropped. An invalid block yields {}."""
    try:
        return {item.name: item.requested for item in review_request(metadata, base) if item.applies}
    except ConfigurationError:
        return {}


def resolve_thresholds(
    thresholds: Thresholds | Mapping[str, Any] | None = None,
    metadata: Mapping[str, Any] | Iterable[Mapping[str, Any]] | None = None,
) -> Thresholds:
    """The thresholds an output must meet.

    ``thresholds`` (a Thresholds, or a dict of overrides on the commons settings) wins; otherwise the commons
    settings apply. ``metadata`` is one dataset's metadata or several: one dataset's overrides apply as given;
    with several, each dataset's thresholds are worked out and the strictest value of each rule is kept.
    """
    if isinstance(thresholds, Thresholds):
        base = thresholds
    else:
        base = Thresholds.from_settings()
        if thresholds:
            base = base.with_overrides(thresholds, source="thresholds=")
    if metadata is None:
        return base
    datasets = [metadata] if isinstance(metadata, Mapping) else list(metadata)
    if not datasets:
        return base
    # A dataset's own values apply only where stricter than the base; across datasets the strictest wins.
    per_dataset = [base.for_dataset(dataset) for dataset in datasets]
    result = per_dataset[0]
    for other in per_dataset[1:]:
        result = result.strictest(other)
    return result
