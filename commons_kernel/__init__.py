"""LCR Data Commons: the analyst's API.

    import commons_kernel as ck
    ck.catalog()                      # every dataset, with tier, licence and geography
    ck.search("deprivation")          # find datasets
    ck.describe("imd2019_lsoa11")     # metadata, versions, may I read it and why
    df = ck.read("imd2019_lsoa11")    # read through the data-api (audited); df.attrs has licence + attribution
    ck.link(a, b) / ck.aggregate(df, to="lad")   # geography: convert vintages, aggregate with stated weights
    ck.deprivation_summary(df, to="ward")     # MHCLG's summary measures (average score/rank, extent, ...)
    ck.contribute(...) / ck.propose_project(...) / ck.vote(...)   # contributing and deciding together

Governed data is read only through the data-api service; nothing here reads files directly.
"""

from commons_kernel.api import catalog, describe, hello, projects, read, reset_client, search, whoami
from commons_kernel.exceptions import (
    AccessDenied,
    CommonsError,
    DataApiUnavailable,
    DatasetNotFound,
    DisclosureRisk,
    NotAuthenticated,
    ValidationFailed,
)

__all__ = [
    "catalog",
    "search",
    "describe",
    "read",
    "projects",
    "whoami",
    "hello",
    "reset_client",
    "link",
    "aggregate",
    "deprivation_summary",
    "hierarchy",
    "CommonsError",
    "AccessDenied",
    "DatasetNotFound",
    "DataApiUnavailable",
    "NotAuthenticated",
    "ValidationFailed",
    "DisclosureRisk",
]

# Output releases: ask, review, follow, download (docs/analysts/releases.md).
from commons_kernel.releases import describe_release, download_release, releases, request_release, review_release  # noqa: E402

__all__ += ["request_release", "review_release", "releases", "describe_release", "download_release"]

# Dask: a cluster of your own, and governed reads by its workers (docs/analysts/dask.md).
from commons_kernel.dask_cluster import dask_cluster  # noqa: E402
from commons_kernel.dask_read import read_dask  # noqa: E402

__all__ += ["dask_cluster", "read_dask"]

# Contributing data and deciding together (docs/stewards.md, docs/analysts/contributing.md).
from commons_kernel import governance as _governance  # noqa: E402
from commons_kernel.governance import *  # noqa: E402, F403  (the names are governance.__all__)

__all__ += _governance.__all__

# A commons error shows in a notebook as its message and next step; this prints the last error's traceback.
from commons_kernel.notebook_errors import show_traceback  # noqa: E402

__all__ += ["show_traceback"]

_HIERARCHY = None


def hierarchy():
    """The LSOA → ward → local authority → LCR hierarchy, built once from the lookups read through the data-api."""
    global _HIERARCHY
    if _HIERARCHY is None:
        from commons_kernel.geography import Hierarchy

        _HIERARCHY = Hierarchy.from_reader(read)
    return _HIERARCHY


def link(a, b, **kwargs):
    """Join two frames on area (and period), converting vintage or level; see docs/analysts/geography.md."""
    from commons_kernel import geography

    kwargs.setdefault("hierarchy", hierarchy())
    return geography.link(a, b, **kwargs)


def aggregate(frame, to, **kwargs):
    """Aggregate up the hierarchy with stated weights (sums=, means={col: weight}, shares=); result.attrs['method']."""
    from commons_kernel import geography

    kwargs.setdefault("hierarchy", hierarchy())
    return geography.aggregate(frame, to, **kwargs)


def deprivation_summary(frame, to="lad", **kwargs):
    """MHCLG's area summaries of IoD LSOA data (average score and rank, extent, ...); docs/analysts/geography.md."""
    from commons_kernel.geography.deprivation_summary import deprivation_summary as summarise
    from commons_kernel.geography.levels import Level

    if isinstance(to, (str, Level)):  # a level: converted through the hierarchy (custom areas need none)
        kwargs.setdefault("hierarchy", hierarchy())
    return summarise(frame, to, **kwargs)
