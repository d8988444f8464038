"""The data-api as a hub-managed service."""


def configure(ctx, secret) -> dict:
    from commons_hub.install import store_credentials

    return {
        "service": {
            "name": "data-api",
            "url": ctx.service_url("COMMONS_DATA_API_PORT"),
            "command": [ctx.python, "-m", "commons_hub.services.data_api.app"],
            # The one process holding the object store's credentials (docs/operators/storage.md).
            "environment": {**ctx.env, **store_credentials()},
            "oauth_no_confirm": True,
            "display": False,
        },
        # The data-api identifies callers with their own tokens; it needs no hub scopes of its own.
        "role": None,
    }
