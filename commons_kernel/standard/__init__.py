"""The commons' data standard ("a Liverpool way"): rules in catalog/standard/, checked by ``validate``.

    from commons_kernel.standard import validate
    report = validate("visits.csv", "visits.yaml", tier="community")
    print(report.to_text()); report.raise_if_blocked()

Plain-English standard: catalog/standard/README.md; contributors' guide: docs/analysts/contributing.md.
"""

from commons_kernel.standard.report import Issue, QualityReport
from commons_kernel.standard.rules import Standard, load_standard
from commons_kernel.standard.validator import validate, validate_bytes


def cli_validate(path, metadata_path, as_json: bool = False, tier: str | None = None) -> int:
    """`commons validate FILE --metadata META.yaml [--json]`; prints the report and returns the exit code."""
    from commons_kernel.standard.cli import cli_validate as run

    return run(path, metadata_path, as_json, tier)


def table_schema(frame, metadata: dict | None = None) -> dict:
    """The Frictionless Table Schema descriptor of a frame under the standard (for a data package)."""
    from commons_kernel.standard.columns import column_roles
    from commons_kernel.standard.schema_checks import table_schema as build
    from commons_kernel.standard.table import table_from_frame

    standard = load_standard()
    table = table_from_frame(frame, "table")
    roles = column_roles(table.text, metadata or {}, standard, table.dtypes)
    return build([str(c) for c in table.text.columns], roles, metadata or {}, standard)


__all__ = [
    "Issue",
    "QualityReport",
    "Standard",
    "cli_validate",
    "load_standard",
    "table_schema",
    "validate",
    "validate_bytes",
]
