"""Run one governance write in a child process and die (os._exit, no clean-up) at the named step.

    python -m tests.unit.governance_crash_child STATE_DIR STEP OPERATION [ARGS...]
    forked(STATE_DIR, STEP, OPERATION, ARGS)     the same in a fork of the test process (its imports done: fast)

STEP is where the process dies (see ``install``; "none" to run to the end); OPERATION is one of submit, approve,
reject, vote, withdraw, propose-membership, release-request, release-review. test_governance_atomic.py checks what
is left. Exit code 75 means the crash point was reached.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path

CRASHED = 75


def die(*_args, **_kwargs):
    sys.stdout.flush()
    os._exit(CRASHED)


def after(function, test=lambda *a, **k: True):
    """``function`` that runs, then dies when ``test(*args)`` holds."""

    def wrapped(*args, **kwargs):
        result = function(*args, **kwargs)
        if test(*args, **kwargs):
            die()
        return result

    return wrapped


def before(function, test):
    def wrapped(*args, **kwargs):
        if test(*args, **kwargs):
            die()
        return function(*args, **kwargs)

    return wrapped


def install(step: str) -> None:
    from commons_hub import store
    from commons_hub.audit import AuditLog
    from commons_hub.governance import contribution_files, decisions, withdrawals
    from commons_hub.releases import files as release_files

    if step == "none":
        return
    if step == "staged":  # approve: the version is staged, nothing committed
        store.Store.stage = after(store.Store.stage)
    elif step.startswith("chain:"):  # inside the transaction: as the entry for ACTION is written
        action = step.split(":", 1)[1]
        AuditLog._chain = staticmethod(before(AuditLog._chain, lambda conn, entry: entry["action"] == action))
    elif step == "anchor":  # just after the commit, before the anchor moves
        AuditLog._write_anchor = die
    elif step == "metadata":  # approve: committed; metadata.yaml not yet written
        contribution_files.atomic_write_bytes = die
    elif step == "parquet-renamed":  # approve: v0001.parquet in place, its .arrow not yet
        store.os.replace = after(
            os.replace, lambda src, dst: str(src).endswith(".parquet") and Path(dst).name.startswith("v")
        )
    elif step == "files-renamed":  # approve: both files in place, the manifest not yet replaced
        store.atomic_write_json = die
    elif step == "manifest":  # approve: the manifest lists it; the pending data not yet removed
        contribution_files.remove_pending = die
    elif step == "apply":  # vote: the vote is written, the decision it makes not yet
        decisions._apply = die
    elif step == "mark-withdrawn":  # withdraw: committed, the manifest flag not yet set
        withdrawals._mark_withdrawn = die
    elif step == "release-published":  # release request: the folder renamed into place, not committed
        release_files.publish = after(release_files.publish)
    else:
        raise SystemExit(f"unknown crash point {step!r}")


def run(home: Path, operation: str, args: list[str]) -> object:
    from commons_hub.audit import AuditLog
    from commons_hub.db import engine
    from commons_hub.governance import contributions, decisions, withdrawals
    from commons_hub.policy import Caller
    from commons_hub.releases.service import ReleaseService
    from commons_hub.store import Store

    eng = engine(f"sqlite:///{home / 'governance.sqlite'}")
    store, audit = Store(home), AuditLog(eng, anchor=home / "audit.anchor")
    caller = Caller(args[0], groups=frozenset(json.loads(args[1])))
    if operation == "submit":  # args: the file to upload, its metadata (YAML)
        import yaml

        from commons_kernel.catalog import load_metadata

        data, meta = Path(args[2]).read_bytes(), yaml.safe_load(Path(args[3]).read_text())
        return contributions.submit(
            caller, data, Path(args[2]).name, meta, store=store, eng=eng, audit=audit, catalogue=load_metadata()
        )
    if operation == "approve":
        return contributions.approve(caller, int(args[2]), "fine", store=store, eng=eng, audit=audit)
    if operation == "reject":
        return contributions.reject(caller, int(args[2]), "wrong year", store=store, eng=eng, audit=audit)
    if operation == "withdraw":
        return withdrawals.withdraw(
            caller,
            args[2],
            "consent was withdrawn",
            store=store,
            eng=eng,
            audit=audit,
            stories_folder=home / "no-stories",
        )
    catalogue = {"synthetic_referrals": type("Meta", (), {"tier": "restricted", "owner": "Someone Else"})()}
    if operation == "vote":
        return decisions.vote(caller, int(args[2]), args[3], eng=eng, audit=audit, catalogue=catalogue)
    if operation == "propose-membership":
        return decisions.propose_membership(caller, args[2], args[3], eng=eng, audit=audit, catalogue=catalogue)
    service = ReleaseService(eng, audit, home, {"synthetic_referrals": {"name": "synthetic_referrals"}}.get)
    if operation == "release-request":
        return service.request(caller, json.loads(Path(args[2]).read_text()))
    if operation == "release-review":
        return service.review(caller, int(args[2]), args[3], "fine")
    raise SystemExit(f"unknown operation {operation!r}")


def forked(home: Path, step: str, operation: str, args: list[str]) -> int:
    """Run ``operation`` in a fork that dies at ``step``; returns its exit code (CRASHED, 0, or 1 on an error)."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            from commons_hub.db import engine

            os.environ["COMMONS_HOME"] = str(home)
            engine(f"sqlite:///{home / 'governance.sqlite'}").dispose(close=False)  # never share the parent's
            install(step)
            run(home, operation, [str(a) for a in args])
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


if __name__ == "__main__":
    state_dir, crash_point, op = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    os.environ["COMMONS_HOME"] = str(state_dir)
    install(crash_point)
    result = run(state_dir, op, sys.argv[4:])
    print(json.dumps(result, default=str), flush=True)
