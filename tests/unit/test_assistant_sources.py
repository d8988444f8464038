"""Metadata sources: the catalogue files and the data-api (over HTTP, with a stand-in session)."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from commons_kernel.assistant.sources import (
    CatalogMetadataSource,
    DataApiMetadataSource,
    MetadataSource,
    default_source,
)
from commons_kernel.client import DataApiClient
from commons_kernel.exceptions import DataApiUnavailable, DatasetNotFound, NotAuthenticated

pytestmark = pytest.mark.unit

FIXTURE_CATALOG = Path(__file__).resolve().parents[1] / "fixtures" / "assistant_catalog"


class StubResponse:
    def __init__(self, status_code: int, payload):
        self.status_code, self._payload = status_code, payload
        self.text, self.url = str(payload), None

    def json(self):
        return self._payload


class RecordingSession:
    """Test double for requests.Session: canned responses by path, and every request kept."""

    def __init__(self, responses: dict):
        self.responses, self.requests = responses, []

    def request(self, method, url, headers=None, timeout=None, **_options):
        assert method == "GET"
        self.requests.append((url, headers, timeout))
        answer = self.responses[url.rsplit("/api/", 1)[-1]]
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_catalog_source_reads_the_metadata_files():
    source = CatalogMetadataSource(FIXTURE_CATALOG, projects=[{"slug": "p"}])
    assert isinstance(source, MetadataSource)
    datasets = {d["name"]: d for d in source.datasets()}
    assert len(datasets) == 23 and datasets["synthetic_referrals"]["tier"] == "restricted"
    assert source.projects() == [{"slug": "p"}]


def test_data_api_source_sends_the_token_to_the_documented_paths():
    session = RecordingSession(
        {
            "datasets": StubResponse(200, [{"name": "imd2019_lsoa11"}]),
            "projects": StubResponse(200, {"projects": [{"slug": "early-help-demand"}]}),
        }
    )
    source = DataApiMetadataSource("http://hub.test/services/data-api", token="secret", session=session, timeout=5)
    assert source.datasets() == [{"name": "imd2019_lsoa11"}]
    assert source.projects() == [{"slug": "early-help-demand"}]
    assert session.requests == [
        ("http://hub.test/services/data-api/api/datasets", {"Authorization": "token secret"}, 5),
        ("http://hub.test/services/data-api/api/projects", {"Authorization": "token secret"}, 5),
    ]


def test_data_api_source_takes_the_hub_token_first(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "from-hub")
    monkeypatch.setenv("COMMONS_API_TOKEN", "from-script")
    monkeypatch.setenv("COMMONS_DATA_API_URL", "http://api.test/")
    source = DataApiMetadataSource(session=RecordingSession({}))
    assert (source.token, source.url) == ("from-hub", "http://api.test/")
    assert isinstance(default_source(), DataApiMetadataSource)


def test_without_a_token_the_catalogue_files_are_used(monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_API_TOKEN", raising=False)
    monkeypatch.delenv("COMMONS_API_TOKEN", raising=False)
    assert isinstance(default_source(), CatalogMetadataSource)
    with pytest.raises(NotAuthenticated, match="set COMMONS_API_TOKEN"):
        DataApiMetadataSource("http://api.test/", session=RecordingSession({})).datasets()


def test_a_refused_token_says_how_to_get_a_new_one():
    session = RecordingSession({"datasets": StubResponse(403, {"error": "forbidden"})})
    with pytest.raises(NotAuthenticated, match="commons token USER"):
        DataApiMetadataSource("http://api.test/", token="old", session=session).datasets()


def test_an_unreachable_data_api_is_reported_with_its_url():
    session = RecordingSession({"datasets": requests.ConnectionError("connection refused")})
    with pytest.raises(DataApiUnavailable, match="http://api.test/ did not answer"):
        DataApiMetadataSource("http://api.test/", token="t", session=session).datasets()


@pytest.mark.parametrize("response", [StubResponse(500, {}), StubResponse(200, {"datasets": "not a list"})])
def test_a_bad_answer_is_reported(response):
    session = RecordingSession({"datasets": response})
    with pytest.raises(DataApiUnavailable):
        DataApiMetadataSource("http://api.test/", token="t", session=session).datasets()


def test_the_data_api_source_asks_through_the_one_client_and_its_error_table():
    session = RecordingSession(
        {"projects": StubResponse(404, {"error": "dataset-not-found", "reason": "No dataset called 'x'.", "close": []})}
    )
    source = DataApiMetadataSource("http://api.test/", token="t", session=session, timeout=5)
    assert isinstance(source.client, DataApiClient) and source.client.http is session
    with pytest.raises(DatasetNotFound):  # the data-api's code, turned back by for_code as everywhere else
        source.projects()


def test_a_source_answer_that_is_not_records_is_refused_with_the_path():
    session = RecordingSession({"projects": StubResponse(200, [{"slug": "a"}, "b"])})
    with pytest.raises(DataApiUnavailable, match="api/projects did not return a list of records"):
        DataApiMetadataSource("http://api.test/", token="t", session=session).projects()
