"""The gateway's authenticator: JupyterHub's, plus the caller's active projects, asked of the data-api.

dask-gateway-server's ``JupyterHubAuthenticator`` checks the token with the hub (``GET /hub/api/user``) and, as
the hub names this service, that the token carries ``access:services!service=dask-gateway``. The person's
projects are governance, not hub groups: the data-api lists them (``api/projects``), asked with the same token,
so the gateway holds no database and no token of its own beyond the one the hub gives every service.
"""

from __future__ import annotations

import os

import aiohttp
from dask_gateway_server.auth import JupyterHubAuthenticator
from traitlets import Unicode, default


class CommonsHubAuthenticator(JupyterHubAuthenticator):
    data_api_url = Unicode(config=True, help="The data-api's URL (with its /services/data-api/ prefix).")

    @default("data_api_url")
    def _default_data_api_url(self):
        return os.environ["COMMONS_DATA_API_URL"]

    async def authenticate(self, request):
        user = await super().authenticate(request)
        user.projects = await self.active_projects(user.name, self.get_token(request))
        return user

    async def active_projects(self, name: str, token: str) -> list[str]:
        """Slugs of the active projects that list ``name`` as a member; none when the data-api cannot say."""
        url = self.data_api_url.rstrip("/") + "/api/projects"
        try:
            async with self.session.get(url, headers={"Authorization": f"token {token}"}) as response:
                if response.status >= 400:
                    self.log.warning(
                        "data-api answered %s for %s's projects: member limits apply", response.status, name
                    )
                    return []
                listing = await response.json()
        except (aiohttp.ClientError, OSError) as exc:
            self.log.warning("data-api unreachable for %s's projects (%s): member limits apply", name, exc)
            return []
        return sorted(
            p["slug"]
            for p in listing
            if p.get("active") and any(m.get("username") == name for m in p.get("members", []))
        )
