"""Subcommands of `commons`: every module here defines ``register(subparsers)``."""
