"""The options a person may set on a new cluster (``workers``, ``project``) and what they turn into."""

from __future__ import annotations

from dask_gateway_server.options import Integer, Options, String

from commons_hub.services.dask_gateway.limits import check_can_start_cluster
from commons_kernel import config


def cluster_config(options, user) -> dict:
    """The cluster's configuration: its worker limit, after checking the request is within it."""
    project = options.project.strip() or None
    limit = check_can_start_cluster(user.name, user.groups, getattr(user, "projects", []), options.workers, project)
    return {"cluster_max_workers": limit}


def cluster_options() -> Options:
    return Options(
        Integer(
            "workers",
            default=int(config.setting("dask_member_workers")),
            min=0,
            label="Workers (you may ask for up to your limit)",
        ),
        String("project", default="", label="Approved project (for the project's larger limit)"),
        handler=cluster_config,
    )
