"""Where refreshes happen and what residents see.

Under ``$COMMONS_PUBLIC_DIR/stories/`` (readable by the public stories account; nothing here is unchecked):

    runs/<slug>/<run-id>/       a complete snapshot: artefacts/, pages/, app.ipynb, the story module, story.json
    published/<slug>            a symbolic link to runs/<slug>/<run-id>: what Voilà and the static pages serve

Under ``$COMMONS_HOME/stories/`` (the state directory: the service account only):

    work/<slug>/<run-id>/       the run's working files: raw artefacts (deleted after disclosure), notebooks, log
    locks/<slug>.lock           one refresh of a story at a time (an OS lock: released if the process dies)

Functions that take ``home`` keep both under ``home/stories`` (a self-contained folder, as tests use).

``promote`` swaps the link with ``os.replace``, which is atomic: a reader sees the old snapshot or the new one,
never a mixture, and a run killed at any point leaves the published link as it was.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

from commons_kernel import config
from commons_kernel.exceptions import GovernanceError

KEEP_RUNS = 3


def root(home: Path | None = None) -> Path:
    """The published side: run snapshots and the published links."""
    return Path(home) / "stories" if home else config.public_dir() / "stories"


def work_root(home: Path | None = None) -> Path:
    """The private side: working files and locks, in the state directory."""
    return Path(home or config.home()) / "stories"


def published_dir(home: Path | None = None) -> Path:
    return root(home) / "published"


def published(slug: str, home: Path | None = None) -> Path | None:
    """The published snapshot of ``slug`` (resolved), or None."""
    link = published_dir(home) / slug
    return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None


def new_run_dirs(slug: str, run_id: str, home: Path | None = None) -> tuple[Path, Path]:
    run = root(home) / "runs" / slug / run_id
    work = work_root(home) / "work" / slug / run_id
    run.mkdir(parents=True)
    work.mkdir(parents=True)
    return run, work


def promote(slug: str, run: Path, home: Path | None = None) -> None:
    """Point published/<slug> at ``run`` in one atomic step."""
    folder = published_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{slug}.{os.getpid()}.tmp"
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    temporary.symlink_to(os.path.relpath(run, folder), target_is_directory=True)
    os.replace(temporary, folder / slug)


def prune(slug: str, home: Path | None = None, keep: int = KEEP_RUNS) -> None:
    """Delete old run and work folders of ``slug``, keeping the newest ``keep`` and always the published one."""
    current = published(slug, home)
    for kind, base in (("runs", root(home)), ("work", work_root(home))):
        folder = base / kind / slug
        if not folder.is_dir():
            continue
        runs = sorted((p for p in folder.iterdir() if p.is_dir()), key=lambda p: p.name, reverse=True)
        for old in runs[keep:]:
            if current is not None and old.resolve() == current:
                continue
            shutil.rmtree(old, ignore_errors=True)


@contextmanager
def story_lock(slug: str, home: Path | None = None):
    """Hold the story's lock for a refresh; raises GovernanceError when another refresh holds it."""
    folder = work_root(home) / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    handle = open(folder / f"{slug}.lock", "a+")  # noqa: SIM115 (held, locked, for the whole refresh; closed below)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise GovernanceError(
                f"story {slug!r} is being refreshed by another process; wait for it to finish "
                f"(`commons stories status`)."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()
