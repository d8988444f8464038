"""Test doubles for the stories' refresher: inputs that answer without a data-api."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

TOY_STORIES = Path(__file__).resolve().parents[1] / "fixtures" / "stories"


class FakeInputs:
    """Dataset versions and place lists as a data-api would give them to the stories identity."""

    def __init__(self, places=("A1", "B2", "C3"), version: int = 1):
        self.places = list(places)
        self.versions = {"toy_counts": version}
        self.reads: list[str] = []

    def dataset_version(self, name: str) -> int:
        return self.versions[name]

    def read(self, name: str) -> pd.DataFrame:
        self.reads.append(name)
        return pd.DataFrame({"code": self.places, "name": [f"Place {code}" for code in self.places]})
