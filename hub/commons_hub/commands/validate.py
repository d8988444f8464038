"""`commons validate FILE --metadata META.yaml [--json] [--tier TIER]` (also `commons check`): the checks an upload
gets, as a report. The same function as the upload and the notebook's ``validate()``
(commons_kernel.upload_checks.check_upload): the same file gets the same verdict everywhere."""

from __future__ import annotations

from commons_kernel import tiers


def register(sub) -> None:
    for name, help_text in (
        (
            "validate",
            "check a data file and its metadata against the data standard "
            "(exit 0 meets it, 1 does not, 2 could not run)",
        ),
        ("check", "the same as `commons validate`"),
    ):
        parser = sub.add_parser(name, help=help_text)
        parser.add_argument("file", help="CSV (UTF-8), xlsx, Parquet or zip file")
        parser.add_argument("--metadata", "-m", help="the dataset's metadata YAML (see docs/analysts/contributing.md)")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument(
            "--tier",
            choices=tiers.names(),  # the installed tiers (commons_kernel/tiers/)
            help="the tier it is meant for (default: the metadata's `tier`, else open)",
        )
        parser.set_defaults(handler=run)


def run(args) -> int:
    from commons_kernel.standard import cli_validate

    return cli_validate(args.file, args.metadata, args.json, args.tier)
