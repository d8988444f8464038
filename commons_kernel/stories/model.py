"""story.yaml → ``Story``: title, summary, audience, the parameter and its places, schedule, datasets.

title: Your neighbourhood
summary: One or two plain sentences for the gallery.
audience: residents
module: neighbourhood            # Python file in the story folder with compute(), SECTIONS, thumbnail()
parameters:
  ward:                          # exactly one parameter: the place a page is about
    label: Your ward
    example: E05000886
    values: {dataset: lookup_ward22_lad22, code: ward22_code, name: ward22_name, group: lad22_name}
    extra: [{code: E47000004, name: Liverpool City Region}]    # optional fixed places
    exclude: [E06000006]         # optional: places the data does not cover
schedule: "30 5 * * *"           # cron (minute hour day month weekday), Europe/London
datasets: [imd2019_lsoa11, ...]   # inputs: a refresh is skipped while their versions are unchanged
periods: {crime: police_crime_2021_12}   # optional: the gallery's "Data:" line, what → the dataset whose
                                         # `period:` (catalog/) says when (periods.py)
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import yaml

from commons_kernel import config
from commons_kernel.exceptions import ValidationFailed

SLUG_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-")


def stories_dir() -> Path:
    """The folder of stories (setting ``stories_dir``, default the project's ``stories/``)."""
    return Path(config.setting("stories_dir")).resolve()


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    group: str = ""  # e.g. the borough of a ward, shown in the picker

    @property
    def label(self) -> str:
        return f"{self.name} ({self.group})" if self.group and self.group != self.name else self.name


@dataclass(frozen=True)
class Parameter:
    name: str
    label: str
    example: str
    dataset: str
    code_column: str
    name_column: str
    group_column: str = ""
    extra: tuple[Place, ...] = ()
    exclude: tuple[str, ...] = ()

    def places(self, read: Callable[[str], pd.DataFrame]) -> list[Place]:
        """Every value of the parameter, from its dataset (read through the data-api) plus the fixed extras."""
        frame = read(self.dataset)
        columns = [self.code_column, self.name_column] + ([self.group_column] if self.group_column else [])
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise ValidationFailed(
                f"story parameter {self.name!r}: dataset {self.dataset} has no column(s) "
                f"{missing}; it has {list(frame.columns)}. Fix `values:` in story.yaml."
            )
        rows = frame[columns].drop_duplicates(self.code_column).sort_values([*columns[2:], self.name_column])
        found = [Place(str(r[0]), str(r[1]), str(r[2]) if len(r) > 2 else "") for r in rows.itertuples(index=False)]
        return [place for place in [*found, *self.extra] if place.code not in self.exclude]


@dataclass(frozen=True)
class Story:
    slug: str
    folder: Path
    title: str
    summary: str
    audience: str
    module: str
    parameter: Parameter
    schedule: str
    datasets: tuple[str, ...]
    periods: tuple[tuple[str, str], ...] = ()  # (what, dataset) for the gallery's "Data:" line
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def notebook(self) -> Path:
        return self.folder / "story.ipynb"

    @property
    def module_file(self) -> Path:
        return self.folder / f"{self.module}.py"

    def code_sha(self) -> str:
        """A digest of the story's own files: a change to the notebook, module or yaml is a new input."""
        digest = hashlib.sha256()
        for path in sorted(self.folder.iterdir()):
            if path.is_file() and path.suffix in {".ipynb", ".py", ".yaml"}:
                digest.update(path.name.encode() + b"\0" + path.read_bytes())
        return digest.hexdigest()[:16]

    def to_public(self) -> dict:
        """What the gallery and the reader app may know about the story."""
        return {
            "slug": self.slug,
            "title": self.title,
            "summary": self.summary,
            "audience": self.audience,
            "parameter": self.parameter.name,
            "parameter_label": self.parameter.label,
            "example": self.parameter.example,
            "datasets": list(self.datasets),
            "schedule": self.schedule,
        }


def _require(raw: dict, key: str, where: Path):
    if not raw.get(key):
        raise ValidationFailed(
            f"{where}: `{key}:` is missing or empty. See the example at the top of commons_kernel/stories/model.py."
        )
    return raw[key]


def _parameter(raw: dict, where: Path) -> Parameter:
    params = _require(raw, "parameters", where)
    if not isinstance(params, dict) or len(params) != 1:
        raise ValidationFailed(
            f"{where}: `parameters:` must name exactly one parameter (the place a page is "
            f"about), e.g. `parameters: {{ward: {{values: ...}}}}`; found {params!r}."
        )
    ((name, spec),) = params.items()
    values = spec.get("values") or {}
    for key in ("dataset", "code", "name"):
        if not values.get(key):
            raise ValidationFailed(
                f"{where}: parameter {name!r} needs values.{key} (the dataset and columns its places come from)."
            )
    extra = tuple(Place(str(e["code"]), str(e["name"]), str(e.get("group", ""))) for e in spec.get("extra") or [])
    return Parameter(
        name=name,
        label=str(spec.get("label") or name),
        example=str(_require(spec, "example", where)),
        dataset=values["dataset"],
        code_column=values["code"],
        name_column=values["name"],
        group_column=values.get("group", ""),
        extra=extra,
        exclude=tuple(str(code) for code in spec.get("exclude") or ()),
    )


def _periods(raw: dict, datasets: tuple[str, ...], where: Path) -> tuple[tuple[str, str], ...]:
    periods = raw.get("periods") or {}
    if not isinstance(periods, dict):
        raise ValidationFailed(
            f"{where}: `periods:` maps what the gallery names to a dataset, e.g. "
            f"`periods: {{crime: police_crime_2021_12}}`; found {periods!r}."
        )
    unknown = [str(d) for d in periods.values() if d not in datasets]
    if unknown:
        raise ValidationFailed(
            f"{where}: `periods:` names {', '.join(unknown)}, not under `datasets:`; a period "
            f"comes from one of the story's own datasets."
        )
    return tuple((str(what), str(dataset)) for what, dataset in periods.items())


def load_story(folder: Path | str) -> Story:
    folder = Path(folder).resolve()
    where = folder / "story.yaml"
    if not where.is_file():
        raise ValidationFailed(f"{folder} has no story.yaml; a story folder holds story.yaml and story.ipynb.")
    try:
        raw = yaml.safe_load(where.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ValidationFailed(f"{where} is not valid YAML: {exc}") from None
    slug = folder.name
    if not set(slug) <= SLUG_CHARS:
        raise ValidationFailed(f"story folder {slug!r}: use lower-case letters, digits and hyphens only.")
    schedule = str(_require(raw, "schedule", where))
    if len(schedule.split()) != 5:
        raise ValidationFailed(
            f"{where}: schedule {schedule!r} is not a cron line of five fields "
            f"(minute hour day month weekday), e.g. '30 5 * * *'."
        )
    story = Story(
        slug=slug,
        folder=folder,
        title=str(_require(raw, "title", where)),
        summary=" ".join(str(_require(raw, "summary", where)).split()),
        audience=str(raw.get("audience") or "residents"),
        module=str(_require(raw, "module", where)),
        parameter=_parameter(raw, where),
        schedule=schedule,
        datasets=tuple(_require(raw, "datasets", where)),
        raw=raw,
    )
    story = replace(story, periods=_periods(raw, story.datasets, where))
    for needed in (story.notebook, story.module_file):
        if not needed.is_file():
            raise ValidationFailed(f"story {slug}: {needed.name} is missing from {folder}.")
    return story


def discover(folder: Path | str | None = None) -> list[Story]:
    """Every story under ``folder`` (default ``stories_dir()``): the sub-folders that hold a story.yaml."""
    root = Path(folder) if folder else stories_dir()
    return [load_story(path.parent) for path in sorted(root.glob("*/story.yaml"))]


def find_story(slug: str, folder: Path | str | None = None) -> Story:
    stories = {story.slug: story for story in discover(folder)}
    if slug not in stories:
        raise ValidationFailed(f"No story called {slug!r}; the stories are: {', '.join(stories) or 'none'}.")
    return stories[slug]
