"""The refresher and the stories ask the data-api through the one client (commons_kernel.client.DataApiClient)."""

from __future__ import annotations

import pytest

from commons_hub.services.refresher import service
from commons_kernel.client import DataApiClient
from commons_kernel.stories.inputs import DataApiInputs

pytestmark = pytest.mark.unit


class CountedHealth:
    """Test double for DataApiClient.answers: False ``down`` times, then True."""

    def __init__(self, down: int):
        self.down, self.asked = down, 0

    def answers(self) -> bool:
        self.asked += 1
        return self.asked > self.down


def test_the_refresher_waits_until_the_data_api_answers(monkeypatch):
    monkeypatch.setattr(service.time, "sleep", lambda seconds: None)
    health = CountedHealth(down=2)
    assert service.wait_for_data_api(health, timeout=60) is True
    assert health.asked == 3


def test_the_refresher_gives_up_after_its_timeout(monkeypatch):
    monkeypatch.setattr(service.time, "sleep", lambda seconds: None)
    clock = iter(range(0, 1000, 100))
    monkeypatch.setattr(service.time, "monotonic", lambda: next(clock))
    assert service.wait_for_data_api(CountedHealth(down=10**6), timeout=300) is False


def test_the_stories_inputs_ask_the_hubs_data_api_with_the_stories_token():
    inputs = DataApiInputs("stories-token", "http://hub.test:8000/")
    assert isinstance(inputs.client, DataApiClient)
    assert inputs.client.url == "http://hub.test:8000/services/data-api/"
    assert inputs.client.token == "stories-token"
