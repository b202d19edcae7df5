"""A real PostgreSQL server in a temporary folder (Debian's `postgresql` package: initdb + pg_ctl), for tests."""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from evals.processes import free_port

# Debian keeps the server programs out of PATH, in a folder per major version.
SEARCH = ("/usr/lib/postgresql/*/bin",)
# initdb and postgres refuse to run as root; tests run as root in CI, so the server runs as this user.
SERVER_USER = "nobody"


def find_binaries() -> tuple[Path, Path] | None:
    """(initdb, pg_ctl) from PATH or Debian's folders, newest version first; None when not installed."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        return Path(initdb), Path(pg_ctl)
    for folder in sorted((path for pattern in SEARCH for path in glob.glob(pattern)), reverse=True):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder) / "initdb", Path(folder) / "pg_ctl"
    return None


def skip_reason() -> str:
    """Why the PostgreSQL variants of the tests cannot run here, or "" when they can."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed: run `pip install -c constraints.txt -e '.[test]'`"
    if find_binaries() is None:
        return ("PostgreSQL is not installed (no initdb on PATH or in /usr/lib/postgresql/*/bin): "
                "`make test` installs Debian's postgresql package, or run `apt-get install postgresql`")
    return ""


class PostgresServer:
    """One cluster on a free loopback port, trusting local connections; each test asks for its own database."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="rag-postgres-"))
        self.data, self.log = self.root / "data", self.root / "server.log"
        self.port = free_port()
        self._names = itertools.count(1)
        self._as_user: list[str] = []

    def start(self) -> None:
        binaries = find_binaries()
        if binaries is None:
            pytest.skip(skip_reason())
        initdb, pg_ctl = binaries
        if os.geteuid() == 0:
            user = pwd.getpwnam(SERVER_USER)
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self._as_user = ["runuser", "-u", SERVER_USER, "--"]
        self._run([str(initdb), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                   "--no-locale", "--no-sync"])
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories='' "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        self._run([str(pg_ctl), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start"])

    def new_database(self) -> str:
        """A fresh, empty database; returns its URL as a user would write it in RAG_DATABASE_URL."""
        import psycopg

        name = f"test_{next(self._names)}"
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def dsn(self, database: str) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={database}"

    def stop(self) -> None:
        binaries = find_binaries()
        if binaries and (self.data / "postmaster.pid").exists():
            self._run([str(binaries[1]), "-D", str(self.data), "-m", "immediate", "-w", "stop"], check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, command: list[str], check: bool = True) -> None:
        result = subprocess.run(self._as_user + command, capture_output=True, text=True, timeout=120)
        if check and result.returncode != 0:
            log = self.log.read_text()[-2000:] if self.log.exists() else ""
            pytest.fail(f"{Path(command[0]).name} failed ({result.returncode}): {result.stderr[-2000:]}\n{log}")
