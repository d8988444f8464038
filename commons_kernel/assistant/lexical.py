"""Keyword scoring of datasets: BM25 over weighted metadata fields, with light stemming.

Weighted fields say where a word matters most: a word in a dataset's name, title or tags is strong evidence; a
word in a column description is weak. Scores are squashed to 0..1 so they can be mixed with embedding scores.
"""

from __future__ import annotations

import math
import re
from collections import Counter

FIELD_WEIGHTS = {"name": 2.5, "title": 3.0, "tags": 2.5, "description": 1.0, "columns": 0.6, "publisher": 0.5}
STOPWORDS = set(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "could",
        "data",
        "dataset",
        "datasets",
        "do",
        "does",
        "for",
        "from",
        "get",
        "give",
        "has",
        "have",
        "how",
        "i",
        "in",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "show",
        "tell",
        "that",
        "the",
        "their",
        "there",
        "these",
        "this",
        "to",
        "us",
        "use",
        "using",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "any",
        "about",
        "find",
        "need",
        "want",
        "see",
        "look",
        "looking",
        "there's",
        "whats",
        "what's",
        "much",
        "many",
        # filler in residents' questions: says nothing about which data they mean
        "bad",
        "good",
        "hard",
        "easy",
        "busy",
        "round",
        "here",
        "near",
        "lot",
        "lots",
        "more",
        "less",
        "most",
        "least",
        "like",
        "really",
        "area",
        "areas",
        "part",
        "parts",
        "place",
        "places",
        "local",
        "around",
        "happen",
        "happening",
        "number",
        "know",
        "help",
        "please",
        "today",
        "now",
        "currently",
        "latest",
        "recent",
        "compared",
        "than",
        "same",
        "other",
        "such",
        "per",
        "some",
        "all",
        "each",
        "every",
        "between",
        "into",
        "out",
        "up",
        "over",
        "under",
        "very",
        "so",
        "if",
        "just",
        "there",
        "be",
        "been",
        "is",
        "are",
        "was",
        "were",
        "i'm",
        "im",
    ]
)
# Words about the catalogue itself rather than a topic: a question using them is still understood.
ASSISTANT_WORDS = set(
    [
        "access",
        "permission",
        "licence",
        "license",
        "column",
        "field",
        "variable",
        "unit",
        "tier",
        "restricted",
        "community",
        "open",
        "project",
        "propose",
        "code",
        "snippet",
        "load",
        "read",
        "download",
        "python",
        "pandas",
        "link",
        "join",
        "merge",
        "aggregate",
        "combine",
        "geography",
        "vintage",
        "period",
        "publisher",
        "source",
        "attribution",
        "cite",
        "citation",
        "story",
        "stories",
        "chart",
        "plot",
        "map",
        "choropleth",
        "analysis",
        "analyse",
        "table",
        "version",
        "updated",
        "update",
    ]
)
SATURATION = 12.0  # raw BM25 score at which the squashed score reaches ~0.63


def stem(word: str) -> str:
    """Crude English stemmer: enough to match crimes/crime, households/household, deprived/deprivation."""
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        word = word[:-1]
    for suffix in ("ation", "ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def words(text: str) -> list[str]:
    """Lowercased stemmed words; snake_case names split into their parts (lsoa11_code → lsoa11, lsoa, code)."""
    out = []
    for token in re.findall(r"[a-z0-9]+", text.lower().replace("_", " ")):
        if token in STOPWORDS:
            continue
        out.append(stem(token))
        letters = re.match(r"([a-z]+)\d+$", token)
        if letters and len(letters.group(1)) > 1:
            out.append(letters.group(1))  # "lsoa11" also counts as "lsoa"
    return out


def dataset_fields(meta: dict) -> dict[str, str]:
    columns = " ".join(f"{c.get('name', '')} {c.get('description') or ''}" for c in meta.get("columns") or [])
    return {
        "name": meta.get("name", ""),
        "title": meta.get("title", ""),
        "tags": " ".join(str(t) for t in meta.get("tags") or []),
        "description": meta.get("description", ""),
        "columns": columns,
        "publisher": meta.get("publisher", ""),
    }


class KeywordIndex:
    """BM25 (k1=1.2, b=0.75) per field, summed with the field weights."""

    def __init__(self, datasets: list[dict]):
        self.names = [d["name"] for d in datasets]
        self._fields = {d["name"]: {f: Counter(words(t)) for f, t in dataset_fields(d).items()} for d in datasets}
        self._lengths = {
            f: sum(sum(c[f].values()) for c in self._fields.values()) / max(len(datasets), 1) for f in FIELD_WEIGHTS
        }
        document_frequency: Counter = Counter()
        for fields in self._fields.values():
            document_frequency.update({w for counts in fields.values() for w in counts})
        n = len(datasets)
        self._idf = {w: math.log(1 + (n - df + 0.5) / (df + 0.5)) for w, df in document_frequency.items()}

    def vocabulary(self) -> set[str]:
        return set(self._idf)

    def raw_scores(self, query_terms: list[tuple[str, float]]) -> dict[str, float]:
        """BM25 for weighted query words [(word, weight)], already passed through ``words``."""
        scores = {}
        for name, fields in self._fields.items():
            total = 0.0
            for word, weight in query_terms:
                idf = self._idf.get(word)
                if idf is None:
                    continue
                for field, counts in fields.items():
                    tf = counts.get(word, 0)
                    if tf:
                        length = sum(counts.values()) / max(self._lengths[field], 1e-9)
                        total += weight * FIELD_WEIGHTS[field] * idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * length))
            scores[name] = total
        return scores

    def scores(self, question: str, expansions: list[str], expansion_weight: float = 0.6) -> dict[str, float]:
        """Squashed 0..1 scores for a question plus its synonym expansions (which count less than its own words)."""
        terms: dict[str, float] = {}
        for word in words(question):
            terms[word] = 1.0
        for phrase in expansions:
            for word in words(phrase):
                terms.setdefault(word, expansion_weight)
        raw = self.raw_scores(list(terms.items()))
        return {name: 1 - math.exp(-score / SATURATION) for name, score in raw.items()}
