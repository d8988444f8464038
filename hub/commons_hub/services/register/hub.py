"""The public register as a hub-managed service at /services/register/ (no login: it has no HubAuth handlers)."""


def configure(ctx, secret) -> dict:
    return {
        "service": {
            "name": "register",
            "url": ctx.service_url("COMMONS_REGISTER_PORT"),
            "command": [ctx.python, "-m", "commons_hub.services.register.app"],
            "environment": dict(ctx.env),
            "display": True,
            "info": {"description": "Public register of datasets, projects, decisions and data uses"},
        },
        # It reads the governance database and the store directly, read-only; it needs no hub scopes.
        "role": None,
    }
