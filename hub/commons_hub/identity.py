"""Who is signing in: one account per person, never a shared password.

Two ways, chosen by the settings:

- **Commons accounts** (default): jupyterhub-nativeauthenticator. Each demo person gets their own generated
  password at first start (``create_demo_accounts``: printed once by ``commons up``, stored only as a bcrypt hash
  in nativeauthenticator's ``users_info`` table of the hub database). Anyone may sign up; a steward or admin
  approves them on ``/hub/authorize`` and they then join the ``members`` group only.
- **Council single sign-on**: when ``COMMONS_OIDC_ISSUER`` is set, GenericOAuthenticator against that OpenID
  Connect provider, with ``manage_groups``: the council's group claims, mapped by ``COMMONS_OIDC_GROUP_MAP``,
  become the hub groups at every login. A person none of whose groups is mapped is refused (403): being in the
  council's directory does not make someone a member of the cooperative.

docs/operators/identity.md is the operators' guide.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import secrets
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

from commons_kernel import config
from commons_kernel.exceptions import ConfigurationError

# Groups a council group may be mapped to besides the built-in ones: any lower-case name (an owner group such as
# ``demo-council-owners``, whose members may veto for a dataset's owner). ``admin`` makes hub admins.
BUILT_IN_GROUPS = ("members", "stewards", "checkers")
GROUP_NAME = re.compile(r"^[a-z][a-z0-9-]{0,63}$")
ADMIN_GROUP = "admin"
MEMBERS = "members"
DEMO_MARKER = "demo-accounts.json"
MIN_PASSWORD_LENGTH = 12
# Hub user names become Unix account names (prefix + name, at most 32 characters) when the commons is isolated.
USERNAME_PATTERN = r"^[a-z][a-z0-9_-]{1,21}$"
BCRYPT_ROUNDS = 12  # bcrypt's default cost: ~0.25 s a check here, slow enough to make guessing expensive


# Demo accounts ------------------------------------------------------------------------------------------------
def hub_db_url(home: Path) -> str:
    """The hub database, as install() configures it."""
    from commons_hub.db import hub_database_url

    return hub_database_url(home)


def new_password(user: str) -> str:
    """A fresh random password: 16 URL-safe characters (96 bits), 24 (144 bits) for admin accounts."""
    from commons_hub.install import ADMIN_USERS

    return secrets.token_urlsafe(18 if user in ADMIN_USERS else 12)


def hash_password(password: str) -> bytes:
    """bcrypt, as nativeauthenticator stores and checks it (``UserInfo.is_valid_password``)."""
    import bcrypt

    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(BCRYPT_ROUNDS))


def demo_accounts_at_first_start(home: Path) -> dict[str, str]:
    """What `commons up` calls before starting the hub: the new passwords of the demo people (only the admin's with
    ``COMMONS_DEMO_ACCOUNTS=false``, so someone can approve sign-ups), or {} (not first start, single sign-on)."""
    if uses_single_sign_on():
        return {}
    return create_demo_accounts(home, people=None if config.setting("demo_accounts") else _admins_only())


def _admins_only() -> list[str]:
    from commons_hub.install import ADMIN_USERS

    return sorted(ADMIN_USERS)


def create_demo_accounts(home: Path, people: list[str] | None = None) -> dict[str, str]:
    """Create each demo person's account on first start; returns ``{user: password}`` (plaintext kept in memory only).

    Later calls return ``{}``: the passwords were shown once and only their hashes exist. The hub database is
    created the way JupyterHub creates it (stamped with its schema revision), so the hub starts on it unchanged.
    A sign-up that took a demo name before the first start (not authorised) is replaced, so nobody can squat the
    steward's or admin's name.
    """
    from commons_hub.install import DEMO_USERS

    people = list(DEMO_USERS) if people is None else list(people)
    home = Path(home)
    marker = home / DEMO_MARKER
    if marker.exists():
        return {}
    home.mkdir(parents=True, exist_ok=True)
    passwords: dict[str, str] = {}
    with _user_info_session(home) as (session, UserInfo):
        for user in people:
            row = UserInfo.find(session, user)
            if row is not None and row.is_authorized:
                continue  # kept from an earlier start whose marker was lost: its password was shown then
            password = new_password(user)
            if row is None:
                session.add(UserInfo(username=user, password=hash_password(password), is_authorized=True))
            else:
                row.password, row.is_authorized = hash_password(password), True
            passwords[user] = password
        session.commit()
    _write_atomically(
        marker,
        json.dumps(
            {
                "created": sorted(passwords),
                "kept": sorted(set(people) - set(passwords)),
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
            },
            indent=2,
        ),
    )
    return passwords


def reset_password(home: Path, user: str) -> str:
    """A new password for an existing commons account, returned once (docs/operators/identity.md: a lost admin
    password; the admin resets anyone else's at /hub/change-password/USER)."""
    with _user_info_session(Path(home)) as (session, UserInfo):
        row = UserInfo.find(session, user)
        if row is None:
            known = ", ".join(sorted(r.username for r in UserInfo.all_users(session))) or "none yet"
            raise ConfigurationError(
                f"No commons account called {user!r} (accounts: {known}). New people sign up "
                f"at /hub/signup and a steward approves them at /hub/authorize."
            )
        password = new_password(user)
        row.password = hash_password(password)
        session.commit()
    return password


class _user_info_session:
    """A session on the hub database with nativeauthenticator's ``users_info`` table present."""

    def __init__(self, home: Path):
        self.home = home

    def __enter__(self):
        from jupyterhub import orm
        from nativeauthenticator.orm import UserInfo  # registers users_info on JupyterHub's Base

        url = hub_db_url(self.home)
        database = Path(url[len("sqlite:///") :]) if url.startswith("sqlite:///") else None
        if database is not None and not database.exists():  # password hashes: the hub's account alone reads them
            database.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        factory = orm.new_session_factory(url)
        self.session = factory()
        UserInfo.__table__.create(self.session.get_bind(), checkfirst=True)
        return self.session, UserInfo

    def __exit__(self, *exc):
        bind = self.session.get_bind()
        self.session.close()
        bind.dispose()
        return False


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


SHARED_PASSWORD_KEYS = ("user_password", "admin_password")


def forget_shared_passwords(home: Path, secret: dict) -> None:
    """Earlier versions kept a shared members' password in secrets.json: drop it (it no longer signs anyone in)."""
    if not any(key in secret for key in SHARED_PASSWORD_KEYS):
        return
    for key in SHARED_PASSWORD_KEYS:
        secret.pop(key, None)
    from commons_hub.install import secrets_file

    path = secrets_file(Path(home))
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(secret, handle, indent=2)
    if os.geteuid() == 0:  # keep the owner the isolation gave it (the service account)
        owner = path.stat()
        os.chown(temporary, owner.st_uid, owner.st_gid)
    os.replace(temporary, path)


# Single sign-on settings ---------------------------------------------------------------------------------------
def uses_single_sign_on() -> bool:
    return bool(config.setting("oidc_issuer"))


def parse_group_map(raw: str) -> dict[str, set[str]]:
    """``COMMONS_OIDC_GROUP_MAP``: ``CLAIM=GROUP`` items separated by commas -> {claim value: hub groups}.

    Every mapped person is a member; ``stewards`` and ``checkers`` add those roles. A claim value may appear more
    than once (``Council-DPO=stewards,Council-DPO=demo-council-owners``)."""
    mapping: dict[str, set[str]] = {}
    example = "Council-Data-Stewards=stewards,Council-Analysts=members"
    for position, item in enumerate((part.strip() for part in raw.split(",")), start=1):
        if not item:
            continue
        claim, sep, group = (piece.strip() for piece in item.partition("="))
        if not sep or not claim or not group:
            raise ConfigurationError(
                f"COMMONS_OIDC_GROUP_MAP item {position} ({item!r}) is not CLAIM=GROUP. Example: {example}"
            )
        if not GROUP_NAME.match(group):
            raise ConfigurationError(
                f"COMMONS_OIDC_GROUP_MAP item {position} ({item!r}): {group!r} is not a hub group "
                f"name (lower-case letters, digits, '-'); use one of "
                f"{', '.join(BUILT_IN_GROUPS)}, {ADMIN_GROUP} or an owner group."
            )
        mapping.setdefault(claim, {MEMBERS}).add(group)
    if not mapping:
        raise ConfigurationError(
            f"COMMONS_OIDC_ISSUER is set but COMMONS_OIDC_GROUP_MAP is empty, so nobody could "
            f"sign in. Map the council's groups to the commons' groups, e.g. {example}"
        )
    return mapping


def check_issuer(issuer: str) -> str:
    """https, or http on a loopback address only (a provider on the same machine, as in the tests)."""
    parsed = urlparse(issuer)
    if parsed.scheme == "https" and parsed.hostname:
        return issuer.rstrip("/")
    if parsed.scheme == "http" and parsed.hostname and _is_loopback(parsed.hostname):
        return issuer.rstrip("/")
    raise ConfigurationError(
        f"COMMONS_OIDC_ISSUER={issuer!r} must be an https:// URL (http:// only for a provider "
        f"on this machine's loopback), e.g. https://login.microsoftonline.com/TENANT/v2.0"
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def read_client_secret() -> str:
    configured = config.setting("oidc_client_secret_file")
    if not configured:
        raise ConfigurationError(
            "COMMONS_OIDC_ISSUER is set but COMMONS_OIDC_CLIENT_SECRET_FILE is not: write the "
            "client secret the provider gave you to a file only the commons can read (mode "
            "0600) and point COMMONS_OIDC_CLIENT_SECRET_FILE at it."
        )
    path = Path(configured)
    try:
        value = path.read_text().strip()
    except OSError as exc:
        raise ConfigurationError(
            f"COMMONS_OIDC_CLIENT_SECRET_FILE={configured}: cannot read it ({exc.strerror}). "
            f"Check the path and that the account running the hub may read it."
        ) from None
    if not value:
        raise ConfigurationError(f"COMMONS_OIDC_CLIENT_SECRET_FILE={configured} is empty: put the client secret in it.")
    return value


def discover(issuer: str) -> dict:
    """The provider's OpenID configuration (authorize, token and userinfo endpoints)."""
    import requests

    url = f"{issuer}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=15)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ConfigurationError(
            f"Could not read the OpenID configuration at {url} ({type(exc).__name__}: {exc}). "
            f"Check COMMONS_OIDC_ISSUER and that this machine can reach the provider."
        ) from None
    missing = [
        key for key in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint") if not document.get(key)
    ]
    if missing:
        raise ConfigurationError(f"The OpenID configuration at {url} lacks {', '.join(missing)}.")
    return document


# Hub configuration ---------------------------------------------------------------------------------------------
def configure_auth(c, ctx, secret: dict) -> None:
    """Authenticator, admin users and (for commons accounts) the demo people's groups."""
    forget_shared_passwords(ctx.home, secret)
    if uses_single_sign_on():
        _configure_single_sign_on(c, ctx)
    else:
        _configure_commons_accounts(c)


def _configure_commons_accounts(c) -> None:
    from commons_hub.install import ADMIN_USERS, DEMO_USERS, OWNER_GROUPS

    c.JupyterHub.authenticator_class = "commons_hub.authenticators.CommonsNativeAuthenticator"
    c.Authenticator.admin_users = set(ADMIN_USERS)
    c.Authenticator.username_pattern = USERNAME_PATTERN
    # Who may sign in is nativeauthenticator's `is_authorized` (CommonsNativeAuthenticator.check_allowed), not a
    # list here: a name in allowed_users or admin_users would be pre-approved at sign-up.
    c.NativeAuthenticator.enable_signup = config.setting("signup")
    c.NativeAuthenticator.open_signup = False
    c.NativeAuthenticator.minimum_password_length = MIN_PASSWORD_LENGTH
    c.NativeAuthenticator.check_common_password = True
    c.NativeAuthenticator.allowed_failed_logins = 5
    c.NativeAuthenticator.seconds_before_next_try = 300

    groups: dict[str, dict] = {name: {"users": [], "properties": {}} for name in BUILT_IN_GROUPS}
    demo = config.setting("demo_accounts")
    for user, info in DEMO_USERS.items():
        if demo or user in ADMIN_USERS:  # without demo people, the admin alone (to approve the first sign-ups)
            for group in info["groups"]:
                groups.setdefault(group, {"users": [], "properties": {}})["users"].append(user)
    if demo:
        for group, members in OWNER_GROUPS.items():
            groups[group] = {"users": list(members), "properties": {}}
    c.JupyterHub.load_groups = groups


def _configure_single_sign_on(c, ctx) -> None:
    from commons_hub.authenticators import GroupMapper

    issuer = check_issuer(config.setting("oidc_issuer"))
    client_id = config.setting("oidc_client_id")
    if not client_id:
        raise ConfigurationError(
            "COMMONS_OIDC_ISSUER is set but COMMONS_OIDC_CLIENT_ID is not: give the client "
            "(application) id registered with the provider."
        )
    mapping = parse_group_map(config.setting("oidc_group_map"))
    endpoints = discover(issuer)
    callback = config.setting("oidc_callback_url") or f"{ctx.public_url}/hub/oauth_callback"

    c.JupyterHub.authenticator_class = "generic-oauth"
    c.GenericOAuthenticator.login_service = config.setting("oidc_login_service")
    c.GenericOAuthenticator.client_id = client_id
    c.GenericOAuthenticator.client_secret = read_client_secret()
    c.GenericOAuthenticator.oauth_callback_url = callback
    c.GenericOAuthenticator.authorize_url = endpoints["authorization_endpoint"]
    c.GenericOAuthenticator.token_url = endpoints["token_endpoint"]
    if config.setting("oidc_claims_from_id_token"):
        c.GenericOAuthenticator.userdata_from_id_token = True  # Entra ID puts group claims in the id token only
    else:
        c.GenericOAuthenticator.userdata_url = endpoints["userinfo_endpoint"]
    c.GenericOAuthenticator.scope = config.setting("oidc_scopes").split()
    c.GenericOAuthenticator.username_claim = config.setting("oidc_username_claim")
    c.GenericOAuthenticator.manage_groups = True
    c.GenericOAuthenticator.auth_state_groups_key = GroupMapper(config.setting("oidc_groups_claim"), mapping)
    c.GenericOAuthenticator.allowed_groups = {MEMBERS}  # unmapped people are refused
    if any(ADMIN_GROUP in groups for groups in mapping.values()):
        c.GenericOAuthenticator.admin_groups = {ADMIN_GROUP}
    c.GenericOAuthenticator.custom_403_message = (
        "Your council account signed in, but none of your groups is mapped to the Data Commons. Ask the commons' "
        "operators to add your group to COMMONS_OIDC_GROUP_MAP, or a steward to add you to a mapped group."
    )
    # Group membership comes from the provider at every login (manage_groups): no groups are loaded here.
