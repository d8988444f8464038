"""The answer the assistant gives, and how it is written when no language model is configured.

The no-model answer is built from the catalogue alone: the datasets that match (cited in rank order with title,
licence and tier), what the places in the question are, how to get access when a dataset is not open, and working
code for the best match. When nothing matches well enough it says so plainly.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from commons_kernel import tiers
from commons_kernel.assistant.knowledge import Knowledge
from commons_kernel.assistant.search import SearchResult

CITE_AT_MOST = 3
CITE_SHARE_OF_TOP = 0.6  # cite a runner-up only when it scores at least this share of the best
ACCESS_WORDS = re.compile(
    r"\b(access|permission|allowed|may i|can i (use|get|see|read)|restricted|request|apply)\b", re.IGNORECASE
)
DESCRIBE_WORDS = re.compile(
    r"\b(columns?|fields?|variables?|describe|what(?:'s| is) in|licen[cs]e|units?|"
    r"attribution|period|publisher|tier)\b",
    re.IGNORECASE,
)
STORY_WORDS = re.compile(r"\bstor(y|ies)\b", re.IGNORECASE)
LINK_WORDS = re.compile(r"\b(link|linking|join|combine|merge)\b", re.IGNORECASE)
BROWSE_SNIPPET = "import commons_kernel as ck\n\nck.catalog()\n"


@dataclass
class Answer:
    text: str
    datasets: list[dict] = field(default_factory=list)  # [{name, title, licence, tier, score}] best first
    snippet: str = ""
    used_model: bool = False
    answered: bool = True  # False: the catalogue has nothing on this (or the question was empty)

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def dataset_names(self) -> list[str]:
        return [d["name"] for d in self.datasets]

    def as_markdown(self) -> str:
        return self.text + (f"\n\n```python\n{self.snippet}```\n" if self.snippet else "")

    def __str__(self) -> str:
        return self.text + (f"\n\n{self.snippet}" if self.snippet else "")


def cited_hits(result: SearchResult):
    if not result.hits:
        return []
    top = result.hits[0].score
    return [h for h in result.hits[:CITE_AT_MOST] if h.score >= CITE_SHARE_OF_TOP * top]


def catalogue_answer(knowledge: Knowledge, question: str, user: str | None = None) -> Answer:
    """Answer from the catalogue alone (no language model)."""
    question = question.strip()
    if not question:
        return Answer(
            "Ask about data in the commons, for example “How deprived is Everton?” or “crime in St Helens”.",
            snippet=BROWSE_SNIPPET,
            answered=False,
        )
    result = knowledge.search(question, limit=CITE_AT_MOST + 2)
    places = knowledge.places(question)
    unknown_places = knowledge.unknown_places(question, places)
    if not result.answerable:
        return _no_answer(knowledge, question, result, places)

    hits = cited_hits(result)
    lines = ["From the catalogue, best match first:"]
    for number, hit in enumerate(hits, 1):
        meta = knowledge.get(hit.name)
        geography = (meta.get("geography") or {}).get("vintage") or (meta.get("geography") or {}).get("level", "")
        synthetic = " SYNTHETIC (test data)." if meta.get("synthetic") else ""
        lines.append(
            f"{number}. {hit.name}: {meta.get('title', '')}. Tier {meta.get('tier', '')}, licence "
            f"{meta.get('licence', '')}; {geography}; {meta.get('period') or 'period not stated'}.{synthetic}"
        )
    lines += [""] + [place.describe() + "." for place in places[:3]]
    for phrase in unknown_places:
        lines.append(
            f"I don't know “{phrase}” as a ward or borough name; the data covers the six boroughs by "
            "LSOA, ward and local authority, so try the ward or borough it is in."
        )
    best = hits[0].name
    if DESCRIBE_WORDS.search(question):
        lines += ["", knowledge.describe(best)]
    for hit in hits:
        tier = tiers.find(knowledge.get(hit.name).get("tier"))
        if tier is None or not tier.open_to_all or (hit.name == best and ACCESS_WORDS.search(question)):
            lines += ["", "Access: " + knowledge.access(hit.name, user)]
    if STORY_WORDS.search(question):
        lines += ["", knowledge.stories_for(best)]
    snippet = knowledge.snippet(best, question)
    if LINK_WORDS.search(question) and len(hits) > 1:
        snippet = knowledge.link(best, hits[1].name)
    narrowed = bool(places) and ("==" in snippet or ".isin(" in snippet)
    lines += ["", f"The code below loads {best}" + (" and keeps the place you asked about." if narrowed else ".")]
    text = "\n".join(_squeeze(lines))
    cited = [knowledge.citation(h.name, h.score) for h in hits]
    return Answer(text, cited, snippet, used_model=False)


def _no_answer(knowledge: Knowledge, question: str, result: SearchResult, places) -> Answer:
    lines = ["The catalogue does not seem to hold data that answers this."]
    if result.unknown_words:
        lines.append("Nothing in it matches: " + ", ".join(result.unknown_words) + ".")
    if result.hits and result.hits[0].score > 0:
        closest = knowledge.get(result.hits[0].name)
        lines.append(
            f"The closest dataset, probably not what you need, is {closest['name']} ({closest.get('title', '')})."
        )
    lines += [place.describe() + "." for place in places[:3]]
    lines.append("Browse every dataset with `ck.catalog()`, try other words, or ask the stewards to add a dataset.")
    return Answer(" ".join(lines), [], BROWSE_SNIPPET, used_model=False, answered=False)


def _squeeze(lines: list[str]) -> list[str]:
    """Drop blank lines at the ends and doubled blank lines."""
    out: list[str] = []
    for line in lines:
        if line == "" and (not out or out[-1] == ""):
            continue
        out.append(line)
    while out and out[-1] == "":
        out.pop()
    return out
