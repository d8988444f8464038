"""Identity on the real hub: each demo person signs in with their own password only; nobody shares one; sign-ups
wait for a steward and then join the members group only; approval cannot be triggered from another site."""

from __future__ import annotations

import json
import re
import uuid
from urllib.parse import urlparse

import pytest
import requests

from commons_hub.install import DEMO_USERS

pytestmark = pytest.mark.integration


def login(hub, user: str, password: str) -> requests.Response:
    session = requests.Session()
    session.trust_env = False
    page = session.get(f"{hub.url}/hub/login?next=/hub/home", timeout=30)
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page.text).group(1)
    response = session.post(
        f"{hub.url}/hub/login?next=/hub/home", timeout=30, data={"username": user, "password": password, "_xsrf": xsrf}
    )
    response.session = session
    return response


def signed_in(response: requests.Response) -> bool:
    """Redirected to the home page (a refused login answers the login page at /hub/login?next=/hub/home)."""
    return response.status_code == 200 and urlparse(response.url).path == "/hub/home"


def test_each_demo_person_signs_in_with_their_own_password_and_not_with_anothers(hub):
    people = list(DEMO_USERS)
    assert set(hub.passwords) == set(people)
    for index, user in enumerate(people):
        other = people[(index + 1) % len(people)]
        refused = login(hub, user, hub.passwords[other])
        assert not signed_in(refused), f"{user} signed in with {other}'s password"
        assert "Invalid username or password" in refused.text
        assert signed_in(login(hub, user, hub.passwords[user])), f"{user} could not sign in with their own password"


def test_no_shared_password_is_kept_and_no_password_is_on_disk(hub):
    secret = json.loads((hub.home / "secrets.json").read_text())
    assert not {"user_password", "admin_password"} & set(secret)
    for path in hub.home.rglob("*"):
        if path.is_file() and path.stat().st_size < 200_000_000:
            content = path.read_bytes()
            for user, password in hub.passwords.items():
                assert password.encode() not in content, f"{user}'s password is written in {path}"


def sign_up(hub, name: str, password: str) -> requests.Response:
    session = requests.Session()
    session.trust_env = False
    page = session.get(f"{hub.url}/hub/signup", timeout=30)
    assert page.status_code == 200
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page.text).group(1)
    return session.post(
        f"{hub.url}/hub/signup",
        timeout=30,
        data={"username": name, "signup_password": password, "signup_password_confirmation": password, "_xsrf": xsrf},
    )


def test_a_sign_up_waits_for_a_steward_then_joins_members_only(hub):
    name, password = f"newmember-{uuid.uuid4().hex[:6]}", f"pw-{uuid.uuid4().hex}"
    try:
        answer = sign_up(hub, name, password)
        assert "sent to the admin" in answer.text, answer.text[-2000:]
        waiting = login(hub, name, password)
        assert not signed_in(waiting) and "has not been authorized by a steward" in waiting.text

        analyst = login(hub, "analyst1", hub.passwords["analyst1"]).session
        assert analyst.get(f"{hub.url}/hub/authorize", timeout=30).status_code == 403
        assert (
            analyst.get(
                f"{hub.url}/hub/authorize/{name}", timeout=30, headers={"Referer": f"{hub.url}/hub/authorize"}
            ).status_code
            == 403
        )

        steward = login(hub, "steward", hub.passwords["steward"]).session
        listing = steward.get(f"{hub.url}/hub/authorize", timeout=30)
        assert listing.status_code == 200 and name in listing.text
        # a link on another site (no Referer from the hub, or a foreign one) cannot approve anyone
        for headers in ({}, {"Referer": "https://elsewhere.example/page"}, {"Sec-Fetch-Site": "cross-site"}):
            refused = steward.get(f"{hub.url}/hub/authorize/{name}", headers=headers, timeout=30, allow_redirects=False)
            assert refused.status_code == 403, headers
        assert not signed_in(login(hub, name, password))
        approved = steward.get(
            f"{hub.url}/hub/authorize/{name}",
            timeout=30,
            allow_redirects=False,
            headers={"Referer": f"{hub.url}/hub/authorize"},
        )
        assert approved.status_code == 302

        assert signed_in(login(hub, name, password))
        model = hub.hub_api("GET", f"users/{name}").json()
        assert model["groups"] == ["members"] and not model["admin"]
    finally:
        hub.hub_api("DELETE", f"users/{name}")


def test_a_sign_up_cannot_take_a_demo_name_or_a_name_that_is_not_a_unix_name(hub):
    taken = sign_up(hub, "steward", f"pw-{uuid.uuid4().hex}")
    assert "already in use" in taken.text
    assert signed_in(login(hub, "steward", hub.passwords["steward"]))
    odd = sign_up(hub, "<b>Odd", f"pw-{uuid.uuid4().hex}")
    assert "Something went wrong" in odd.text and "<b>Odd" not in odd.text


def test_repeated_wrong_passwords_lock_the_account_for_a_while(hub):
    name, password = f"locked-{uuid.uuid4().hex[:6]}", f"pw-{uuid.uuid4().hex}"
    try:
        sign_up(hub, name, password)
        steward = login(hub, "steward", hub.passwords["steward"]).session
        steward.get(f"{hub.url}/hub/authorize/{name}", headers={"Referer": f"{hub.url}/hub/authorize"}, timeout=30)
        for _ in range(5):
            assert not signed_in(login(hub, name, "wrong-password-guess"))
        assert not signed_in(login(hub, name, password)), "the right password still worked after 5 wrong guesses"
    finally:
        hub.hub_api("DELETE", f"users/{name}")


def form_post(session: requests.Session, url: str, **fields) -> requests.Response:
    page = session.get(url, timeout=30)
    assert page.status_code == 200, (url, page.status_code)
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page.text).group(1)
    return session.post(url, data={**fields, "_xsrf": xsrf}, timeout=30)


def test_a_person_changes_their_password_and_the_admin_resets_it(hub):
    name, first = f"changer-{uuid.uuid4().hex[:6]}", f"pw-{uuid.uuid4().hex}"
    second, third = f"pw-{uuid.uuid4().hex}", f"pw-{uuid.uuid4().hex}"
    try:
        sign_up(hub, name, first)
        steward = login(hub, "steward", hub.passwords["steward"]).session
        steward.get(f"{hub.url}/hub/authorize/{name}", headers={"Referer": f"{hub.url}/hub/authorize"}, timeout=30)

        person = login(hub, name, first).session
        changed = form_post(
            person,
            f"{hub.url}/hub/change-password",
            old_password=first,
            new_password=second,
            new_password_confirmation=second,
        )
        assert "changed successfully" in changed.text, changed.text[-1500:]
        assert not signed_in(login(hub, name, first)) and signed_in(login(hub, name, second))

        assert steward.get(f"{hub.url}/hub/change-password/{name}", timeout=30).status_code == 403  # admin only
        admin = login(hub, "admin", hub.passwords["admin"]).session
        reset = form_post(
            admin, f"{hub.url}/hub/change-password/{name}", new_password=third, new_password_confirmation=third
        )
        assert "changed successfully" in reset.text, reset.text[-1500:]
        assert not signed_in(login(hub, name, second)) and signed_in(login(hub, name, third))
    finally:
        hub.hub_api("DELETE", f"users/{name}")
