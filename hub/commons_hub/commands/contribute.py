"""`commons contribute`, `commons contributions list|approve|reject`, `commons withdraw`: contributed data.

These act as you, through the data-api: set COMMONS_API_TOKEN (an operator makes one with `commons token USER`).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from commons_kernel import tiers


def register(sub) -> None:
    p = sub.add_parser("contribute", help="upload a data file with its metadata; it waits for a steward")
    p.add_argument("file", help="CSV (UTF-8), xlsx, Parquet or zip file")
    p.add_argument("--metadata", "-m", required=True, help="the dataset's metadata YAML (name, title, licence, ...)")
    p.add_argument("--name", help="dataset name (default: the metadata's `name`)")
    p.add_argument(
        "--tier",
        choices=tiers.names(),  # the installed tiers (commons_kernel/tiers/)
        help="who may read it (default: the metadata's `tier`; one of the two is required)",
    )
    p.add_argument("--json", action="store_true", help="print the contribution and its report as JSON")
    p.set_defaults(handler=contribute)
    p = sub.add_parser("contributions", help="list contributions; stewards approve or reject them")
    csub = p.add_subparsers(dest="contributions_command", metavar="ACTION", required=True)
    q = csub.add_parser("list", help="every contribution with status and quality score")
    q.add_argument("--status", choices=["pending", "approved", "rejected"])
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=list_contributions)
    q = csub.add_parser("approve", help="make a pending contribution the dataset's next version (stewards)")
    q.add_argument("id", type=int)
    q.add_argument("--reason", default="")
    q.set_defaults(handler=approve)
    q = csub.add_parser("reject", help="refuse a pending contribution, saying why (stewards)")
    q.add_argument("id", type=int)
    q.add_argument("--reason", required=True)
    q.set_defaults(handler=reject)
    p = sub.add_parser("withdraw", help="withdraw a dataset you contributed: reads are refused from now on")
    p.add_argument("name")
    p.add_argument("--reason", required=True, help="shown on the public register")
    p.set_defaults(handler=withdraw)


def contribute(args) -> int:
    from pathlib import Path

    import yaml

    from commons_kernel import governance
    from commons_kernel.exceptions import ValidationFailed

    try:
        metadata = yaml.safe_load(Path(args.metadata).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        print(f"error: cannot read the metadata file {args.metadata}: {exc}", file=sys.stderr)
        return 2
    if not isinstance(metadata, dict):
        print(f"error: {args.metadata} must be a mapping of `field: value` lines.", file=sys.stderr)
        return 2
    # the values as the file has them: the data-api checks every one and names what is missing or wrong
    fields: dict[str, Any] = {k: metadata.get(k) for k in ("name", "title", "description", "licence", "tier")}
    rest = {k: v for k, v in metadata.items() if k not in fields}
    tier = args.tier or fields["tier"]
    if not tier:  # never a silent default (the upload form has none either)
        from commons_hub.services.data_api.upload_form import tier_choices

        meanings = "; ".join(f"{name}: {meaning}" for name, meaning in tier_choices())
        print(
            f"error: {args.metadata} has no `tier:` and no --tier was given. Choose one ({meanings}), e.g. "
            f"`commons contribute {args.file} -m {args.metadata} --tier community`.",
            file=sys.stderr,
        )
        return 2
    try:
        result = governance.contribute(
            args.file,
            name=args.name or fields["name"],
            title=fields["title"],
            description=fields["description"],
            licence=fields["licence"],
            tier=tier,
            metadata=rest,
        )
    except ValidationFailed as exc:
        if args.json and isinstance(exc.report, dict):
            json.dump(exc.report, sys.stdout, indent=2)
            print()
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        json.dump(result, sys.stdout, indent=2, default=str)
        print()
        return 0
    print(
        f"Contribution {result['id']} of {result['dataset']}: {result['status']}, quality score "
        f"{result['score']}/100. A steward approves or rejects it; `commons contributions list` shows it."
    )
    for warning in result["report"]["warnings"]:
        print(f"  warning: {warning['message']}. {warning['fix']}")
    return 0


def list_contributions(args) -> int:
    from commons_kernel import governance

    frame = governance.contributions(args.status)
    if args.json:
        print(frame.to_json(orient="records", date_format="iso", indent=2))
        return 0
    if frame.empty:
        print("No contributions.")
        return 0
    for row in frame.itertuples():
        print(f"{row.id:>5}  {row.dataset:<32} {row.status:<9} score {row.score:>3}  {row.contributor}  {row.reason}")
    return 0


def approve(args) -> int:
    from commons_kernel import governance

    record = governance.approve_contribution(args.id, args.reason)
    print(f"Contribution {record['id']} approved: {record['dataset']} version {record['version']} is in the catalogue.")
    return 0


def reject(args) -> int:
    from commons_kernel import governance

    record = governance.reject_contribution(args.id, args.reason)
    print(f"Contribution {record['id']} of {record['dataset']} rejected: {record['reason']}")
    return 0


def withdraw(args) -> int:
    from commons_kernel import governance

    record = governance.withdraw(args.name, args.reason)
    stories = ", ".join(record["stories"]) or "none"
    print(f"{record['dataset']} withdrawn: reads are refused from now on. Stories that used it: {stories}.")
    return 0
