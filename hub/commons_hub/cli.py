"""The `commons` command. Each module in ``commons_hub.commands`` adds its subcommands with ``register``."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from commons_kernel.exceptions import CommonsError


def build_parser() -> argparse.ArgumentParser:
    from commons_hub import commands

    parser = argparse.ArgumentParser(prog="commons", description="Run and operate the LCR Data Commons.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        importlib.import_module(f"commons_hub.commands.{module.name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except CommonsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
