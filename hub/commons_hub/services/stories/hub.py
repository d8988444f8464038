"""The stories service (Voilà, public) as a hub-managed service. It holds no token and no role."""

import os


def stories_settings() -> dict:
    """The stories' settings reach the service (the hub passes a managed service only what it is given)."""
    from commons_kernel.config import SETTINGS

    return {
        s.env: os.environ[s.env] for s in SETTINGS.values() if s.name.startswith("stories_") and s.env in os.environ
    }


def configure(ctx, secret) -> dict:
    return {
        "service": {
            "name": "stories",
            "url": ctx.service_url("COMMONS_STORIES_PORT"),
            "command": [ctx.python, "-m", "commons_hub.services.stories.app"],
            # No database URL: public kernels inherit this environment, and a PostgreSQL URL carries a password.
            "environment": {k: v for k, v in {**ctx.env, **stories_settings()}.items() if k != "COMMONS_DB_URL"},
            "display": True,
            "info": {"description": "Stories for residents: public, no login."},
        },
        "role": None,
    }
