"""Extension points found by entry point, the way papermill finds its engines.

Each extension point is a group of Python entry points. The commons' own tiers, output formats, readers and
disclosure rules are registered in this project's ``pyproject.toml`` exactly as another package would register
its own, so a built-in has no privilege a third party's lacks::

    [project.entry-points."lcr_data_commons.output_formats"]
    geojson = "my_package.formats:GEOJSON"

``load(group)`` imports every entry point of a group once and returns ``{name: object}``, sorted by name. A broken
plugin is an error that names it and its group, never a silent gap: a commons that quietly lost a tier or a
disclosure rule would decide reads or releases differently from the one its members agreed.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points
from typing import Any

ACCESS_TIERS = "lcr_data_commons.access_tiers"
OUTPUT_FORMATS = "lcr_data_commons.output_formats"
READERS = "lcr_data_commons.readers"
DISCLOSURE_RULES = "lcr_data_commons.disclosure_rules"
GROUPS = (ACCESS_TIERS, OUTPUT_FORMATS, READERS, DISCLOSURE_RULES)


class PluginError(RuntimeError):
    """An entry point that cannot be loaded: its name, its group and the import error."""


@cache
def load(group: str) -> dict[str, Any]:
    """Every entry point of ``group``, loaded: ``{entry point name: the object it names}``."""
    if group not in GROUPS:
        raise ValueError(f"unknown extension point {group!r}: one of {', '.join(GROUPS)}")
    found: dict[str, Any] = {}
    for point in sorted(entry_points(group=group), key=lambda p: p.name):
        try:
            found[point.name] = point.load()
        except Exception as exc:  # any import-time failure of a plugin is reported with its name
            raise PluginError(
                f"the {group} entry point {point.name!r} ({point.value}) does not load: {exc}. "
                f"Fix or uninstall the package that declares it (pip show -f), then restart."
            ) from exc
    if not found:
        raise PluginError(
            f"no {group} entry points are installed: the commons package's own are missing. "
            f"Reinstall it with `.venv/bin/pip install --no-deps -e .` (make up does this)."
        )
    return found


def load_checked(group: str, kind: type, key: str, label: str, why: str) -> dict[str, Any]:
    """``load(group)``, where every object must be a ``kind`` whose ``key`` attribute is its entry point's name:
    otherwise a PluginError that says what the entry point names and how to fix it. ``label``: how the error names
    the object by its key ("the format", "the reader of"); ``why``: why the names must agree."""
    found = load(group)
    article = "an" if kind.__name__[0] in "AEIOU" else "a"
    for name, thing in found.items():
        if not isinstance(thing, kind):
            raise PluginError(
                f"the {group} entry point {name!r} names a {type(thing).__name__}, not {article} {kind.__name__}: "
                f"point it at {article} {kind.__name__}(...) from {kind.__module__}."
            )
        if getattr(thing, key) != name:
            raise PluginError(
                f"the {group} entry point {name!r} names {label} {getattr(thing, key)!r}: give the entry point and "
                f"{kind.__name__}.{key} the same name, since {why}."
            )
    return found
