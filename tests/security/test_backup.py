"""`tidings backup` and `tidings restore` as an operator runs them: a fresh instance restored from
the archive holds the same rows in every table, the same media files byte for byte and the same
secret key (so people log in with their passwords and signed links still work). A restore never
runs over data, and a damaged or hostile archive changes nothing."""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import os
import subprocess
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.installations import POSTGRES, Migrated

Instance = Callable[..., subprocess.CompletedProcess[str]]

MAKE_DATA = """
import io
from PIL import Image
from tidings.accounts import services as accounts
from tidings.orgs import services as orgs
from tidings.posts import services as posts
owner = accounts.sign_up(handle="老闆", password="a long enough passphrase")
org = orgs.create_organisation(slug="demo", name="示範科技", owner=owner)
picture = io.BytesIO()
Image.new("RGB", (40, 30), (200, 30, 30)).save(picture, "PNG")
posts.publish(owner, text="公開的新品消息 #新品#", images_data=[picture.getvalue()])
posts.publish(owner, text="內部:X15 延期", audience="org", organisation_id=org.id)
"""

FACTS = """
import hashlib, json
from pathlib import Path
from typing import Any
from django.apps import apps
from django.conf import settings
from django.contrib.auth import authenticate
from django.core import signing
from tidings.posts.models import Post
media = Path(settings.MEDIA_ROOT)
print(json.dumps({
    "rows": {m._meta.db_table: m.objects.count() for m in apps.get_models() if m._meta.managed},
    "media": {p.relative_to(media).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
              for p in sorted(media.rglob("*")) if p.is_file()},
    "login": authenticate(username="老闆", password="a long enough passphrase") is not None,
    "signed": signing.dumps("hello", salt="backup-test"),
    "texts": sorted(Post.objects.values_list("text", flat=True)),
}))
"""

READ_SIGNED = """
from django.core import signing
print(signing.loads({token!r}, salt="backup-test"))
"""


class Instances:
    """Fresh instances, each with its own data directory and a copy of the migrated database
    (tests/installations.py); each makes its own secret key."""

    def __init__(self, root: Path, migrated: Migrated) -> None:
        self.root = root
        self.migrated = migrated

    def make(self, name: str) -> Instance:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TIDINGS_", "DJANGO_"))}
        database = f"tidings_backup_{os.getpid()}_{name}" if POSTGRES else ""
        env.update(self.migrated.copy(self.root / name, database))  # dropped at the run's end

        def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
            done = subprocess.run(
                [sys.executable, "-m", "tidings.cli", *args],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if ok:
                assert done.returncode == 0, done.stderr
            return done

        return run


@pytest.fixture(scope="module")
def instances(tmp_path_factory: pytest.TempPathFactory, migrated: Migrated) -> Instances:
    return Instances(tmp_path_factory.mktemp("instances"), migrated)


_numbers = itertools.count(1)


@pytest.fixture
def instance(instances: Instances) -> Callable[[str], Instance]:
    """instance("target") -> a function running `tidings ...` on a fresh instance."""
    return lambda name: instances.make(f"{name}_{next(_numbers)}")


def facts(run: Instance) -> dict:
    return json.loads(run("manage", "shell", "-c", FACTS).stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def backed_up(instances: Instances) -> tuple[Instance, Path]:
    source = instances.make("source")
    source("manage", "shell", "-c", MAKE_DATA)
    archive = instances.root / "backup.tar.gz"
    printed = source("backup", "--out", str(archive)).stdout
    assert "2 media files" in printed  # the picture and its thumbnail
    return source, archive


def test_a_fresh_instance_restored_from_a_backup_has_the_same_rows_media_and_secret(backed_up, instance):
    source, archive = backed_up
    target = instance("target")

    printed = target("restore", str(archive)).stdout

    before, after = facts(source), facts(target)
    assert "every count and checksum matches" in printed
    assert after["rows"] == before["rows"] and sum(after["rows"].values()) > 0
    assert after["media"] == before["media"] and len(after["media"]) == 2
    assert after["texts"] == sorted(["公開的新品消息 #新品#", "內部:X15 延期"])
    assert after["login"] is True
    # A link signed by the old server (a password reset, an email confirmation) still opens.
    script = READ_SIGNED.format(token=before["signed"])
    assert target("manage", "shell", "-c", script).stdout.strip().splitlines()[-1] == "hello"


def test_the_archive_is_readable_by_its_owner_only(backed_up):
    _source, archive = backed_up

    assert archive.stat().st_mode & 0o077 == 0


def test_a_restore_over_an_instance_that_holds_data_is_refused_and_changes_nothing(backed_up, instance):
    _source, archive = backed_up
    busy = instance("busy")
    busy(
        "manage",
        "shell",
        "-c",
        "from tidings.accounts import services as a; a.sign_up(handle='已有人', password='x' * 12)",
    )
    before = facts(busy)

    refused = busy("restore", str(archive), ok=False)

    assert refused.returncode == 1
    assert "already holds data (1 accounts)" in refused.stderr
    assert facts(busy)["rows"] == before["rows"]


def rewrite(archive: Path, out: Path, change: Callable[[str, bytes], tuple[str, bytes] | None]) -> Path:
    """A copy of the archive with each member passed through `change` (None drops it)."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(out, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            changed = change(member.name, data)
            if changed is not None:
                info = tarfile.TarInfo(changed[0])
                info.size = len(changed[1])
                target.addfile(info, io.BytesIO(changed[1]))
    return out


def damaged_picture(name: str, data: bytes) -> tuple[str, bytes]:
    return (name, data + b"x") if name.startswith("media/posts/") else (name, data)


def climbing_name(name: str, data: bytes) -> tuple[str, bytes]:
    return ("../../escaped.txt", data) if name.startswith("media/posts/") else (name, data)


def no_manifest(name: str, data: bytes) -> tuple[str, bytes] | None:
    return None if name == "manifest.json" else (name, data)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (damaged_picture, "is missing or damaged"),
        (climbing_name, "unsafe or damaged entry"),
        (no_manifest, "not a Tidings backup"),
    ],
    ids=["damaged-picture", "name-with-dot-dot", "no-manifest"],
)
def test_a_damaged_or_hostile_archive_is_refused_and_the_instance_stays_fresh(
    backed_up, instance, tmp_path, change, message
):
    _source, archive = backed_up
    bad = rewrite(archive, tmp_path / "bad.tar.gz", change)
    target = instance("target")
    before = facts(target)

    refused = target("restore", str(bad), ok=False)

    assert refused.returncode == 1 and message in refused.stderr
    assert facts(target)["rows"] == before["rows"]
    assert not Path("/escaped.txt").exists() and not Path("/tmp/escaped.txt").exists()


def test_a_file_that_is_not_a_backup_is_refused_with_the_reason(instance, tmp_path):
    target = instance("target")
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(hashlib.sha256(b"junk").digest() * 100)

    refused = target("restore", str(junk), ok=False)
    missing = target("restore", str(tmp_path / "nowhere.tar.gz"), ok=False)

    assert refused.returncode == 1 and "is not a Tidings backup" in refused.stderr
    assert missing.returncode == 1 and "No backup at" in missing.stderr
