"""The upload form's fields and the metadata file: one set of metadata, never a silent override.

A contributor may give a metadata file (YAML or JSON, as in docs/analysts/contributing.md) and fill in the form.
The form is filled in from the file (by the page's script, or by the "Fill in the form from the file" button,
both through ``form_values``); when the posted form and the file still disagree on a field, ``merge`` refuses,
naming both values, instead of picking one. Tier and licence have no default: when neither the form nor the
file gives one, ``merge`` refuses and says what each choice means.
"""

from __future__ import annotations

import datetime as dt

import yaml

from commons_kernel import tiers
from commons_kernel.exceptions import ValidationFailed
from commons_kernel.standard.rules import load_standard
from commons_kernel.standard.validator import new_report

FORM_FIELDS = (
    "name",
    "title",
    "description",
    "publisher",
    "contact",
    "licence",
    "licence_url",
    "attribution",
    "update_frequency",
    "methodology",
    "period",
    "tier",
    "disclosure_control",
)
GEOGRAPHY_FIELDS = ("level", "vintage", "code_column")


def tier_choices() -> list[tuple[str, str]]:
    """The form's Tier choices, in rank order: (name, who may read it) for every installed tier
    (commons_kernel/tiers/)."""
    return [(tier.name, tier.meaning) for tier in tiers.all()]


def parse_metadata(text: str, source: str) -> dict:
    """The metadata file's mapping; ValidationFailed naming the line and column of a YAML error."""
    try:
        value = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ValidationFailed(
            f"{source}{where}: not valid YAML or JSON ({getattr(exc, 'problem', exc)}). Nothing was stored."
        ) from None
    if not isinstance(value, dict):
        raise ValidationFailed(f"{source}: the metadata must be a mapping of `field: value`. Nothing was stored.")
    return value


def read_metadata_file(upload: dict | None) -> tuple[dict, str]:
    """(metadata, file name) of an uploaded metadata file (tornado's ``{"filename", "body"}``); ({}, "") if none."""
    if not upload or not upload["body"].strip():
        return {}, ""
    source = upload.get("filename") or "metadata file"
    try:
        text = upload["body"].decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationFailed(f"{source} is not UTF-8: save it as UTF-8. Nothing was stored.") from None
    return parse_metadata(text, source), source


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value).strip()


def _tags(value) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(tag) for tag in value if _text(tag))
    return _text(value)


def form_values(metadata: dict) -> dict:
    """What the form's fields show for a metadata file: text fields, ``tags`` and ``geography_*``."""
    values = {field: _text(metadata.get(field)) for field in FORM_FIELDS}
    values["tags"] = _tags(metadata.get("tags"))
    stated = metadata.get("geography")
    geography: dict = stated if isinstance(stated, dict) else {}
    values.update({f"geography_{field}": _text(geography.get(field)) for field in GEOGRAPHY_FIELDS})
    return {key: value for key, value in values.items() if value}


def _same(a: str, b: str, field: str) -> bool:
    if field == "tags":
        return [t.strip() for t in a.split(",") if t.strip()] == [t.strip() for t in b.split(",") if t.strip()]
    return " ".join(a.split()) == " ".join(b.split())  # a browser sends a textarea's lines with CRLF


def _shown(value: str) -> str:
    value = " ".join(value.split())
    return f"`{value[:60]}…`" if len(value) > 60 else f"`{value}`"


def merge(file_metadata: dict, source: str, posted: dict) -> dict:
    """The upload's metadata: the file's, with every field the form adds. Refuses (ValidationFailed with a report)
    a field on which the form and the file disagree, and a missing tier or licence."""
    standard = load_standard()
    filled = form_values(file_metadata)
    report = new_report(source or "the form", tiers.DEFAULT, standard)
    for field, value in posted.items():
        if value and field in filled and not _same(filled[field], value, field):
            label = field.replace("geography_", "geography ").replace("_", " ")
            report.error(
                "metadata",
                "form-file-mismatch",
                f"the metadata file {source} says {label} {_shown(filled[field])} but the form says {_shown(value)}",
                "make them the same: change the form (it was filled in from the file) or the file, then upload again",
                file=source,
                column=field,
            )
    metadata = dict(file_metadata)
    for field in FORM_FIELDS:
        if posted.get(field):
            metadata[field] = posted[field]
    if posted.get("tags"):
        metadata["tags"] = [t.strip() for t in posted["tags"].split(",") if t.strip()]
    geography = {f: posted.get(f"geography_{f}", "") for f in GEOGRAPHY_FIELDS}
    if any(geography.values()):
        metadata["geography"] = {**(metadata.get("geography") or {}), **{k: v for k, v in geography.items() if v}}
    if not _text(metadata.get("tier")):
        choices = "; ".join(f"{tier}: {meaning}" for tier, meaning in tier_choices())
        report.error(
            "metadata",
            "tier-missing",
            "no tier was chosen (the commons never picks one for you)",
            f"choose one under Tier ({choices}), or write `tier:` in the metadata file",
            file="the form",
            column="tier",
        )
    if not _text(metadata.get("licence")):
        report.error(
            "metadata",
            "licence-missing",
            "no licence was chosen (the commons never picks one for you)",
            "choose the licence the publisher gives the data under Licence (the open and community tiers "
            f"need an open one: {', '.join(standard.licences)}), or write `licence:` in the metadata file",
            file="the form",
            column="licence",
        )
    if report.errors:
        report.finish()
        first = report.errors[0]
        more = f" (and {len(report.errors) - 1} more)" if len(report.errors) > 1 else ""
        raise ValidationFailed(f"{first.message}{more}. Fix: {first.fix}. Nothing was stored.", report=report)
    return metadata
