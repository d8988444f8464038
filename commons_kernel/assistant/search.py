"""Hybrid search: keyword (BM25 with synonyms) plus embedding similarity, plus exact names and places.

Keyword matching is precise on catalogue words ("IMD decile", "TS004"); embeddings catch paraphrase ("born
abroad", "is my street safe"). Each is squashed to 0..1 and mixed; a dataset named outright in the question goes to
the top. The combined score doubles as the confidence: below ``NO_ANSWER_BELOW`` the catalogue cannot answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from commons_kernel.assistant.index import EmbeddingIndex, Encoder
from commons_kernel.assistant.lexical import ASSISTANT_WORDS, KeywordIndex, words
from commons_kernel.assistant.places import Place, place_like_phrases
from commons_kernel.assistant.synonyms import expand, trigger_phrases

KEYWORD_SHARE = 0.5
SEMANTIC_FLOOR, SEMANTIC_CEILING = 0.15, 0.65  # cosine below the floor means unrelated; above the ceiling, sure
NO_ANSWER_BELOW = 0.3
NAMED_BOOST = 1.0
LEVEL_TERMS = {"ward": "ward", "lad": "local authority", "lsoa": "lsoa", "msoa": "msoa", "cauth": "combined authority"}


@dataclass
class Hit:
    name: str
    score: float
    keyword: float
    semantic: float
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "score": round(self.score, 3),
            "keyword": round(self.keyword, 3),
            "semantic": round(self.semantic, 3),
            "reasons": list(self.reasons),
        }


@dataclass
class SearchResult:
    """Ranked hits plus how far the catalogue understood the question.

    ``coverage`` is the share of the question's content words the catalogue (or the synonym table) knows;
    ``confidence`` is the best score scaled by it, so "food hygiene ratings" does not ride on the word "food".
    """

    hits: list[Hit]
    expansions: list[str]
    unknown_words: list[str]
    coverage: float

    @property
    def confidence(self) -> float:
        if not self.hits:
            return 0.0
        top = self.hits[0]
        return top.score if "named in the question" in top.reasons else top.score * self.coverage

    @property
    def answerable(self) -> bool:
        return self.confidence >= NO_ANSWER_BELOW


class HybridSearch:
    """Ranks datasets for a question. ``index``/``encoder`` None gives keyword-only search (the baseline)."""

    def __init__(self, datasets: list[dict], index: EmbeddingIndex | None = None, encoder: Encoder | None = None):
        self.datasets = {d["name"]: d for d in datasets}
        self.keywords = KeywordIndex(datasets)
        self.index = index
        self.encoder = encoder

    def search(self, question: str, places: Sequence[Place] = (), limit: int = 5) -> SearchResult:
        expansions = expand(question)
        expansions += [LEVEL_TERMS[p.level] for p in places if p.level in LEVEL_TERMS]
        # Place names are not topics: "Everton" must not pull datasets that happen to mention it.
        topical = _without_places(question, places)
        keyword = self.keywords.scores(topical, expansions)
        semantic = self._semantic(topical, expansions)
        named = _named(question, self.datasets)
        hits = []
        for name in self.datasets:
            k, s = keyword.get(name, 0.0), semantic.get(name, 0.0)
            score = KEYWORD_SHARE * k + (1 - KEYWORD_SHARE) * s if semantic else k
            reasons = []
            if name in named:
                score += NAMED_BOOST
                reasons.append("named in the question")
            if expansions:
                reasons.append("words: " + ", ".join(expansions[:6]))
            hits.append(Hit(name, score, k, s, reasons))
        hits.sort(key=lambda h: (-h.score, h.name))
        unknown, coverage = self._coverage(topical, places)
        return SearchResult(hits[:limit], expansions, unknown, coverage)

    def _coverage(self, topical: str, places: Sequence[Place]) -> tuple[list[str], float]:
        known = (
            self.keywords.vocabulary()
            | set(words(" ".join(trigger_phrases(topical))))
            | set(words(" ".join(ASSISTANT_WORDS)))
        )
        # "Bootle" in "poverty in Bootle" is a place we cannot name, not a topic the catalogue lacks
        placeish = set(words(" ".join(place_like_phrases(topical))))
        content = [w for w in dict.fromkeys(words(topical)) if not w.isdigit() and w not in placeish]
        unknown = [w for w in content if w not in known]
        if not content:
            return [], 1.0 if places else 0.0  # a bare code or place name: answer about the place
        return unknown, 1 - len(unknown) / len(content)

    def _semantic(self, question: str, expansions: list[str]) -> dict[str, float]:
        if self.index is None or self.encoder is None or not question.strip():
            return {}
        text = question if not expansions else f"{question} ({', '.join(expansions)})"
        vector = np.asarray(self.encoder([text]), dtype=np.float32)[0]
        cosine = self.index.scores(vector)
        span = SEMANTIC_CEILING - SEMANTIC_FLOOR
        return {name: float(np.clip((c - SEMANTIC_FLOOR) / span, 0.0, 1.0)) for name, c in cosine.items()}


def _named(question: str, datasets: dict) -> set[str]:
    lowered = question.lower()
    return {name for name in datasets if re.search(rf"\b{re.escape(name.lower())}\b", lowered)}


def _without_places(question: str, places: Sequence[Place]) -> str:
    text = question
    for place in places:
        for token in filter(None, (place.name, place.code)):
            text = re.sub(re.escape(token), " ", text, flags=re.IGNORECASE)
    return text
