"""How many Dask workers a person's cluster may have: members a few, members of an active project more.

A pair, as everywhere in the commons: ``worker_limit`` says how many, ``check_can_start_cluster`` raises with the
fix when a request is over it. Both read only the person's hub groups and the active projects the data-api lists
them in (``auth.CommonsHubAuthenticator`` puts those on the user).
"""

from __future__ import annotations

from commons_kernel import config

MEMBERS = "members"


class ClusterLimitExceeded(ValueError):
    """A cluster request over the person's limit (dask-gateway shows a ValueError's text to the client)."""


def worker_limit(groups, projects, project: str | None) -> int:
    """Workers allowed: the project limit for a cluster started for an active project the person is in, the
    member limit for any other member, and none for someone not (yet) a member."""
    if MEMBERS not in set(groups):
        return 0
    if project and project in set(projects):
        return int(config.setting("dask_project_workers"))
    return int(config.setting("dask_member_workers"))


def check_can_start_cluster(name: str, groups, projects, workers: int, project: str | None) -> int:
    """The limit for this cluster; raises ClusterLimitExceeded saying what is allowed and how to get more."""
    members, per_project = config.setting("dask_member_workers"), config.setting("dask_project_workers")
    if MEMBERS not in set(groups):
        raise ClusterLimitExceeded(
            f"{name} is not a member of the cooperative yet, so cannot start a Dask cluster: a steward or "
            f"an administrator approves new members (docs/stewards.md)."
        )
    if project and project not in set(projects):
        raise ClusterLimitExceeded(
            f"{name} is not a member of an active project called {project!r}; a cluster for a project needs both. "
            f"See your projects with `ck.whoami()['projects']`, or start a member's cluster without project= "
            f"(up to {members} workers)."
        )
    limit = worker_limit(groups, projects, project)
    if workers > limit:
        more = (
            f" Members of an active project may have up to {per_project}: "
            f"`ck.dask_cluster(workers={min(workers, per_project)}, project='your-project')`."
            if not project and per_project > members
            else ""
        )
        raise ClusterLimitExceeded(
            f"{workers} Dask workers asked for, and {'the project' if project else 'a member'}'s limit is {limit} "
            f"per cluster. Ask for {limit} or fewer: `ck.dask_cluster(workers={limit}"
            f"{f', project={project!r}' if project else ''})`.{more}"
        )
    return limit
