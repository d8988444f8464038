"""Which organisation a member speaks for, and how the public register names people.

The register shows organisations rather than user names unless the ``show_user_names`` setting is true. A
member's organisation comes from the commons' member directory (``commons_hub.install.DEMO_USERS`` in this
deployment), else from the organisation they were listed under in a project, else it is unknown.
"""

from __future__ import annotations

import sqlalchemy as sa

from commons_hub.db import project_members

UNKNOWN = "an organisation not yet recorded"


def organisation_of(username: str, conn=None) -> str:
    from commons_hub.install import DEMO_USERS

    known = DEMO_USERS.get(username, {}).get("organisation")
    if isinstance(known, str) and known:
        return known
    if conn is not None:
        listed = conn.execute(
            sa.select(project_members.c.organisation)
            .where(project_members.c.username == username, project_members.c.organisation != "")
            .limit(1)
        ).scalar()
        if listed:
            return listed
    return ""


def public_name(username: str | None, organisation: str, show_user_names: bool) -> str:
    """What the register prints for a person: their organisation, with the user name only when configured."""
    shown = organisation or UNKNOWN
    if show_user_names and username:
        return f"{username} ({shown})"
    return shown
