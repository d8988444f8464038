"""`commons catalog list|show|search|export`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from commons_kernel.catalog import get, load_metadata
from commons_kernel.catalog import search as rank_datasets


def register(sub) -> None:
    parser = sub.add_parser("catalog", help="list, show, search and export the catalogue")
    csub = parser.add_subparsers(dest="catalog_command", metavar="ACTION", required=True)
    p = csub.add_parser("list", help="every dataset with tier, licence and geography")
    p.add_argument("--json", action="store_true", help="a JSON list of objects")
    p.set_defaults(handler=list_datasets)
    p = csub.add_parser("show", help="one dataset's metadata and versions")
    p.add_argument("name")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=show)
    p = csub.add_parser("search", help="datasets matching words in titles, descriptions, tags and columns")
    p.add_argument("text", nargs="+")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=search)
    p = csub.add_parser("export", help="DCAT-AP JSON-LD for the catalogue, Frictionless descriptors per dataset")
    p.add_argument("--dcat", type=Path, help="write the DCAT-AP JSON-LD catalogue to this file ('-' for stdout)")
    p.add_argument("--frictionless", type=Path, help="write one datapackage JSON per dataset into this folder")
    p.add_argument("--base-url", default=None, help="public URL of the commons (default: the hub URL)")
    p.set_defaults(handler=export)
    p = csub.add_parser("intake", help="rewrite catalog/catalog.yaml (the Intake catalogue) from the metadata files")
    p.set_defaults(handler=write_intake)


def _row(meta) -> dict:
    return {
        "name": meta.name,
        "title": meta.title,
        "tier": meta.tier,
        "licence": meta.licence,
        "attribution": meta.attribution,
        "publisher": meta.publisher,
        "geography": meta.geography_label,
        "period": meta.period,
        "synthetic": meta.synthetic,
    }


def list_datasets(args) -> int:
    rows = [_row(m) for m in load_metadata().values()]
    if args.json:
        json.dump(rows, sys.stdout, indent=2)
        print()
        return 0
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        print(f"{r['name']:<{width}}  {r['tier']:<10}  {r['licence']:<11}  {r['geography']:<22}  {r['title']}")
    print(f"\n{len(rows)} datasets. `commons catalog show NAME` for details.")
    return 0


def show(args) -> int:
    meta = get(args.name)
    from commons_hub.store import Store
    from commons_kernel.exceptions import DatasetNotFound

    try:
        versions = Store().manifest(args.name)["versions"]
    except DatasetNotFound:
        versions = []
    if args.json:
        json.dump({**meta.to_dict(), "versions": versions}, sys.stdout, indent=2, default=str)
        print()
        return 0
    print(f"{meta.title}\n{'=' * len(meta.title)}\n{meta.description}\n")
    for label, value in [
        ("name", meta.name),
        ("tier", meta.tier),
        ("publisher", meta.publisher),
        ("licence", meta.licence),
        ("attribution", meta.attribution),
        ("geography", meta.geography_label),
        ("period", meta.period),
        ("synthetic", "yes: SYNTHETIC demonstration data" if meta.synthetic else "no"),
    ]:
        print(f"{label:>12}: {value}")
    print("\ncolumns:")
    for column in meta.columns:
        unit = f" [{column['unit']}]" if column.get("unit") else ""
        print(f"  {column['name']:<28} {column.get('type', '')}{unit}  {column.get('description', '')}")
    for v in versions:
        print(f"\nversion {v['version']}: {v['rows']} rows, sha256 {v['sha256'][:16]}…, ingested {v['ingested_at']}")
        for note in v.get("notes", []):
            print(f"  - {note}")
    return 0


def search(args) -> int:
    metadata = load_metadata()
    ranked = rank_datasets(" ".join(args.text), metadata)
    if args.json:
        json.dump([{"name": n, "score": s, "title": metadata[n].title} for n, s in ranked], sys.stdout, indent=2)
        print()
        return 0
    if not ranked:
        print("No dataset matches. Try other words, or `commons catalog list`.")
    for name, score in ranked:
        print(f"{score:5.1f}  {name:<40} {metadata[name].title}")
    return 0


def export(args) -> int:
    from commons_hub import exports
    from commons_hub.store import Store
    from commons_kernel import config

    metadata = load_metadata()
    base_url = (args.base_url or config.hub_url()).rstrip("/") + "/"
    if not args.dcat and not args.frictionless:
        print("Say what to export: --dcat FILE and/or --frictionless DIR.", file=sys.stderr)
        return 2
    if args.dcat:
        text = json.dumps(exports.dcat_catalog(metadata, base_url), indent=2, ensure_ascii=False)
        if str(args.dcat) == "-":
            print(text)
        else:
            from commons_hub.store import atomic_write_bytes

            atomic_write_bytes(args.dcat, text.encode())
            print(f"Wrote DCAT-AP catalogue of {len(metadata)} datasets to {args.dcat}")
    if args.frictionless:
        store = Store()
        from commons_hub.store import atomic_write_json
        from commons_kernel.exceptions import DatasetNotFound

        for name, meta in metadata.items():
            try:
                manifest = store.manifest(name)
            except DatasetNotFound:
                manifest = None
            atomic_write_json(
                args.frictionless / f"{name}.datapackage.json", exports.frictionless_package(meta, manifest)
            )
        print(f"Wrote {len(metadata)} Frictionless data package descriptors to {args.frictionless}")
    return 0


def write_intake(args) -> int:
    from commons_kernel.intake_reader import build_catalog, catalog_path

    path = catalog_path()
    build_catalog(load_metadata()).to_yaml_file(str(path))
    print(f"Wrote the Intake catalogue of {len(load_metadata())} datasets to {path}")
    return 0
