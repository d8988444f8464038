"""The registry of dataset builders: each turns seed files (and earlier datasets) into one table.

A builder is registered with the seed files it reads and the datasets it needs, so ingest can tell whether
anything changed (a fingerprint of file hashes, builder version and needs) before building anything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

BUILDERS: dict[str, Builder] = {}


@dataclass(frozen=True)
class Builder:
    name: str
    files: tuple[str, ...]
    needs: tuple[str, ...]
    version: int
    build: Callable
    synthetic: bool = False


@dataclass
class Built:
    """What a builder returns: the frame and the notes on fixes made at ingest."""

    frame: object
    notes: list[str] = field(default_factory=list)


def builder(name: str, files: Sequence[str] = (), needs: Sequence[str] = (), version: int = 1, synthetic: bool = False):
    """Register ``fn(seed: SeedReader, inputs: dict[name, frame]) -> Built`` as the builder of ``name``."""

    def register(fn):
        BUILDERS[name] = Builder(name, tuple(files), tuple(needs), version, fn, synthetic)
        return fn

    return register
