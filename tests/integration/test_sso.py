"""Council single sign-on on the real hub: GenericOAuthenticator against a real OpenID Connect provider on loopback.

The provider is oidc-provider-mock (authlib under Flask, the full authorization-code flow with signed id tokens);
its authorize page lets the test choose who signs in, and ``PUT /users/SUB`` sets that person's claims. The hub is
started from the project's config with the COMMONS_OIDC_* settings; the login goes through /hub/oauth_login as a
browser would (redirects, the provider's form, the callback). Unmapped people are refused (docs/operators/identity.md).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from urllib.parse import urlparse

import pytest
import requests

pytestmark = pytest.mark.integration

GROUP_MAP = "LCR-Commons-Analysts=members,LCR-Data-Stewards=stewards,LCR-Output-Checkers=checkers"


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    """The provider in its own process (`python -m oidc_provider_mock`), as a council's would be: not in pytest's,
    where warnings are errors and authlib's own deprecation warnings would break its token endpoint."""
    from tests.integration.hubfixture import free_port

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(tmp_path_factory.getbasetemp() / "oidc-provider.log", "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "NO_COLOR": "1"},
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if requests.get(f"{url}/.well-known/openid-configuration", timeout=2).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"the OIDC provider did not start; see {log.name}")
                time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)


@pytest.fixture(scope="module")
def sso_hub(provider, tmp_path_factory):
    from tests.integration.hubfixture import RunningHub

    secret_file = tmp_path_factory.mktemp("oidc") / "client-secret"
    secret_file.write_text("a-client-secret-for-the-test\n")
    secret_file.chmod(0o600)
    running = RunningHub.in_temporary_home(tmp_path_factory.getbasetemp() / "sso-hub.log")
    running.env.update(
        {
            "COMMONS_OIDC_ISSUER": provider,
            "COMMONS_OIDC_CLIENT_ID": "lcr-data-commons",
            "COMMONS_OIDC_CLIENT_SECRET_FILE": str(secret_file),
            "COMMONS_OIDC_GROUPS_CLAIM": "groups",
            "COMMONS_OIDC_GROUP_MAP": GROUP_MAP,
            "COMMONS_OIDC_LOGIN_SERVICE": "Test Council",
        }
    )
    try:
        running.start()
        yield running
    finally:
        running.stop()
        running.remove_home()


def set_claims(provider: str, sub: str, **claims) -> None:
    response = requests.put(f"{provider}/users/{sub}", json=claims, timeout=10)
    assert response.status_code == 204, response.text


def sign_in(hub, provider: str, sub: str) -> requests.Response:
    """/hub/oauth_login -> the provider's authorize page -> choose ``sub`` -> /hub/oauth_callback -> the hub."""
    session = requests.Session()
    session.trust_env = False
    start = session.get(f"{hub.url}/hub/oauth_login?next=/hub/home", allow_redirects=False, timeout=30)
    assert start.status_code == 302, start.text
    authorize = start.headers["Location"]
    assert authorize.startswith(f"{provider}/oauth2/authorize?"), authorize
    assert session.get(authorize, timeout=30).status_code == 200  # the provider's sign-in form
    return session.post(authorize, data={"sub": sub}, timeout=60)


def groups_of(hub, user: str) -> list[str] | None:
    response = hub.hub_api("GET", f"users/{user}")
    return None if response.status_code == 404 else sorted(response.json()["groups"])


def test_the_login_page_offers_the_councils_sign_in(sso_hub):
    page = requests.get(f"{sso_hub.url}/hub/login", timeout=30)
    assert page.status_code == 200 and "Sign in with Test Council" in page.text
    assert 'name="password"' not in page.text  # no password form: there is no shared (or any) password


def test_a_steward_claim_becomes_the_stewards_group(sso_hub, provider):
    set_claims(provider, "sam", preferred_username="sam", email="sam@council.example", groups=["LCR-Data-Stewards"])
    answer = sign_in(sso_hub, provider, "sam")
    assert answer.status_code == 200 and urlparse(answer.url).path == "/hub/home", (answer.url, answer.text[-500:])
    assert groups_of(sso_hub, "sam") == ["members", "stewards"]


def test_groups_follow_the_claims_at_every_login(sso_hub, provider):
    set_claims(provider, "chris", preferred_username="chris", groups=["LCR-Output-Checkers", "Council-Everyone"])
    assert urlparse(sign_in(sso_hub, provider, "chris").url).path == "/hub/home"
    assert groups_of(sso_hub, "chris") == ["checkers", "members"]
    set_claims(provider, "chris", preferred_username="chris", groups=["LCR-Commons-Analysts"])
    assert urlparse(sign_in(sso_hub, provider, "chris").url).path == "/hub/home"
    assert groups_of(sso_hub, "chris") == ["members"], "a checker the council removed stayed a checker"


def test_a_person_with_no_mapped_group_is_refused_and_not_created(sso_hub, provider):
    set_claims(provider, "olivia", preferred_username="olivia", groups=["Council-Everyone", "Parks-Team"])
    answer = sign_in(sso_hub, provider, "olivia")
    assert answer.status_code == 403
    assert "none of your groups is mapped" in answer.text
    assert groups_of(sso_hub, "olivia") is None

    set_claims(provider, "nogroups", preferred_username="nogroups")
    assert sign_in(sso_hub, provider, "nogroups").status_code == 403
