"""The commons' own disclosure rules, each one of ACRO's checks, registered as entry points in ``pyproject.toml``
exactly as another package registers its own (commons_kernel/disclosure/rules.py loads them).

``rank`` keeps the order in which the checks run and a report lists a cell's rules (threshold, zeros, nk, p-ratio,
dof, negative, missing), whatever order the entry points come in. Each rule has a section in
docs/analysts/disclosure.md (a test keeps the two in step).
"""

from __future__ import annotations

from commons_kernel.disclosure.rules import FAIL, REVIEW, Rule

THRESHOLD = Rule(
    "threshold",
    FAIL,
    "counts",
    lambda t: f"fewer than {t.threshold} records",
    "MinimumThresholdCheck",
    "disclosure_threshold",
    "A cell built from fewer records than the threshold fails.",
    rank=10,
)
ZEROS = Rule(
    "zeros",
    FAIL,
    "counts",
    lambda t: "a zero count (nobody in this group)",
    "PresenceOfZeroCheck",
    "zeros_are_disclosive (dataset metadata only)",
    "A cell with no records fails, because it tells that nobody in the group has the attribute.",
    rank=20,
)
NK = Rule(
    "nk",
    FAIL,
    "contributors",
    lambda t: f"the {t.nk_n} largest contributors hold {t.nk_k:.0%} or more of the total",
    "NKCheck",
    "disclosure_nk_n, disclosure_nk_k",
    "Dominance: a cell fails when its n largest contributors hold k or more of its total.",
    "negative",
    rank=30,
)
P_RATIO = Rule(
    "p-ratio",
    FAIL,
    "contributors",
    lambda t: f"the rest, without the 2 largest, add up to less than {t.p_ratio:.0%} of the largest",
    "PPercentCheck",
    "disclosure_p_ratio",
    "Dominance: a cell fails when its total minus its two largest contributors is below p of the largest.",
    "negative",
    rank=40,
)
DOF = Rule(
    "dof",
    FAIL,
    "counts",
    lambda t: f"fewer than {t.dof} residual degrees of freedom",
    "MinimumDoFCheck",
    "disclosure_dof",
    "A model, or a standard deviation in a table, fails below the residual degrees of freedom threshold.",
    any_table=False,
    rank=50,
)
NEGATIVE = Rule(
    "negative",
    REVIEW,
    "contributors",
    lambda t: "negative contributor values: the dominance rules cannot be applied",
    None,
    "",
    "Cells with negative contributions need review: dominance is not defined for them.",
    rank=60,
)
MISSING = Rule(
    "missing",
    REVIEW,
    "counts",
    lambda t: "missing values: nothing was checked for them",
    "MissingCheck",
    "",
    "A missing cell, or a cell whose contributors include missing values, needs review.",
    rank=70,
)
