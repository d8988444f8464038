"""Identity: each demo person's own password (generated, hashed, shown once), sign-up rules, the SSO settings."""

from __future__ import annotations

import json
import os
import stat

import pytest
from traitlets.config import Config

from commons_hub import identity
from commons_hub.authenticators import CommonsNativeAuthenticator, GroupMapper
from commons_hub.install import ADMIN_USERS, DEMO_USERS, Context
from commons_kernel.exceptions import ConfigurationError

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch, request):
    """bcrypt's lowest cost, so the tests run in seconds (the product's cost is checked in its own test)."""
    if "product_cost" not in request.node.name:
        monkeypatch.setattr(identity, "BCRYPT_ROUNDS", 4)


def user_infos(home):
    from jupyterhub import orm
    from nativeauthenticator.orm import UserInfo

    session = orm.new_session_factory(identity.hub_db_url(home))()
    return session, UserInfo


def every_file_bytes(home) -> list[tuple[str, bytes]]:
    return [(str(path), path.read_bytes()) for path in home.rglob("*") if path.is_file()]


def test_first_start_gives_each_demo_person_their_own_password(tmp_path):
    passwords = identity.create_demo_accounts(tmp_path)
    assert set(passwords) == set(DEMO_USERS)
    assert len(set(passwords.values())) == len(DEMO_USERS), "two people share a password"
    for user, password in passwords.items():
        assert len(password) >= (24 if user in ADMIN_USERS else 16)


def test_the_hash_accepts_only_its_own_persons_password(tmp_path):
    passwords = identity.create_demo_accounts(tmp_path)
    session, UserInfo = user_infos(tmp_path)
    for user, password in passwords.items():
        row = UserInfo.find(session, user)
        assert row.is_authorized and row.password.startswith(b"$2")  # bcrypt
        assert row.is_valid_password(password)
        for other, other_password in passwords.items():
            if other != user:
                assert not row.is_valid_password(other_password), f"{other}'s password opens {user}'s account"
    session.close()


def test_no_plaintext_password_anywhere_in_the_state_directory(tmp_path):
    passwords = identity.create_demo_accounts(tmp_path)
    files = every_file_bytes(tmp_path)
    assert any(name.endswith("jupyterhub.sqlite") for name, _ in files)
    for name, content in files:
        for user, password in passwords.items():
            assert password.encode() not in content, f"{user}'s password is written in {name}"


def test_product_cost_of_the_stored_hash_is_bcrypts_default(tmp_path):
    assert identity.hash_password("some-password").startswith(b"$2b$12$")


def test_the_database_of_hashes_is_readable_by_its_owner_only(tmp_path):
    identity.create_demo_accounts(tmp_path)
    assert stat.S_IMODE(os.stat(tmp_path / "jupyterhub.sqlite").st_mode) == 0o600


def test_passwords_are_shown_once_only(tmp_path):
    assert identity.create_demo_accounts(tmp_path)
    assert identity.create_demo_accounts(tmp_path) == {}
    marker = json.loads((tmp_path / identity.DEMO_MARKER).read_text())
    assert sorted(marker["created"]) == sorted(DEMO_USERS)


def test_jupyterhub_opens_the_database_the_seeding_created(tmp_path):
    from jupyterhub import orm

    identity.create_demo_accounts(tmp_path)
    session = orm.new_session_factory(identity.hub_db_url(tmp_path))()  # raises if the schema revision is off
    assert session.query(orm.User).count() == 0  # hub users come from load_groups when the hub starts
    session.close()


def test_a_sign_up_that_took_a_demo_name_before_first_start_is_replaced(tmp_path):
    with identity._user_info_session(tmp_path) as (session, UserInfo):
        session.add(
            UserInfo(username="steward", password=identity.hash_password("squatter-password-1"), is_authorized=False)
        )
        session.commit()
    passwords = identity.create_demo_accounts(tmp_path)
    session, UserInfo = user_infos(tmp_path)
    row = UserInfo.find(session, "steward")
    assert row.is_authorized and row.is_valid_password(passwords["steward"])
    assert not row.is_valid_password("squatter-password-1")
    assert len(UserInfo.all_users(session)) == len(DEMO_USERS)
    session.close()


