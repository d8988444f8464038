"""The kernel client turns data-api answers into errors that teach, and never falls back to files."""

from __future__ import annotations

import json

import pytest
import requests

from commons_kernel.client import DataApiClient
from commons_kernel.exceptions import (
    AccessDenied,
    CommonsError,
    DataApiUnavailable,
    DatasetNotFound,
    NotAuthenticated,
)

pytestmark = pytest.mark.unit


def answer(status: int, body: dict) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    response.headers["Content-Type"] = "application/json"
    return response


CLIENT = DataApiClient("http://127.0.0.1:9/services/data-api/", "token")


def test_denied_carries_reason_and_how_to_get_access():
    error = CLIENT.error(
        answer(
            403,
            {
                "error": "access-denied",
                "dataset": "synthetic_referrals",
                "reason": "name the approved project",
                "how_to_get_access": "Pass project=",
            },
        )
    )
    assert isinstance(error, AccessDenied)
    assert error.name == "synthetic_referrals" and "Pass project=" in str(error)


def test_not_found_suggests_close_names():
    error = CLIENT.error(
        answer(
            404, {"error": "dataset-not-found", "reason": "No dataset called 'imd2019'.", "close": ["imd2019_lsoa11"]}
        )
    )
    assert isinstance(error, DatasetNotFound) and error.close == ["imd2019_lsoa11"]
    assert "Did you mean 'imd2019_lsoa11'" in str(error)


def test_401_and_scope_403_are_authentication_problems():
    assert isinstance(CLIENT.error(answer(401, {"error": "not-authenticated", "reason": "x"})), NotAuthenticated)
    assert isinstance(CLIENT.error(answer(403, {"error": "missing-scope", "reason": "x"})), NotAuthenticated)


def test_a_proxy_error_means_the_service_is_down():
    assert isinstance(CLIENT.error(answer(503, {"error": "x", "reason": "down"})), DataApiUnavailable)


def test_nothing_listening_gives_data_api_unavailable_with_how_to_check():
    closed = DataApiClient("http://127.0.0.1:9/services/data-api/", "token", timeout=2)
    with pytest.raises(DataApiUnavailable) as info:
        closed.get_json("api/datasets")
    assert "commons up" in str(info.value) and "api/health" in str(info.value)


def test_no_token_outside_the_hub_says_how_to_get_one(monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_API_TOKEN", raising=False)
    monkeypatch.delenv("COMMONS_API_TOKEN", raising=False)
    with pytest.raises(NotAuthenticated, match="commons token"):
        DataApiClient.from_environment()


class HealthSession:
    """Test double for requests.Session: answers every GET with ``status`` (or raises it), and keeps the calls."""

    def __init__(self, status):
        self.status, self.calls = status, []

    def get(self, url, **options):
        self.calls.append((url, options))
        if isinstance(self.status, Exception):
            raise self.status
        response = requests.Response()
        response.status_code = self.status
        response._content = b'{"status": "ok"}'
        return response


def test_the_token_never_shows_in_the_clients_repr():
    assert "token" not in repr(DataApiClient("http://hub.test/services/data-api/", "s3cret-token-value"))
    assert "s3cret" not in repr(DataApiClient("http://hub.test/services/data-api/", "s3cret"))


def test_for_hub_asks_that_hubs_data_api_under_its_prefix():
    client = DataApiClient.for_hub("http://hub.test:8000/", "t")
    assert client.url == "http://hub.test:8000/services/data-api/" and client.token == "t"
    assert DataApiClient("http://hub.test/services/data-api", "t").url.endswith("/data-api/")


def test_a_refused_token_says_how_to_get_a_fresh_one():
    for status, code in ((401, "not-authenticated"), (403, "missing-scope"), (403, "forbidden")):
        error = CLIENT.error(answer(status, {"error": code, "reason": "x"}))
        assert isinstance(error, NotAuthenticated) and "`commons token USER`" in str(error), (status, code)


def test_a_server_error_keeps_the_data_apis_error_id_and_a_silent_one_is_unavailable():
    error = CLIENT.error(answer(500, {"error": "internal-error", "reason": "It is logged under error id abc123."}))
    assert type(error) is CommonsError and "abc123" in str(error)
    assert isinstance(CLIENT.error(answer(500, {})), DataApiUnavailable)


def test_records_takes_a_list_bare_or_wrapped_and_refuses_anything_else(monkeypatch):
    answers = iter([[{"name": "a"}], {"datasets": [{"name": "b"}]}, {"datasets": "not a list"}, [1, 2]])
    monkeypatch.setattr(CLIENT, "get_json", lambda path, **params: next(answers))
    assert CLIENT.records("api/datasets", "datasets") == [{"name": "a"}]
    assert CLIENT.records("api/datasets", "datasets") == [{"name": "b"}]
    for _ in range(2):
        with pytest.raises(DataApiUnavailable, match="api/datasets did not return a list of records"):
            CLIENT.records("api/datasets", "datasets")


def test_answers_asks_the_health_check_without_the_token():
    session = HealthSession(200)
    client = DataApiClient("http://hub.test/services/data-api/", "secret", http=session)
    assert client.answers() is True
    ((url, options),) = session.calls
    assert url == "http://hub.test/services/data-api/api/health" and "secret" not in repr(options)
    assert DataApiClient("http://x/", "t", http=HealthSession(503)).answers() is False
    assert DataApiClient("http://x/", "t", http=HealthSession(requests.ConnectionError("refused"))).answers() is False


class SentSession:
    """Test double for requests.Session: answers every request with ``status`` and keeps what was sent."""

    def __init__(self, status: int, body: dict):
        self.status, self.body, self.sent = status, body, []

    def request(self, method, url, **options):
        self.sent.append((method, url, options))
        return answer(self.status, self.body)


def test_send_goes_as_the_token_owner_within_the_timeout_and_leaves_the_status_to_the_caller():
    session = SentSession(413, {"error": "too-large", "reason": "over the limit"})
    client = DataApiClient("http://hub.test/services/data-api/", "secret", timeout=7, http=session)
    response = client.send("POST", "api/contributions", files={"file": ("a.csv", b"x")}, data={"tier": "open"})
    assert response.status_code == 413  # the caller decides what a 413 from here means
    ((method, url, options),) = session.sent
    assert (method, url) == ("POST", "http://hub.test/services/data-api/api/contributions")
    assert options["headers"] == {"Authorization": "token secret"} and options["timeout"] == 7
    assert options["data"] == {"tier": "open"} and "file" in options["files"]
    assert type(client.error(response)) is CommonsError and "over the limit" in str(client.error(response))


def test_post_json_raises_the_refusal_the_data_api_answered():
    session = SentSession(404, {"error": "dataset-not-found", "reason": "No dataset called 'x'.", "close": ["xy"]})
    client = DataApiClient("http://hub.test/services/data-api/", "t", http=session)
    with pytest.raises(DatasetNotFound) as info:
        client.post_json("api/datasets/x/withdraw", {"reason": "r"})
    assert info.value.close == ["xy"]
    assert session.sent[0][2]["json"] == {"reason": "r"}
