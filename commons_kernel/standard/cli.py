"""`commons validate FILE --metadata META.yaml [--json]`: the same checks an upload gets, printed as a report.

cli.py (the `commons` command) registers ``cli_validate``; ``main(argv)`` runs it standalone
(``python -m commons_kernel.standard FILE --metadata META.yaml``).
Exit codes: 0 the file meets the standard, 1 it does not (errors listed), 2 the command could not run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from commons_kernel import tiers
from commons_kernel.exceptions import CommonsError, ValidationFailed


def cli_validate(path, metadata_path, as_json: bool = False, tier: str | None = None) -> int:
    """Check FILE and its metadata as an upload would be checked; print the report; return the exit code."""
    from commons_kernel.upload_checks import check_upload

    path = Path(path)
    try:
        if not path.is_file():
            raise ValidationFailed(f"{path} is not a file. Give the path of a CSV, xlsx, Parquet or zip file.")
        result = check_upload(path, path.name, tier, metadata=metadata_path, raise_on_block=False)
    except ValidationFailed as exc:
        if exc.report is None:
            print(f"commons validate: {exc}", file=sys.stderr)
            return 2
        report = exc.report.finish()
    except CommonsError as exc:
        print(f"commons validate: {exc}", file=sys.stderr)
        return 2
    else:
        report = result.report
    print(report.to_json() if as_json else report.to_text())
    return 0 if report.ok else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="commons validate", description="Check a data file and its metadata against the commons' standard."
    )
    parser.add_argument("file", help="CSV (UTF-8), xlsx, Parquet or zip file")
    parser.add_argument("--metadata", "-m", help="the dataset's metadata YAML (see docs/analysts/contributing.md)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--tier",
        choices=tiers.names(),  # the installed tiers (commons_kernel/tiers/)
        help="the tier it is meant for (default: the metadata's `tier`, else open)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return cli_validate(args.file, args.metadata, args.json, args.tier)
