"""Which time each number covers, from the datasets' own metadata (``period:`` in catalog/datasets/<name>.yaml).

A story's data carries its sources (kit.sources_of: title, licence, attribution and period of each dataset), so a
headline says "Recorded in December 2021" with ``period(data, "police_crime_2021_12")``, and the gallery's line
"Data: crime December 2021 · Updated 2026-12-01" names the datasets story.yaml lists under ``periods:``. No period
is typed into a page: a new version of a dataset with a new period changes the words with it.
"""

from __future__ import annotations

from commons_kernel.exceptions import ValidationFailed


def _sources(data_or_sources) -> list[dict]:
    if isinstance(data_or_sources, dict):
        return list(data_or_sources.get("sources") or [])
    return list(data_or_sources or [])


def period(data_or_sources, dataset: str) -> str:
    """The period ``dataset`` covers, as its metadata says it ("December 2021", "Census day, 21 March 2021")."""
    sources = _sources(data_or_sources)
    for source in sources:
        if source.get("name") == dataset:
            value = " ".join(str(source.get("period") or "").split())
            if not value:
                raise ValidationFailed(
                    f"dataset {dataset} has no `period:` in its metadata; add the time its data "
                    f"covers to catalog/datasets/{dataset}.yaml, e.g. `period: December 2021`."
                )
            return value
    names = ", ".join(str(s.get("name")) for s in sources) or "none"
    raise ValidationFailed(
        f"dataset {dataset} is not one of this story's sources ({names}); list it under `datasets:` in its story.yaml."
    )


def story_periods(wanted: dict[str, str], sources: list[dict]) -> list[dict]:
    """``[{"what": "crime", "dataset": ..., "period": "December 2021"}]`` for story.yaml's ``periods:``."""
    return [{"what": what, "dataset": dataset, "period": period(sources, dataset)} for what, dataset in wanted.items()]


def data_line(periods: list[dict]) -> str:
    """ "crime, December 2021; residents, mid-2019" (one dataset: just its period)."""
    if len(periods) == 1:
        return periods[0]["period"]
    return "; ".join(f"{p['what']}, {p['period']}" if p["what"] else p["period"] for p in periods)


def gallery_line(periods: list[dict], updated: str) -> str:
    """ "Data: December 2021 · Updated 2026-12-01" (or just "Updated ..." when the story names no periods)."""
    parts = [f"Data: {data_line(periods)}"] if periods else []
    if updated:
        parts.append(f"Updated {updated}")
    return " · ".join(parts)
