"""The upload form reads the first metadata file sent with it, and none when none was sent."""

from __future__ import annotations

import pytest
from tornado import httputil

from commons_hub.services.data_api.routes.upload import _metadata_file

pytestmark = pytest.mark.unit


def _request(files: dict) -> httputil.HTTPServerRequest:
    start = httputil.RequestStartLine("POST", "/services/data-api/contribute", "HTTP/1.1")
    request = httputil.HTTPServerRequest(start_line=start, headers=httputil.HTTPHeaders({"Host": "127.0.0.1"}))
    request.files.update(files)
    return request


def test_the_first_metadata_file_is_read_and_none_without_one():
    first = httputil.HTTPFile(filename="a.yaml", body=b"title: A", content_type="text/yaml")
    second = httputil.HTTPFile(filename="b.yaml", body=b"title: B", content_type="text/yaml")
    assert _metadata_file(_request({"metadata_file": [first, second]})) is first
    assert _metadata_file(_request({"metadata_file": []})) is None
    assert _metadata_file(_request({"file": [second]})) is None
