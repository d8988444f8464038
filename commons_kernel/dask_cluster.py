"""``ck.dask_cluster``: a Dask cluster of your own from the commons' Dask Gateway, within your limit.

The gateway runs beside the hub; your kernel knows its address (the ``DASK_GATEWAY__*`` variables the hub sets)
and proves who you are with your hub token. Members may have up to ``dask_member_workers`` workers per cluster,
a cluster started for an active project you are in up to ``dask_project_workers`` (docs/analysts/dask.md).
"""

from __future__ import annotations

from commons_kernel.exceptions import ClusterRefused, CommonsError


def gateway():
    """The commons' Dask Gateway (``dask_gateway.Gateway``), authenticated as you."""
    import dask
    from dask_gateway import Gateway

    if not dask.config.get("gateway.address", None):
        raise CommonsError(
            "No Dask Gateway address: inside JupyterLab on the commons the hub sets "
            "DASK_GATEWAY__ADDRESS; elsewhere ask the operator for it (docs/operators/dask.md)."
        )
    return Gateway()


def dask_cluster(workers: int = 2, project: str | None = None, shutdown_on_close: bool = True):
    """Start a cluster with ``workers`` workers; ``project=`` for a project's larger limit. Stop it with
    ``cluster.shutdown()`` (or ``with ck.dask_cluster() as cluster:``); an idle one stops by itself."""
    try:
        cluster = gateway().new_cluster(workers=workers, project=project or "", shutdown_on_close=shutdown_on_close)
    except ValueError as exc:  # the gateway's refusal (over the limit, not a member): its text teaches
        raise ClusterRefused(str(exc)) from None
    cluster.scale(workers)
    return cluster
