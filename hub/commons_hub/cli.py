"""The `commons` command. Each module in ``commons_hub.commands`` adds its subcommands with ``register``."""

from __future__ import annotations

import argparse
import getpass
import importlib
import os
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
        if args.command in STATE_WRITERS:
            _work_as_service_account()
        return int(args.handler(args) or 0)
    except CommonsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if not _cannot_open_state(exc):
            raise
        print(
            f"error: `commons {args.command}` needs the commons' state directory, which the account "
            f"`{getpass.getuser()}` cannot open ({exc.filename if isinstance(exc, OSError) else 'its database'}). "
            "Only operators and the services may; as a member, `commons` acts as you through the data-api "
            "(`commons --help`, docs/analysts/contributing.md), or ask an operator.",
            file=sys.stderr,
        )
        return 1


def _cannot_open_state(exc: Exception) -> bool:
    """True for the errors of a member's account reading the state (a member's terminal runs as them)."""
    if isinstance(exc, PermissionError):
        return True
    return type(exc).__name__ == "OperationalError" and "unable to open database file" in str(exc)


# Commands that write the state directory themselves. As root on an isolated commons they run as the service
# account, so what they write stays readable by the services. The others only read it, or go through the hub and
# the data-api over HTTP, and keep the caller's own account: they may be given files only root can read.
# (`commons restore` stays root to read its backup and hands what it wrote to the service account.)
STATE_WRITERS = {"init", "stories", "db", "token"}


def _work_as_service_account() -> None:
    """Become the service account (root on an isolated commons only). The hub's own secrets (root only) are read
    first, for the commands that speak to the hub API."""
    from commons_hub import isolation
    from commons_hub.install import load_or_create_secrets
    from commons_kernel import config

    account = isolation.service_account_owns_state()
    if account is None:
        return
    if (config.home() / "secrets.json").exists():
        load_or_create_secrets(config.home())
    isolation.become(account)
    os.environ.update(isolation.private_dirs(config.home() / isolation.SERVICE_HOME))


if __name__ == "__main__":
    sys.exit(main())
