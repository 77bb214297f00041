"""Fresh installations for the tests that run real `tidings` processes (serve, worker, backup,
restore, org export and import). Each gets a data directory of its own and a copy of one database
migrated once per run (`tidings migrate`, on SQLite or on PostgreSQL as the rest of the suite
chooses): migrating takes some 15 s of one core, a copy a fraction of one. The tests' own database
(pytest-django's) is such a copy too. A copy holds no secret key: each installation makes its own
at its first start, as a real one does."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest

POSTGRES = os.environ.get("TIDINGS_DATABASE_URL", "")
SQLITE_FILES = ("tidings.sqlite3", "tidings.sqlite3-wal")


def admin() -> Any:
    """A connection to PostgreSQL's own database, to create and drop others."""
    import psycopg

    return psycopg.connect(POSTGRES.rsplit("/", 1)[0] + "/postgres", autocommit=True)


def database_url(name: str) -> str:
    return POSTGRES.rsplit("/", 1)[0] + "/" + name


def migrate(data_dir: Path, database: str) -> None:
    """`tidings migrate` into a data directory (and, on PostgreSQL, a new database of that name)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TIDINGS_", "DJANGO_"))}
    env["TIDINGS_DATA_DIR"] = str(data_dir)
    if POSTGRES:
        with admin() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {database}")
        env["TIDINGS_DATABASE_URL"] = database_url(database)
    command = [sys.executable, "-m", "tidings.cli", "migrate", "--verbosity", "0"]
    subprocess.run(command, env=env, check=True)


def clone(source_dir: Path, source_database: str, data_dir: Path, database: str) -> None:
    """A copy of a migrated database: on PostgreSQL the database `database` from the template
    `source_database`, on SQLite the files of `source_dir` in `data_dir`."""
    data_dir.mkdir(parents=True, exist_ok=True)
    if POSTGRES:
        with admin() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {database} TEMPLATE {source_database}")
        return
    for file in SQLITE_FILES:
        if (source_dir / file).exists():
            shutil.copy(source_dir / file, data_dir / file)


def shared_database(shared: Path) -> str:
    """The PostgreSQL database a run migrates once, named after the run's directory so that runs
    side by side (CI's and a developer's) each have their own."""
    return f"tidings_migrated_run_{zlib.crc32(str(shared).encode())}"


class Migrated:
    """The database migrated once per run; `copy` gives an installation its own copy of it.

    Migrating takes some 15 s of one core (Django renders the models' states again and again),
    so the test processes of a run share it: the first to come migrates into `shared` (the run's
    own temporary directory) and each takes a copy of its own under a lock. On PostgreSQL, the
    run drops the shared database when it ends (tests/conftest.py)."""

    def __init__(self, root: Path, shared: Path) -> None:
        self.data_dir = root
        self.database = f"tidings_migrated_{os.getpid()}" if POSTGRES else ""
        self.copies: list[str] = []
        with (shared / "migrated.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            done = shared / "migrated" / "done"
            if not done.exists():
                migrate(shared / "migrated", shared_database(shared) if POSTGRES else "")
                done.touch()
            clone(shared / "migrated", shared_database(shared) if POSTGRES else "", root, self.database)

    def copy(self, data_dir: Path, name: str) -> dict[str, str]:
        """A copy of the database for an installation in `data_dir` (on PostgreSQL, the database
        `name`, dropped again by `drop` or at the end of the run): the settings that point at it."""
        clone(self.data_dir, self.database, data_dir, name)
        settings = {"TIDINGS_DATA_DIR": str(data_dir)}
        if POSTGRES:
            self.copies.append(name)
            settings["TIDINGS_DATABASE_URL"] = database_url(name)
        return settings

    def drop(self, *names: str) -> None:
        if POSTGRES and names:
            with admin() as conn:
                for name in names:
                    conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def close(self) -> None:
        self.drop(*reversed(self.copies), *([self.database] if self.database else []))


# Browser flows about what pages show and how they behave, whose server side runs in process on
# both databases elsewhere in the suite, run in CI's first pass only (SQLite): a second pass on
# PostgreSQL proves nothing more of them and costs about 80 s. The flows that go through live
# delivery, the worker or several processes run in both.
SQLITE_PASS_ONLY = pytest.mark.skipif(
    bool(POSTGRES),
    reason="a browser flow whose server side the in-process tests cover on PostgreSQL: it runs in the "
    "SQLite pass",
)
