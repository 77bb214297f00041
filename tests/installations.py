"""Fresh installations for the tests that run real `tidings` processes (serve, worker, backup,
restore, org export and import). Each gets a data directory of its own and a copy of one database
migrated once per test process (`tidings migrate`, on SQLite or on PostgreSQL as the rest of the
suite chooses): migrating takes about ten seconds, a copy a fraction of one. A copy holds no
secret key: each installation makes its own at its first start, as a real one does."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

POSTGRES = os.environ.get("TIDINGS_DATABASE_URL", "")
SQLITE_FILES = ("tidings.sqlite3", "tidings.sqlite3-wal")


def admin() -> Any:
    """A connection to PostgreSQL's own database, to create and drop others."""
    import psycopg

    return psycopg.connect(POSTGRES.rsplit("/", 1)[0] + "/postgres", autocommit=True)


def database_url(name: str) -> str:
    return POSTGRES.rsplit("/", 1)[0] + "/" + name


class Migrated:
    """The database migrated once; `copy` gives an installation its own copy of it."""

    def __init__(self, root: Path) -> None:
        self.data_dir = root
        self.database = f"tidings_migrated_{os.getpid()}" if POSTGRES else ""
        self.copies: list[str] = []
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TIDINGS_", "DJANGO_"))}
        env["TIDINGS_DATA_DIR"] = str(root)
        if POSTGRES:
            with admin() as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
                conn.execute(f"CREATE DATABASE {self.database}")
            env["TIDINGS_DATABASE_URL"] = database_url(self.database)
        command = [sys.executable, "-m", "tidings.cli", "migrate", "--verbosity", "0"]
        subprocess.run(command, env=env, check=True)

    def copy(self, data_dir: Path, name: str) -> dict[str, str]:
        """A copy of the database for an installation in `data_dir` (on PostgreSQL, the database
        `name`, dropped again by `drop` or at the end of the run): the settings that point at it."""
        data_dir.mkdir(parents=True, exist_ok=True)
        settings = {"TIDINGS_DATA_DIR": str(data_dir)}
        if POSTGRES:
            with admin() as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                conn.execute(f"CREATE DATABASE {name} TEMPLATE {self.database}")
            self.copies.append(name)
            settings["TIDINGS_DATABASE_URL"] = database_url(name)
        else:
            for file in SQLITE_FILES:
                if (self.data_dir / file).exists():
                    shutil.copy(self.data_dir / file, data_dir / file)
        return settings

    def drop(self, *names: str) -> None:
        if POSTGRES and names:
            with admin() as conn:
                for name in names:
                    conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def close(self) -> None:
        self.drop(*reversed(self.copies), *([self.database] if self.database else []))
