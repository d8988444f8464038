"""The first administrator on Kubernetes: ``python -m commons_hub.kubernetes_admin first-admin --hub-db-url URL``.

With demo accounts off, no sign-up is ever approved by itself (commons_hub.authenticators), so somebody must exist
to approve the first one. Run in the hub pod, this makes the approved ``admin`` account in the hub's database and
prints its password once.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from commons_kernel.exceptions import ConfigurationError

EXISTING_SECRET_DIR = Path("/usr/local/etc/jupyterhub/existing-secret")  # where the chart mounts hub.existingSecret


def create_first_admin(hub_db_url: str, name: str = "admin") -> str:
    """The first administrator's commons account (approved) in the hub's database; returns its new password, to be
    shown once. With demo accounts off nobody could approve the first sign-up: this is how the operator gets in.
    Refuses when the account is approved already (then reset its password at /hub/change-password/NAME)."""
    from jupyterhub import orm
    from nativeauthenticator.orm import UserInfo

    from commons_hub.identity import hash_password, new_password

    session = orm.new_session_factory(hub_db_url)()
    try:
        UserInfo.__table__.create(session.get_bind(), checkfirst=True)
        row = UserInfo.find(session, name)
        if row is not None and row.is_authorized:
            raise ConfigurationError(
                f"the account {name!r} exists and is approved already: sign in as {name}, or "
                f"have another admin reset its password at /hub/change-password/{name}."
            )
        password = new_password(name)
        if row is None:
            session.add(UserInfo(username=name, password=hash_password(password), is_authorized=True))
        else:  # someone signed up with the name first: their unapproved sign-up is replaced
            row.password, row.is_authorized = hash_password(password), True
        session.commit()
        return password
    finally:
        session.close()


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m commons_hub.kubernetes_admin", description="The commons on Kubernetes (run inside the hub pod)."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    first = sub.add_parser("first-admin", help="create the first administrator's account; prints its password once")
    first.add_argument("--hub-db-url", required=True, help="the hub database URL of the values (hub.db.url)")
    first.add_argument("--name", default="admin")
    args = parser.parse_args(argv)
    password_file = EXISTING_SECRET_DIR / "hub.db.password"
    if "PGPASSWORD" not in os.environ and password_file.is_file():
        os.environ["PGPASSWORD"] = password_file.read_text().strip()
    try:
        password = create_first_admin(args.hub_db_url, args.name)
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{args.name}: {password}\n(shown once; sign in at /hub/login, then approve sign-ups at /hub/authorize)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