def test_reset_password_replaces_the_hash_and_names_unknown_accounts(tmp_path):
    old = identity.create_demo_accounts(tmp_path)["checker"]
    new = identity.reset_password(tmp_path, "checker")
    session, UserInfo = user_infos(tmp_path)
    row = UserInfo.find(session, "checker")
    assert row.is_valid_password(new) and not row.is_valid_password(old)
    session.close()
    with pytest.raises(ConfigurationError, match="No commons account called 'nobody'.*analyst1"):
        identity.reset_password(tmp_path, "nobody")


def test_old_shared_passwords_are_removed_from_secrets_json(tmp_path):
    path = tmp_path / "secrets.json"
    secret = {"user_password": "shared-one", "admin_password": "x" * 32, "operator_token": "abc"}
    path.write_text(json.dumps(secret))
    identity.forget_shared_passwords(tmp_path, secret)
    assert json.loads(path.read_text()) == {"operator_token": "abc"} == secret
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_without_demo_people_only_the_admin_is_made(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMONS_DEMO_ACCOUNTS", "false")
    monkeypatch.delenv("COMMONS_OIDC_ISSUER", raising=False)
    assert set(identity.demo_accounts_at_first_start(tmp_path)) == set(ADMIN_USERS)
    c = Config()
    identity.configure_auth(
        c, Context(home=tmp_path, bind_ip="127.0.0.1", public_url="http://127.0.0.1:8000", python="python"), {}
    )
    everyone = {user for group in c.JupyterHub.load_groups.values() for user in group["users"]}
    assert everyone == set(ADMIN_USERS)
    assert set(c.JupyterHub.load_groups) >= {"members", "stewards", "checkers"}


def test_single_sign_on_makes_no_accounts(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMONS_OIDC_ISSUER", "https://login.example.org")
    assert identity.demo_accounts_at_first_start(tmp_path) == {}
    assert not (tmp_path / "jupyterhub.sqlite").exists()


def test_banner_prints_the_new_passwords_and_later_only_the_names(monkeypatch):
    from commons_hub.commands.hub import banner

    monkeypatch.delenv("COMMONS_OIDC_ISSUER", raising=False)
    first = banner("http://127.0.0.1:8000", {"analyst1": "pw-analyst1-xyz", "steward": "pw-steward-xyz"})
    assert "pw-analyst1-xyz" in first and "pw-steward-xyz" in first and "ONCE" in first
    later = banner("http://127.0.0.1:8000", {})
    assert "password " not in later and "analyst1" in later and "change-password" in later


# the authenticator's rules -------------------------------------------------------------------------------------
@pytest.fixture
def authenticator(tmp_path):
    identity.create_demo_accounts(tmp_path)
    session, _ = user_infos(tmp_path)
    config = Config()
    config.Authenticator.admin_users = {"admin", "newadmin"}
    config.NativeAuthenticator.minimum_password_length = identity.MIN_PASSWORD_LENGTH
    auth = CommonsNativeAuthenticator(config=config, _deprecated_db_session=session)
    yield auth
    session.close()


def test_a_sign_up_is_never_pre_approved_not_even_an_admin_name(authenticator):
    info = authenticator.create_user("newadmin", "a-long-enough-password")
    assert info is not None and not info.is_authorized
    assert not authenticator.check_allowed("newadmin")
    assert authenticator.check_allowed("analyst1")
    assert not authenticator.check_allowed("nobody")


def test_a_sign_up_cannot_take_an_existing_name(authenticator):
    assert authenticator.create_user("steward", "a-long-enough-password") is None


def test_an_approved_sign_up_joins_members_only(authenticator):
    from jupyterhub import orm
    from nativeauthenticator.orm import UserInfo

    db = authenticator.db
    authenticator.create_user("newperson", "a-long-enough-password")
    UserInfo.change_authorization(db, "newperson")
    user = orm.User(name="newperson")
    db.add(user)
    db.commit()
    authenticator.add_user(user)
    assert [g.name for g in user.groups] == ["members"]

    unapproved = orm.User(name="created-by-token")  # `commons token` users have no sign-up: no groups
    db.add(unapproved)
    db.commit()
    authenticator.add_user(unapproved)
    assert unapproved.groups == []


def test_approval_pages_are_the_commons_guarded_ones(authenticator):
    handlers = dict(authenticator.get_handlers(None))
    assert handlers[r"/authorize/([^/]*)"].__module__ == "commons_hub.authenticators"
    assert handlers[r"/discard/([^/]*)"].__module__ == "commons_hub.authenticators"
    assert handlers[r"/authorize"].__module__ == "commons_hub.authenticators"
    assert handlers[r"/login"].__module__ == "commons_hub.authenticators"


def test_commons_accounts_configuration(monkeypatch, tmp_path):
    monkeypatch.delenv("COMMONS_OIDC_ISSUER", raising=False)
    c = Config()
    ctx = Context(home=tmp_path, bind_ip="127.0.0.1", public_url="http://127.0.0.1:8000", python="python")
    identity.configure_auth(c, ctx, {"operator_token": "t"})
    assert c.JupyterHub.authenticator_class == "commons_hub.authenticators.CommonsNativeAuthenticator"
    assert c.Authenticator.admin_users == set(ADMIN_USERS)
    assert "allowed_users" not in c.Authenticator
    assert c.NativeAuthenticator.open_signup is False
    assert c.JupyterHub.load_groups["stewards"]["users"] == ["steward", "admin"]
    assert "steward" not in c.JupyterHub.load_groups["checkers"]["users"]


# single sign-on settings ---------------------------------------------------------------------------------------
def test_group_map_every_mapped_person_is_a_member():
    mapping = identity.parse_group_map(
        "Council-Stewards=stewards, Council-Analysts=members,Council-DPO=stewards,Council-DPO=demo-council-owners"
    )
    assert mapping == {
        "Council-Stewards": {"members", "stewards"},
        "Council-Analysts": {"members"},
        "Council-DPO": {"members", "stewards", "demo-council-owners"},
    }


@pytest.mark.parametrize(
    "raw, message",
    [
        ("", "COMMONS_OIDC_GROUP_MAP is empty"),
        ("Council-Stewards", "item 1 .* is not CLAIM=GROUP"),
        ("A=members,B=Stewards!", "item 2 .*'Stewards!' is not a hub group name"),
    ],
)
def test_group_map_errors_name_the_item_and_the_fix(raw, message):
    with pytest.raises(ConfigurationError, match=message):
        identity.parse_group_map(raw)


@pytest.mark.parametrize(
    "issuer, ok",
    [
        ("https://login.microsoftonline.com/tenant/v2.0", True),
        ("http://127.0.0.1:9000", True),
        ("http://localhost:9000/", True),
        ("http://keycloak.council.gov.uk/realms/lcr", False),
        ("ftp://x", False),
    ],
)
def test_issuer_must_be_https_except_on_loopback(issuer, ok):
    if ok:
        assert identity.check_issuer(issuer) == issuer.rstrip("/")
    else:
        with pytest.raises(ConfigurationError, match="must be an https:// URL"):
            identity.check_issuer(issuer)


def test_client_secret_file_errors_say_what_to_do(monkeypatch, tmp_path):
    monkeypatch.delenv("COMMONS_OIDC_CLIENT_SECRET_FILE", raising=False)
    with pytest.raises(ConfigurationError, match="COMMONS_OIDC_CLIENT_SECRET_FILE is not"):
        identity.read_client_secret()
    monkeypatch.setenv("COMMONS_OIDC_CLIENT_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ConfigurationError, match="cannot read it"):
        identity.read_client_secret()
    (tmp_path / "secret").write_text("s3cret\n")
    monkeypatch.setenv("COMMONS_OIDC_CLIENT_SECRET_FILE", str(tmp_path / "secret"))
    assert identity.read_client_secret() == "s3cret"


def test_group_mapper_maps_claims_and_ignores_unmapped_values():
    mapper = GroupMapper("groups", identity.parse_group_map("S=stewards,A=members"))
    assert mapper({"oauth_user": {"groups": ["S", "Other"]}}) == {"members", "stewards"}
    assert mapper({"oauth_user": {"groups": "A"}}) == {"members"}
    assert mapper({"oauth_user": {"groups": ["Other"]}}) == set()
    assert mapper({"oauth_user": {}}) == set()
