"""`commons init`: build or update the state directory from the seed files."""

from __future__ import annotations

from pathlib import Path

from commons_kernel import config


def register(sub) -> None:
    parser = sub.add_parser("init", help="ingest the seed files into the state directory (safe to run again)")
    parser.add_argument(
        "--seed-dir",
        type=Path,
        default=None,
        help="folder of seed files (default: $COMMONS_SEED_DIR, or ../shared/data when present)",
    )
    parser.set_defaults(handler=run)


def initialise(seed_dir: Path | None = None, quiet: bool = False) -> int:
    from commons_hub.governance.projects import seed_demo_project
    from commons_hub.ingest.run import ingest
    from commons_hub.install import DEMO_USERS
    from commons_hub.store import Store

    seed = seed_dir or (Path(config.setting("seed_dir")) if config.setting("seed_dir") else None)
    if seed is None:
        from commons_kernel.exceptions import SeedFileError

        raise SeedFileError(
            "(no seed directory)",
            "no seed directory was given and ../shared/data does not exist.",
            fix="pass --seed-dir DIR or set COMMONS_SEED_DIR.",
        )
    result = ingest(seed)
    seed_demo_project(next(iter(DEMO_USERS)))
    if not quiet:
        store = Store()
        print(f"State directory: {store.home}")
        print(f"Seed directory:  {Path(seed).resolve()}")
        print(result.summary())
        print(f"The catalogue holds {len(store.names())} datasets. `commons catalog list` shows them.")
    return 0


def run(args) -> int:
    return initialise(args.seed_dir)
