"""`commons audit verify --head/--head-file` and `commons audit head [--json]` over a real log in a temporary
COMMONS_HOME."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from commons_hub import cli
from commons_hub.audit import AuditEvent, AuditLog, entry_hash
from commons_hub.db import engine

pytestmark = pytest.mark.unit


@pytest.fixture
def log(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMONS_HOME", str(tmp_path))
    monkeypatch.delenv("COMMONS_DB_URL", raising=False)
    audit = AuditLog(engine(f"sqlite:///{tmp_path / 'governance.sqlite'}"), anchor=tmp_path / "audit.anchor")
    for i in range(4):
        audit.append(AuditEvent(actor=f"user{i}", action="read", dataset="imd2019_lsoa11", rows=10 + i))
    return audit


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(["audit", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def rewrite_history(log) -> None:
    """Change entry 2, re-hash it and every later entry, and move the anchor: only a kept head catches this."""
    entries = list(log.entries())
    entries[1]["rows"] = 1
    for before, entry in zip([None] + entries, entries, strict=False):
        if before is not None:
            entry["prev_hash"] = before["hash"]
        entry["hash"] = entry_hash(entry)
    from commons_hub.db import audit_log

    with log.engine.begin() as conn:
        conn.execute(audit_log.delete())
        conn.execute(audit_log.insert(), entries)
    log.anchor.write_text(f"{entries[-1]['id']:>20} {entries[-1]['hash']}\n")


def test_head_prints_what_verify_accepts(log, capsys):
    code, out, _ = run(capsys, "head")
    last = log.tail(1)[0]
    assert code == 0 and f"entry 4  {last['time']}" in out and f"hash  {last['hash']}" in out
    assert f"commons audit verify --head 4:{last['hash']}" in out
    code, out, _ = run(capsys, "head", "--json")
    head = json.loads(out)
    assert code == 0 and (head["ok"], head["id"], head["hash"], head["time"]) == (True, 4, last["hash"], last["time"])


def test_verify_with_heads_kept_earlier(log, capsys, tmp_path):
    _, saved, _ = run(capsys, "head", "--json")
    (tmp_path / "head-copy.json").write_text(saved)
    first = log.tail(4)[0]
    code, out, _ = run(
        capsys, "verify", "--head", f"1:{first['hash']}", "--head-file", str(tmp_path / "head-copy.json")
    )
    assert code == 0 and "4 entries" in out and "the 2 head(s) kept earlier, unchanged" in out

    rewrite_history(log)
    assert run(capsys, "verify")[0] == 0  # consistent: only the heads can tell
    code, _, err = run(capsys, "verify", "--head-file", str(tmp_path / "head-copy.json"))
    assert code == 1 and "BROKEN at entry 4" in err and "does not match the head published earlier" in err
    code, _, err = run(capsys, "verify", "--head", f"1:{first['hash']}")
    assert code == 0  # entry 1 was not touched: that head still holds
    code, _, err = run(capsys, "verify", "--head", f"9:{first['hash']}")
    assert code == 1 and "BROKEN at entry 9" in err and "no longer exists" in err


def test_head_refuses_a_broken_log(log, capsys):
    log.anchor.unlink()
    code, out, err = run(capsys, "head")
    assert code == 1 and out == "" and "BROKEN:" in err and "anchor file" in err and "No head to keep" in err
    code, out, _ = run(capsys, "head", "--json")
    head = json.loads(out)
    assert code == 1 and head["ok"] is False and head["id"] is None and "missing" in head["reason"]


def test_head_of_an_empty_log(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COMMONS_HOME", str(tmp_path))
    monkeypatch.delenv("COMMONS_DB_URL", raising=False)
    code, out, _ = run(capsys, "head")
    assert code == 0 and "no entries yet" in out


@pytest.mark.parametrize("value", ["4", "4:abc", "0:" + "a" * 64, "four:" + "a" * 64])
def test_a_malformed_head_is_a_usage_error_that_says_the_format(log, capsys, value):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["audit", "verify", "--head", value])
    assert exit_.value.code == 2 and "write ID:HASH" in capsys.readouterr().err


def test_a_file_that_is_not_a_saved_head_is_named(log, capsys, tmp_path):
    bad = tmp_path / "notes.json"
    bad.write_text('{"entries": 4}')
    with pytest.raises(SystemExit):
        cli.main(["audit", "verify", "--head-file", str(bad)])
    assert f"{bad} is not a saved head" in capsys.readouterr().err


def test_the_real_command(log, tmp_path):
    last = log.tail(1)[0]
    env = {"COMMONS_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "commons_hub.cli", "audit", "verify", "--head", f"4:{last['hash']}"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and "1 head(s)" in done.stdout, done.stderr
