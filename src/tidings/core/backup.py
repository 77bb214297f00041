"""`tidings backup` and `tidings restore`: the database, the media files and the secret key in one
archive, checked on the way back.

The database is copied by its own tools, consistently while the server runs: SQLite's online
backup API, PostgreSQL's pg_dump inside the same snapshot the row counts are read from. The
archive's manifest holds those counts and each media file's SHA-256; a restore refuses to run on
an instance that already holds data, then checks that every count and checksum came back. The job
queue and Redis (timelines, rate limits) are not kept: the timelines rebuild from the database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections

from tidings.core import redis as tredis
from tidings.core.errors import Invalid

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_NAME = "database.sqlite3"
PG_NAME = "database.pgdump"
SECRET_NAME = "secret_key"


@dataclass(frozen=True)
class Report:
    tables: int
    rows: int
    media_files: int
    media_bytes: int
    secret_kept: bool


def _engine() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


def _counts(cursor: Any) -> dict[str, int]:
    counts = {}
    for table in sorted(connection.introspection.django_table_names(only_existing=True)):
        # The names are our own tables', read from the schema and quoted.
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _media() -> dict[str, dict[str, Any]]:
    root = _media_root()
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): {"sha256": _sha256(path), "bytes": path.stat().st_size}
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def _pg_url() -> str:
    return str(settings.DATABASE_URL)


@contextlib.contextmanager
def _database_copy(work: Path) -> Iterator[tuple[Path, dict[str, int]]]:
    """A consistent copy of the database and the row counts of that very copy."""
    if _engine() == "sqlite":
        target = work / SQLITE_NAME
        source = sqlite3.connect(settings.DATABASES["default"]["NAME"])
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            source.close()
            copy.close()
        counted = sqlite3.connect(target)
        try:
            yield target, _counts(counted.cursor())
        finally:
            counted.close()
        return
    target = work / PG_NAME
    # Count and dump inside one snapshot, so the counts describe exactly what the dump holds.
    with connection.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _counts(cursor)
            subprocess.run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                    f"--dbname={_pg_url()}",
                ],
                check=True,
                capture_output=True,
            )
        finally:
            cursor.execute("ROLLBACK")
    yield target, counts


def backup(out: Path) -> Report:
    """Write the archive to `out` (readable by its owner only) and say what it holds."""
    with tempfile.TemporaryDirectory(prefix="tidings-backup-") as tmp:
        work = Path(tmp)
        with _database_copy(work) as (database, counts):
            media = _media()
            secret = settings.DATA_DIR / SECRET_NAME
            secret_kept = not os.environ.get("TIDINGS_SECRET_KEY") and secret.is_file()
            manifest = {
                "format": FORMAT,
                "made_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "engine": _engine(),
                "tables": counts,
                "media": media,
                "secret_key": secret_kept,
            }
            partial = out.with_name(out.name + ".partial")
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz", compresslevel=1) as tar:
                data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mode = len(data), 0o600
                tar.addfile(info, io.BytesIO(data))
                tar.add(database, arcname=database.name)
                if secret_kept:
                    tar.add(secret, arcname=SECRET_NAME)
                root = _media_root()
                for relative in media:
                    tar.add(root / relative, arcname=f"media/{relative}")
            os.replace(partial, out)
    return Report(
        len(counts), sum(counts.values()), len(media), sum(m["bytes"] for m in media.values()), secret_kept
    )


def _read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.getmember(MANIFEST)
        extracted = tar.extractfile(member)
        manifest = json.loads(extracted.read(1 << 24)) if extracted else None
    except (KeyError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise Invalid("This file is not a Tidings backup (no manifest of a known format).")
    return manifest


def _holds_data() -> int:
    from tidings.accounts.models import Account

    try:
        return Account.objects.count()
    except Exception:  # no tables yet: a database never migrated is fresh
        return 0


def _replace_sqlite(source: Path) -> None:
    target = Path(settings.DATABASES["default"]["NAME"])
    connections.close_all()
    staged = target.with_name(target.name + ".restoring")
    shutil.copyfile(source, staged)
    for stale in (target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
        stale.unlink(missing_ok=True)  # an old WAL replayed over the new file would corrupt it
    os.replace(staged, target)


def _restore_postgres(dump: Path) -> None:
    connections.close_all()
    done = subprocess.run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={_pg_url()}",
            str(dump),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise Invalid(f"pg_restore failed: {done.stderr.strip()[-500:]}")


def restore(archive: Path) -> Report:
    """Put the archive's database, media and secret key in place on a fresh instance, then check
    every table's row count and every file's checksum against the manifest."""
    if not archive.is_file():
        raise Invalid(f"No backup at {archive}.")
    try:
        tar = tarfile.open(archive, mode="r:gz")
    except (tarfile.TarError, OSError) as error:
        raise Invalid(f"{archive} is not a Tidings backup: {error}") from None
    with tar, tempfile.TemporaryDirectory(prefix="tidings-restore-") as tmp:
        manifest = _read_manifest(tar)
        if manifest["engine"] != _engine():
            raise Invalid(
                f"This backup is of a {manifest['engine']} database and this instance uses {_engine()}: "
                "restore it onto an instance of the same kind."
            )
        if held := _holds_data():
            raise Invalid(
                f"This instance already holds data ({held} accounts): restore onto a fresh one "
                "(a new data directory, or an empty database)."
            )
        work = Path(tmp)
        # The "data" filter refuses absolute names, "..", links out of the folder and devices.
        try:
            tar.extractall(work, filter="data")
        except (tarfile.TarError, OSError) as error:
            raise Invalid(f"The backup holds an unsafe or damaged entry: {error}") from None
        name = SQLITE_NAME if manifest["engine"] == "sqlite" else PG_NAME
        if not (work / name).is_file():
            raise Invalid("The backup has no database in it.")
        media = manifest["media"]
        for relative, expected in media.items():
            path = work / "media" / relative
            if not path.is_file() or _sha256(path) != expected["sha256"]:
                raise Invalid(f"The backup's copy of media/{relative} is missing or damaged.")
        if manifest["engine"] == "sqlite":
            _replace_sqlite(work / name)
        else:
            _restore_postgres(work / name)
        root = _media_root()
        for relative in media:
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(work / "media" / relative, target)
        if manifest["secret_key"]:
            secret = settings.DATA_DIR / SECRET_NAME
            secret.write_text((work / SECRET_NAME).read_text())
            secret.chmod(0o600)
    if tredis.enabled():  # timelines and counters of whatever was here before: rebuilt from the database
        client = tredis.client()
        for key in client.scan_iter(match=f"{settings.REDIS_PREFIX}*", count=1000):
            client.delete(key)
    return _check(manifest)


def _check(manifest: dict[str, Any]) -> Report:
    with connection.cursor() as cursor:
        counts = _counts(cursor)
    wrong = [t for t, n in manifest["tables"].items() if counts.get(t) != n]
    if wrong:
        raise Invalid(f"Restored, but these tables do not hold what the backup counted: {', '.join(wrong)}.")
    media = _media()
    damaged = [r for r, m in manifest["media"].items() if media.get(r, {}).get("sha256") != m["sha256"]]
    if damaged:
        raise Invalid(f"Restored, but these media files differ from the backup: {', '.join(damaged[:10])}.")
    return Report(
        len(counts),
        sum(counts.values()),
        len(manifest["media"]),
        sum(m["bytes"] for m in manifest["media"].values()),
        bool(manifest["secret_key"]),
    )
