"""The embedding index: passages per dataset, cache in the state directory keyed by the metadata's hash."""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import numpy as np
import pytest

from commons_kernel.assistant import index as embedding
from commons_kernel.catalog import load_metadata

pytestmark = pytest.mark.unit

FIXTURE_CATALOG = Path(__file__).resolve().parents[1] / "fixtures" / "assistant_catalog"


class CountingEncoder:
    """Test double for the sentence model: deterministic unit vectors from a hash, and a count of texts encoded."""

    def __init__(self):
        self.texts = 0

    def __call__(self, texts):
        self.texts += len(texts)
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")
            vector = np.random.default_rng(seed).normal(size=384).astype(np.float32)
            rows.append(vector / np.linalg.norm(vector))
        return np.array(rows)


@pytest.fixture
def datasets() -> list[dict]:
    return [meta.to_dict() for meta in load_metadata(FIXTURE_CATALOG).values()]


def test_one_overview_and_one_passage_per_described_column(datasets):
    imd = next(d for d in datasets if d["name"] == "imd2019_lsoa11")
    texts = embedding.passages(imd)
    assert texts[0].startswith("Index of Multiple Deprivation 2019") and "Geography: LSOA 2011" in texts[0]
    assert len(texts) == 1 + sum(1 for c in imd["columns"] if c.get("description"))


def test_the_cache_is_reused_while_the_catalogue_is_unchanged(datasets, tmp_path):
    encoder = CountingEncoder()
    path = tmp_path / "assistant" / "index.npz"
    first = embedding.load_or_build(datasets, path, encoder)
    built = encoder.texts
    assert path.is_file() and built > len(datasets)
    second = embedding.load_or_build(datasets, path, encoder)
    assert encoder.texts == built  # nothing re-encoded
    assert second.key == first.key and np.array_equal(second.vectors, first.vectors)


def test_a_changed_catalogue_rebuilds_the_index(datasets, tmp_path):
    encoder = CountingEncoder()
    path = tmp_path / "index.npz"
    before = embedding.load_or_build(datasets, path, encoder)
    changed = copy.deepcopy(datasets)
    changed[0]["description"] += " Now with more columns."
    after = embedding.load_or_build(changed, path, encoder)
    assert after.key != before.key
    assert embedding.EmbeddingIndex.load(path).key == after.key


def test_a_damaged_cache_is_rebuilt_not_trusted(datasets, tmp_path):
    path = tmp_path / "index.npz"
    path.write_bytes(b"not a numpy file")
    rebuilt = embedding.load_or_build(datasets, path, CountingEncoder())
    assert rebuilt.key == embedding.metadata_key(datasets)


def test_the_key_ignores_dataset_order(datasets):
    assert embedding.metadata_key(datasets) == embedding.metadata_key(list(reversed(datasets)))


def test_default_cache_lives_in_the_state_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("COMMONS_HOME", str(tmp_path))
    assert embedding.default_cache_path() == tmp_path.resolve() / "assistant" / "index.npz"


def test_scores_mix_overview_and_best_column(datasets):
    index = embedding.build_index(datasets[:2], CountingEncoder())
    own_overview = index.vectors[0]  # the first dataset's overview passage
    scores = index.scores(own_overview)
    assert scores[datasets[0]["name"]] > scores[datasets[1]["name"]]
    assert scores[datasets[0]["name"]] >= embedding.OVERVIEW_SHARE - 1e-6


@pytest.mark.slow
def test_the_real_model_gives_unit_384d_vectors_and_loads_once():
    vectors = embedding.encode(["deprivation by neighbourhood", "poverty in Everton"])
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert float(vectors[0] @ vectors[1]) > 0.3  # related sentences are close
    assert embedding.embedding_model() is embedding.embedding_model()
