"""Metadata rules: the required fields, an open licence, a known update frequency, a contact, a stated
methodology, geography with its vintage, and honesty about synthetic data."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from commons_kernel import tiers
from commons_kernel.exceptions import ValidationFailed
from commons_kernel.standard.dates import iso_kind
from commons_kernel.standard.report import QualityReport
from commons_kernel.standard.rules import Standard

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
URL = re.compile(r"https?://\S+")
NAME = re.compile(r"[a-z][a-z0-9_]{2,63}")


def load_metadata(source) -> tuple[dict, str, dict[str, int]]:
    """(metadata, what issues call it, line of each top-level field) from a dict, a YAML path or None."""
    if source is None:
        return {}, "metadata", {}
    if isinstance(source, dict):
        return dict(source), "metadata", {}
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except FileNotFoundError:
        raise ValidationFailed(
            f"The metadata file {path} does not exist. Write one from the example in docs/analysts/contributing.md."
        ) from None
    except UnicodeDecodeError as exc:
        raise ValidationFailed(f"{path}: byte {exc.start + 1} is not UTF-8. Save the metadata file as UTF-8.") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ValidationFailed(
            f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)}). Check the "
            "indentation and put quotes around values containing `: `."
        ) from None
    if not isinstance(data, dict):
        raise ValidationFailed(
            f"{path}: the metadata must be a YAML mapping of `field: value` lines, starting with "
            "`title:`. See docs/analysts/contributing.md."
        )
    lines = {key.value: key.start_mark.line + 1 for key, _ in node.value} if isinstance(node, yaml.MappingNode) else {}
    return data, path.name, lines


def _present(value) -> bool:
    return value is not None and (not isinstance(value, str) or value.strip() != "")


def check_metadata(
    meta: dict, tier: str, report: QualityReport, standard: Standard, file: str, lines: dict[str, int]
) -> None:
    def problem(severity: str, field: str, code: str, message: str, fix: str) -> None:
        (report.error if severity == "error" else report.warning)(
            "metadata", code, message, fix, file=file, line=lines.get(field)
        )

    def rule(passed: bool, severity: str, field: str, code: str, message: str, fix: str) -> None:
        report.tally("metadata", int(passed), 1)
        if not passed:
            problem(severity, field, code, message, fix)

    for field, hint in standard.required_metadata.items():
        rule(
            _present(meta.get(field)),
            "error",
            field,
            "missing-metadata",
            f"the metadata has no `{field}`",
            f"add `{field}:` with {hint}",
        )
    for field, hint in standard.recommended_metadata.items():
        rule(
            _present(meta.get(field)),
            "warning",
            field,
            "recommended-metadata",
            f"the metadata has no `{field}` (recommended)",
            f"add `{field}:` with {hint}",
        )

    if _present(meta.get("name")):
        rule(
            bool(NAME.fullmatch(str(meta["name"]))),
            "error",
            "name",
            "bad-name",
            f"metadata field `name` is `{meta['name']}`; names are lower snake_case",
            f"write e.g. `{re.sub(r'[^a-z0-9]+', '_', str(meta['name']).lower()).strip('_') or 'my_dataset'}`",
        )
    if _present(meta.get("title")):
        rule(
            len(str(meta["title"])) <= 120,
            "warning",
            "title",
            "long-title",
            f"the title is {len(str(meta['title']))} characters long",
            "shorten it to 120 characters or fewer",
        )
    if _present(meta.get("description")):
        rule(
            len(str(meta["description"])) >= 50,
            "warning",
            "description",
            "short-description",
            "the description is very short",
            "say what one row is, the area and time covered, and who collected it",
        )
    if _present(meta.get("methodology")):
        rule(
            len(str(meta["methodology"])) >= 30,
            "warning",
            "methodology",
            "short-methodology",
            "the methodology is very short",
            "say how the data were collected or produced and any changes made",
        )
    if _present(meta.get("contact")):
        rule(
            bool(EMAIL.search(str(meta["contact"])) or URL.search(str(meta["contact"]))),
            "error",
            "contact",
            "bad-contact",
            f"metadata field `contact` (`{meta['contact']}`) has no e-mail address or web address",
            "give a team mailbox such as data@example.org, or a https:// contact page",
        )
    if _present(meta.get("update_frequency")):
        rule(
            standard.is_update_frequency(str(meta["update_frequency"])),
            "error",
            "update_frequency",
            "bad-update-frequency",
            f"update frequency `{meta['update_frequency']}` is not one the standard knows",
            "write one of: " + ", ".join(standard.raw["update_frequencies"]["words"]) + ", or `every N years`",
        )
    _check_licence(meta, tier, rule, standard)
    _check_tier(meta, tier, rule, standard)
    _check_geography(meta, rule, standard)
    _check_disclosure(meta, rule)
    _check_urls(meta, rule)
    if meta.get("synthetic") is True:
        says_so = all("synthetic" in str(meta.get(field, "")).lower() for field in ("title", "description"))
        rule(
            says_so,
            "error",
            "title",
            "synthetic-unlabelled",
            "the data are synthetic but the title or description does not say so",
            "put the word SYNTHETIC in both the title and the description",
        )
    if _present(meta.get("period")):
        first = re.split(r"[\s,;(]+", str(meta["period"]).strip())[0]
        rule(
            iso_kind(first) is not None,
            "warning",
            "period",
            "period-not-iso",
            f"metadata field `period` (`{meta['period']}`) does not start with an ISO 8601 date or period",
            "write e.g. `2021`, `2021-12` or `2019-04-01/2020-03-31`, then any remark",
        )
    for entry in meta.get("columns") or []:
        if not isinstance(entry, dict) or not _present(entry.get("name")):
            rule(
                False,
                "error",
                "columns",
                "bad-column-entry",
                f"a `columns` entry has no name: {entry!r}",
                "write each column as `- {name: visits, description: ..., unit: visits, type: integer}`",
            )
        elif entry.get("personal_data") is False:
            rule(
                _present(entry.get("personal_data_reason")),
                "error",
                "columns",
                "personal-data-reason",
                f"column `{entry['name']}` is marked `personal_data: false` without a reason",
                "add `personal_data_reason:` saying why its values are not about people (a steward reviews it)",
            )


def _check_licence(meta: dict, tier: str, rule, standard: Standard) -> None:
    licence = meta.get("licence")
    if not _present(licence):
        return
    allowed = standard.licences
    exact = str(licence) in allowed
    near = next((known for known in allowed if known.lower() == str(licence).strip().lower()), None)
    listing = ", ".join(allowed)
    why = (
        " (non-commercial and no-derivatives licences are not open)"
        if re.search(r"-(NC|ND)\b", str(licence), re.IGNORECASE)
        else ""
    )
    if not tiers.get(tier).open_licence:
        rule(
            exact,
            "warning",
            "licence",
            "licence-not-open",
            f"licence `{licence}` is not on the open list; {tier} data may stay under its owner's terms",
            "state the terms at `licence_url`, or choose one of " + listing,
        )
    else:
        rule(
            exact,
            "error",
            "licence",
            "licence-not-allowed",
            f"licence `{licence}` is not an open licence the commons accepts in the {tier} tier{why}",
            f"write `{near}`" if near and not exact else "choose one of " + listing,
        )
    url = meta.get("licence_url")
    if exact and _present(url):
        rule(
            str(url).rstrip("/") == allowed[str(licence)]["url"].rstrip("/"),
            "warning",
            "licence_url",
            "licence-url-mismatch",
            f"`licence_url` does not point at the {licence} licence",
            f"write {allowed[str(licence)]['url']}",
        )


def _check_tier(meta: dict, tier: str, rule, standard: Standard) -> None:
    stated = meta.get("tier")
    if not _present(stated):
        return
    known = tiers.find(str(stated)) is not None
    rule(
        known,
        "error",
        "tier",
        "bad-tier",
        f"metadata tier `{stated}` is not a tier",
        "write one of " + ", ".join(tiers.names()),
    )
    if known:
        rule(
            str(stated) == tier,
            "error",
            "tier",
            "tier-mismatch",
            f"the metadata says tier `{stated}` but the data are being checked for the `{tier}` tier",
            "make the metadata and the upload agree on the tier",
        )


def _check_geography(meta: dict, rule, standard: Standard) -> None:
    geography = meta.get("geography")
    if geography is None:
        return
    if not isinstance(geography, dict):
        rule(
            False,
            "error",
            "geography",
            "bad-geography",
            "metadata field `geography` is not a mapping",
            "write `geography: {level: lsoa, vintage: LSOA 2021, code_column: lsoa21_code}`",
        )
        return
    level = geography.get("level")
    levels = ", ".join(standard.gss_levels)
    rule(
        level in standard.gss_levels,
        "error",
        "geography",
        "bad-geography-level",
        f"geography level `{level}` is not one the standard knows",
        f"write one of {levels}",
    )
    vintage = str(geography.get("vintage") or "")
    rule(
        bool(re.search(r"(19|20)\d{2}", vintage)),
        "error",
        "geography",
        "missing-vintage",
        "the geography has no vintage (the year its boundaries are from)",
        "add e.g. `vintage: LSOA 2021` or `vintage: ward 2022` under `geography:`",
    )


def _check_disclosure(meta: dict, rule) -> None:
    """A dataset's own disclosure thresholds are a request: only stricter values can apply (after a steward's
    approval); looser ones are ignored, and the contributor is told so here."""
    from commons_kernel.disclosure.thresholds import review_request
    from commons_kernel.exceptions import ConfigurationError

    if "disclosure" not in meta or not meta.get("disclosure"):
        return
    try:
        requested = review_request(meta)
    except ConfigurationError as exc:
        rule(
            False,
            "error",
            "disclosure",
            "bad-disclosure",
            str(exc),
            "write e.g. `disclosure: {threshold: 20}` (a whole number above the commons' threshold), or remove it",
        )
        return
    for item in requested:
        rule(
            item.verdict != "looser",
            "warning",
            "disclosure",
            "disclosure-looser",
            item.describe(),
            f"remove `disclosure.{item.name}`: the commons' value {item.commons} applies to every dataset; a "
            f"dataset may only be stricter, and a steward approves that",
        )


# Metadata fields holding web addresses (also inside ``source``); each must be an http(s) URL or empty.
URL_FIELDS = ("licence_url", "url", "homepage", "documentation", "landing_page")
SAFE_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)


def is_web_url(value) -> bool:
    """An http:// or https:// address, nothing else (no javascript:, data:, file: or relative links)."""
    return bool(SAFE_URL.fullmatch(str(value or "").strip()))


def _url_values(meta: dict):
    for field in URL_FIELDS:
        if _present(meta.get(field)):
            yield field, field, meta[field]
    source = meta.get("source")
    if isinstance(source, dict):
        for key in ("official_url", "url"):
            if _present(source.get(key)):
                yield "source", f"source.{key}", source[key]


def _check_urls(meta: dict, rule) -> None:
    for field, label, value in _url_values(meta):
        rule(
            is_web_url(value),
            "error",
            field,
            "bad-url",
            f"metadata field `{label}` (`{str(value)[:80]}`) is not a web address starting with http:// or https://",
            "write the full address, e.g. https://www.ons.gov.uk/..., or leave the field out",
        )
    contact = meta.get("contact")
    if (
        _present(contact)
        and re.match(r"\s*[a-z][a-z0-9+.-]*:", str(contact), re.IGNORECASE)
        and not re.match(r"\s*(https?|mailto):", str(contact), re.IGNORECASE)
    ):
        rule(
            False,
            "error",
            "contact",
            "bad-url",
            f"metadata field `contact` (`{str(contact)[:80]}`) starts with a scheme other than http(s) or mailto",
            "give a team mailbox such as data@example.org, or a https:// contact page",
        )
