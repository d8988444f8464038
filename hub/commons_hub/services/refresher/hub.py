"""The refresher as a hub-managed service: the stories token, and a role that reaches the data-api only.

It has no URL, so the proxy has no route to it (nothing public). Its hub identity is the service ``refresher``;
the stories' reads are audited under that name, and an approved project that lets stories use community or
restricted data names ``refresher`` as a member.
"""

from commons_hub.services.stories.hub import stories_settings

SERVICE_NAME = "refresher"


def configure(ctx, secret) -> dict:
    return {
        "service": {
            "name": SERVICE_NAME,
            "api_token": secret["stories_token"],
            "command": [ctx.python, "-m", "commons_hub.services.refresher.service"],
            "environment": {**ctx.env, **stories_settings()},
            "display": False,
        },
        "role": {
            "name": "stories-refresher",
            "description": "The stories' refresher: reads data through the data-api as the stories identity.",
            "scopes": ["access:services!service=data-api"],
            "services": [SERVICE_NAME],
        },
    }
