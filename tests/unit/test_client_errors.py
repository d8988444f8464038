"""The kernel client turns data-api answers into errors that teach, and never falls back to files."""

from __future__ import annotations

import json

import pytest
import requests

from commons_kernel.client import DataApiClient
from commons_kernel.exceptions import AccessDenied, DataApiUnavailable, DatasetNotFound, NotAuthenticated

pytestmark = pytest.mark.unit


def answer(status: int, body: dict) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    response.headers["Content-Type"] = "application/json"
    return response


CLIENT = DataApiClient("http://127.0.0.1:9/services/data-api/", "token")


def test_denied_carries_reason_and_how_to_get_access():
    error = CLIENT._error(
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
    error = CLIENT._error(
        answer(
            404, {"error": "dataset-not-found", "reason": "No dataset called 'imd2019'.", "close": ["imd2019_lsoa11"]}
        )
    )
    assert isinstance(error, DatasetNotFound) and error.close == ["imd2019_lsoa11"]
    assert "Did you mean 'imd2019_lsoa11'" in str(error)


def test_401_and_scope_403_are_authentication_problems():
    assert isinstance(CLIENT._error(answer(401, {"error": "not-authenticated", "reason": "x"})), NotAuthenticated)
    assert isinstance(CLIENT._error(answer(403, {"error": "missing-scope", "reason": "x"})), NotAuthenticated)


def test_a_proxy_error_means_the_service_is_down():
    assert isinstance(CLIENT._error(answer(503, {"error": "x", "reason": "down"})), DataApiUnavailable)


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
