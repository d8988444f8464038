"""The langchain tools the agent uses: search, describe, access, code and stories over catalogue metadata.

Tools see metadata only (a ``Knowledge``), so no prompt can make them return rows. Each call is noted in a
``ToolLog`` so the answer can cite the datasets the model looked at. A mistake (unknown dataset name) comes back
to the model as text it can act on, not as an exception that ends the conversation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from langchain.tools import tool

from commons_kernel.assistant.knowledge import Knowledge
from commons_kernel.exceptions import CommonsError

SEARCH_LIMIT = 5


@dataclass
class ToolLog:
    calls: list[tuple[str, dict]] = field(default_factory=list)
    datasets: list[str] = field(default_factory=list)  # named in describe/access/code/stories, in call order
    searched: list[tuple[str, float]] = field(default_factory=list)  # search hits, in rank order
    snippets: list[str] = field(default_factory=list)

    def note(self, tool_name: str, args: dict, dataset: str | None = None) -> None:
        self.calls.append((tool_name, args))
        if dataset and dataset not in self.datasets:
            self.datasets.append(dataset)


def make_tools(knowledge: Knowledge, user: str | None = None, log: ToolLog | None = None) -> list:
    log = log if log is not None else ToolLog()

    def guarded(run):
        try:
            return run()
        except CommonsError as exc:
            return f"Error: {exc}"

    @tool
    def search_datasets(query: str) -> str:
        """Search the commons' catalogue for datasets about a topic or place. Returns the best matches with name,
        title, tier, licence and a score from 0 to 1. Use the dataset names it returns with the other tools."""
        log.note("search_datasets", {"query": query})
        result = knowledge.search(query, limit=SEARCH_LIMIT)
        lines = []
        for hit in result.hits:
            meta = knowledge.get(hit.name)
            log.searched.append((hit.name, hit.score))
            lines.append(
                f"- {hit.name} (score {hit.score:.2f}): {meta.get('title', '')}; tier {meta.get('tier')}; "
                f"licence {meta.get('licence')}"
            )
        places = [p.describe() for p in knowledge.places(query)]
        if places:
            lines.append("Places: " + "; ".join(places))
        if not result.answerable:
            lines.insert(
                0,
                "Weak matches only: the catalogue probably has no data on this"
                + (f" (unknown words: {', '.join(result.unknown_words)})" if result.unknown_words else "")
                + ".",
            )
        return "\n".join(lines) or "No datasets found."

    @tool
    def describe_dataset(name: str) -> str:
        """Describe one dataset: title, description, tier, licence, publisher, attribution, geography, period and
        every column with its unit."""
        log.note("describe_dataset", {"name": name}, name if name in knowledge.datasets else None)
        return guarded(lambda: knowledge.describe(name))

    @tool
    def how_to_get_access(name: str) -> str:
        """Who may read a dataset (its tier), which projects cover it and how to propose one. Use this for any
        community or restricted dataset; never offer its rows."""
        log.note("how_to_get_access", {"name": name}, name if name in knowledge.datasets else None)
        return guarded(lambda: knowledge.access(name, user))

    @tool
    def code_snippet(name: str, place: str = "", link_with: str = "") -> str:
        """Working Python (commons_kernel) that loads a dataset. ``place``: a ward or borough name or GSS code to
        keep only its rows. ``link_with``: another dataset name to link it to by area."""
        log.note(
            "code_snippet",
            {"name": name, "place": place, "link_with": link_with},
            name if name in knowledge.datasets else None,
        )

        def run():
            code = knowledge.link(name, link_with) if link_with else knowledge.snippet(name, place)
            log.snippets.append(code)
            return code

        return guarded(run)

    @tool
    def stories_using(name: str) -> str:
        """Which published stories (stories/<slug>) use a dataset."""
        log.note("stories_using", {"name": name}, name if name in knowledge.datasets else None)
        return guarded(lambda: knowledge.stories_for(name))

    return [search_datasets, describe_dataset, how_to_get_access, code_snippet, stories_using]
