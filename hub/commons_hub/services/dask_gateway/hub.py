"""Dask Gateway as a hub-managed service, and what every user server needs to use it.

The gateway (dask-gateway-server, configured by gateway_config.py) listens on loopback only: its API and the
dashboards on ``COMMONS_DASK_GATEWAY_PORT`` under ``/services/dask-gateway``, schedulers' TLS traffic on
``COMMONS_DASK_SCHEDULER_PORT``. Kernels reach both directly (the ``DASK_GATEWAY__*`` variables). The hub's
proxy routes ``/services/dask-gateway/`` to the front door (front.py, ``COMMONS_DASK_FRONT_PORT``), which shows a
dashboard only to its cluster's owner, logged in to the hub; service.py runs both.

It authenticates people with their hub tokens; its role gives members ``access:services!service=dask-gateway``
and nothing more, and the gateway itself needs no hub scopes (any token may identify its own owner). As root it
runs as root, like the hub, because it starts each person's scheduler and workers as that person's own Unix
account (isolation.ROOT_SERVICES, backend.py).
"""

from __future__ import annotations

SERVICE_NAME = "dask-gateway"
PREFIX = f"/services/{SERVICE_NAME}"
SCOPE = f"access:services!service={SERVICE_NAME}"


def _addresses(ctx) -> tuple[str, str]:
    http = ctx.service_url("COMMONS_DASK_GATEWAY_PORT")
    tcp = ctx.service_url("COMMONS_DASK_SCHEDULER_PORT")
    return http, tcp


def configure(ctx, secret) -> dict:
    http, tcp = _addresses(ctx)
    return {
        "service": {
            "name": SERVICE_NAME,
            "url": ctx.service_url("COMMONS_DASK_FRONT_PORT"),
            "command": [ctx.python, "-m", "commons_hub.services.dask_gateway.service"],
            "oauth_no_confirm": True,
            "environment": {
                **ctx.env,
                "COMMONS_DASK_GATEWAY_PORT": http.rsplit(":", 1)[1],
                "COMMONS_DASK_SCHEDULER_PORT": tcp.rsplit(":", 1)[1],
                "COMMONS_DATA_API_URL": ctx.service_url("COMMONS_DATA_API_PORT") + "/services/data-api/",
            },
            "display": False,
        },
        "role": {
            "name": "dask-gateway-users",
            "description": "Members start and use their own Dask clusters (limits per group: dask_* settings).",
            "scopes": [SCOPE],
            "groups": ["members"],
        },
    }


def user_server_hook(c, ctx) -> None:
    """Kernels find the gateway, and their token may use it (the hub gives a kernel's token only the scopes
    listed here that its owner also has)."""
    http, tcp = _addresses(ctx)
    if SCOPE not in c.Spawner.server_token_scopes:
        c.Spawner.server_token_scopes = [*c.Spawner.server_token_scopes, SCOPE]
    c.Spawner.environment.update(
        {
            "DASK_GATEWAY__ADDRESS": http + PREFIX,
            "DASK_GATEWAY__PROXY_ADDRESS": "gateway://" + tcp.split("://", 1)[1],
            "DASK_GATEWAY__PUBLIC_ADDRESS": ctx.public_url + PREFIX,  # dashboard links: through the hub, login
            "DASK_GATEWAY__AUTH__TYPE": "jupyterhub",
        }
    )
