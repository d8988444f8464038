"""A throwaway PostgreSQL server on a free loopback port, for tests and benchmarks (never for the product).

Debian's binaries (``/usr/lib/postgresql/*/bin``) run from a temporary directory that the ``postgres`` account owns
(``initdb`` refuses root, so as root they run through ``runuser -u postgres --``). Connections from 127.0.0.1 need
the password of the ``commons`` role (scram-sha-256), as a managed database would; the Unix socket in the same
directory trusts ``postgres`` for administration. ``stop()`` stops the server and removes the directory.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROLE = "commons"


def postgres_bin() -> Path | None:
    """The newest Debian PostgreSQL binaries on this machine, or None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name))
    return found[-1].parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThrowawayPostgres:
    def __init__(self, settings: dict[str, str] | None = None):
        self.bin = postgres_bin()
        if self.bin is None:
            raise RuntimeError(
                "PostgreSQL is not installed: `apt-get install -y postgresql` (make test does it with WITH_POSTGRES=1)"
            )
        self.port = _free_port()
        self.password = secrets.token_urlsafe(16)
        self.settings = {"max_connections": "400", **(settings or {})}
        self.dir = Path(tempfile.mkdtemp(prefix="commons-pg-"))
        self.data = self.dir / "data"
        self._counter = 0

    # running the binaries as the postgres account -----------------------------------------------------------
    def _as_postgres(self, *argv: str, **kwargs) -> subprocess.CompletedProcess:
        command = [str(self.bin / argv[0]), *argv[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=False, timeout=120, **kwargs)

    def _check(self, result: subprocess.CompletedProcess, what: str) -> None:
        if result.returncode:
            raise RuntimeError(f"{what} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")

    def start(self) -> ThrowawayPostgres:
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        os.chmod(self.dir, 0o700)
        pwfile = self.dir / "pw"
        pwfile.write_text(self.password + "\n")
        if os.geteuid() == 0:
            shutil.chown(pwfile, "postgres", "postgres")
        self._check(
            self._as_postgres(
                "initdb",
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                f"--pwfile={pwfile}",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ),
            "initdb",
        )
        pwfile.unlink()
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 " + " ".join(
            f"-c {name}={value}" for name, value in self.settings.items()
        )
        self._check(
            self._as_postgres(
                "pg_ctl",
                "-D",
                str(self.data),
                "-l",
                str(self.dir / "server.log"),
                "-w",
                "-t",
                "60",
                "-o",
                options,
                "start",
            ),
            "pg_ctl start",
        )
        self.admin(f"CREATE ROLE {ROLE} LOGIN CREATEDB PASSWORD '{self.password}'")
        return self

    def admin(self, sql: str) -> str:
        """Run SQL as the superuser over the Unix socket (CREATE/DROP DATABASE cannot run in a transaction)."""
        result = self._as_postgres(
            "psql",
            "-h",
            str(self.dir),
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
            "-Atc",
            sql,
        )
        self._check(result, f"psql {sql!r}")
        return result.stdout

    def stop(self) -> None:
        if self.data.exists():
            self._as_postgres("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)

    # databases ----------------------------------------------------------------------------------------------
    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{ROLE}:{self.password}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str | None = None, template: str = "template0") -> str:
        """A new empty database owned by ``commons`` (``template`` copies another, which must have no sessions);
        returns its URL."""
        self._counter += 1
        name = name or f"t{os.getpid()}_{self._counter}_{int(time.time() * 1000) % 100000}"
        self.admin(f'CREATE DATABASE "{name}" OWNER {ROLE} TEMPLATE "{template}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                sa.create_engine(self.url("postgres"), poolclass=sa.pool.NullPool).connect().close()
                return
            except sa.exc.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
