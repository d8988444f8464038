"""What a refresh asks the data-api, as the stories identity: dataset versions and the datasets places come from."""

from __future__ import annotations

import pandas as pd

from commons_kernel import config
from commons_kernel.client import DataApiClient
from commons_kernel.frames import table_to_frame


class DataApiInputs:
    """Inputs of a refresh through the data-api with the stories token (every call is authorised and audited)."""

    def __init__(self, token: str, hub_url: str | None = None):
        self.token = token
        self.hub_url = (hub_url or config.hub_url()).rstrip("/")
        self.client = DataApiClient.for_hub(self.hub_url, token)

    def dataset_version(self, name: str) -> int:
        return int(self.client.get_json(f"api/datasets/{name}")["version"])

    def read(self, name: str) -> pd.DataFrame:
        table, _ = self.client.read_table(name, purpose="place names for the story apps")
        return table_to_frame(table)


def input_versions(story, inputs) -> dict:
    """{dataset: version} for every dataset the story names, plus the digest of the story's own files."""
    versions = {name: inputs.dataset_version(name) for name in story.datasets}
    versions["story"] = story.code_sha()
    return versions
