"""The public register as a hub-managed service at /services/register/ (no login: it has no HubAuth handlers)."""

from __future__ import annotations

import os

# Settings the register reads, passed on from the hub's environment (a managed service inherits only what its
# `environment` lists): whether to show user names, and the quorum rule it describes beside each decision.
FORWARDED = (
    "COMMONS_REGISTER_SHOW_NAMES",
    "COMMONS_QUORUM_MIN_VOTES",
    "COMMONS_QUORUM_MIN_STEWARDS",
    "COMMONS_QUORUM_APPROVE_SHARE",
    "COMMONS_OWNER_VETO",
)


def configure(ctx, secret) -> dict:
    environment = {**ctx.env, **{name: os.environ[name] for name in FORWARDED if name in os.environ}}
    return {
        "service": {
            "name": "register",
            "url": ctx.service_url("COMMONS_REGISTER_PORT"),
            "command": [ctx.python, "-m", "commons_hub.services.register.app"],
            "environment": environment,
            "display": True,
            "info": {"description": "Public register of datasets, projects, decisions and data uses"},
        },
        # It reads the governance database and the store directly, read-only; it needs no hub scopes.
        "role": None,
    }
