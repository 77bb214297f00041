"""`tidings org export` and `tidings org import` as an operator runs them: an organisation
exported from one instance and imported into a fresh one is the same organisation (its people and
roles, groups, posts in their audiences, likes, pictures byte for byte, staff, audit log), and a
bad export (changed, hostile, malformed, of another version, or clashing with what is there)
is refused with a message that names the problem, changing nothing."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from tests.installations import Migrated, database_url
from tests.ops.conftest import Team, team
from tests.security.test_backup import Instances

__all__ = ["team"]  # the fixture

Instance = Callable[..., subprocess.CompletedProcess[str]]

# What an organisation is, read the same way on both instances, through the selectors for what
# each person may see.
FACTS = """
import hashlib, json
from collections import Counter
from pathlib import Path
from django.conf import settings
from django.db.models import Q
from tidings.accounts.models import Account
from tidings.groups.models import Group, GroupMember
from tidings.ops.models import Grant
from tidings.orgs.models import AuditEntry, Domain, Membership, Organisation
from tidings.posts import selectors
from tidings.posts.models import Like, Media, Mention, Post, PostTopic
from tidings.search import index
from tidings.search.selectors import find_posts

def rows(query):
    return sorted(json.dumps(list(r), ensure_ascii=False, default=str) for r in query)

def sha(relative):
    return hashlib.sha256((Path(settings.MEDIA_ROOT) / relative).read_bytes()).hexdigest()

def texts(items):
    return sorted(v.post.text for v in items)

org = Organisation.objects.get(slug="demo")
officials = list(Account.objects.filter(organisation=org).values_list("id", flat=True))
owned = Post.objects.filter(Q(organisation=org) | Q(author_id__in=officials))
group = Group.objects.get(organisation=org, name="研發部")
index.index_pending()  # what the worker does with the posts queued for the index
seen = {}
for handle in ("員工", "經理", "顧客"):
    viewer = Account.objects.get(handle=handle)
    seen[handle] = {
        "inside": texts(selectors.space_posts(viewer, organisation_id=org.id, limit=50).items),
        "group": texts(
            selectors.space_posts(viewer, organisation_id=org.id, group_id=group.id, limit=50).items
        ),
        "brand": texts(selectors.official_posts(viewer, officials, limit=50).items),
        "search": texts(find_posts(viewer, "延期", order="latest", limit=50).items),
    }
print(json.dumps({
    "org": [org.name, org.about, org.post_max_length, org.client_audience],
    "domains": rows(Domain.objects.filter(organisation=org).values_list("domain", "verified")),
    "members": rows(
        Membership.objects.filter(organisation=org).values_list("account__handle", "role", "is_active")
    ),
    "officials": rows(Account.objects.filter(organisation=org).values_list("handle", "kind", "posts_count")),
    "staff": rows(
        Grant.objects.filter(account__organisation=org)
        .values_list("account__handle", "person__handle", "role")
    ),
    "groups": rows(Group.objects.filter(organisation=org).values_list("name", "kind", "members_count")),
    "group_members": rows(
        GroupMember.objects.filter(group__organisation=org)
        .values_list("group__name", "account__handle", "role", "state")
    ),
    "kinds": rows(Counter(owned.values_list("kind", "audience")).items()),
    "posts": rows(owned.values_list(
        "kind", "audience", "author__handle", "text", "group__name", "root__text", "reply_to__text",
        "repost_of__text", "likes_count", "comments_count", "reposts_count", "created_at",
    )),
    "likes": rows(Like.objects.filter(post__in=owned).values_list("account__handle", "post__text")),
    "topics": rows(PostTopic.objects.filter(post__in=owned).values_list("topic__name", "post__text")),
    "mentions": rows(Mention.objects.filter(post__in=owned).values_list("account__handle", "post__text")),
    "media": rows((m.post.text, sha(m.file), sha(m.thumbnail), m.width, m.height)
                  for m in Media.objects.filter(post__in=owned).select_related("post")),
    "audit": rows(AuditEntry.objects.filter(organisation=org).exclude(action="org.import")
                  .values_list("action", "actor__handle", "detail", "created_at")),
    "seen": seen,
}, ensure_ascii=False))
"""

# Every table's row count and every media file: what "nothing changed" means.
STATE = """
import json
from pathlib import Path
from django.apps import apps
from django.conf import settings
media = Path(settings.MEDIA_ROOT)
print(json.dumps({
    "rows": {m._meta.db_table: m.objects.count() for m in apps.get_models() if m._meta.managed},
    "media": sorted(p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()),
}))
"""


def _last_json(done: subprocess.CompletedProcess[str]) -> Any:
    return json.loads(done.stdout.strip().splitlines()[-1])


def facts(run: Instance) -> dict[str, Any]:
    return _last_json(run("manage", "shell", "-c", FACTS))


def state(run: Instance) -> dict[str, Any]:
    return _last_json(run("manage", "shell", "-c", STATE))


@pytest.fixture(scope="module")
def instances(tmp_path_factory: pytest.TempPathFactory, migrated: Migrated) -> Instances:
    return Instances(tmp_path_factory.mktemp("org-instances"), migrated)


@pytest.fixture
def fresh(instances: Instances, request: pytest.FixtureRequest) -> Callable[[str], Instance]:
    """fresh("target") -> `tidings ...` on a fresh migrated instance of its own."""
    return lambda name: instances.make(f"roundtrip_{request.node.name[:20]}_{name}".replace("[", "_"))


def _picture() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 200)).save(out, "PNG")
    return out.getvalue()


def _build(team: Team) -> None:
    """The team's organisation with a domain, a private group, posts in every audience, comments,
    reposts, likes (one by an outsider) and a picture."""
    from tidings.accounts.models import Account
    from tidings.groups import services as groups
    from tidings.orgs.models import Domain
    from tidings.posts import services as posts

    org = team.org
    Domain.objects.create(organisation=org, domain="demo.example", verified=True)
    Account.objects.filter(id=team.employee.id).update(email="yuan@demo.example")
    group = groups.create_group(org, actor=team.manager, name="研發部", kind="private")
    groups.invite(group, team.editor, actor=team.manager)
    inside = posts.publish(
        team.employee, text="內部:X15 延期 #產品線# @經理", audience="org", organisation_id=org.id
    )
    secret = posts.publish(team.manager, text="研發部的秘密:X16 延期", audience="group", group_id=group.id)
    public = posts.publish(team.account, text="新品發表 #新品#", images_data=[_picture()])
    first = posts.comment(team.editor, post_id=inside.id, text="收到")
    posts.comment(team.employee, post_id=first.id, text="@編輯 謝謝")
    posts.comment(team.editor, post_id=secret.id, text="只有組員看得到")
    posts.repost(team.admin, post_id=inside.id, comment="大家注意")
    posts.repost(team.account, post_id=public.id, comment="再說一次")
    posts.like(team.admin, post_id=inside.id)
    posts.like(team.editor, post_id=secret.id)
    posts.like(team.customer, post_id=public.id)


def _source(tmp_path: Path) -> Instance:
    """`tidings ...` on the test's own database (committed: the test is transactional) and media."""
    from django.db import connection

    env = {k: v for k, v in os.environ.items() if not k.startswith(("TIDINGS_", "DJANGO_"))}
    env["TIDINGS_DATA_DIR"] = str(tmp_path)  # the tests' MEDIA_ROOT is tmp_path / "media"
    if connection.vendor == "postgresql":
        env["TIDINGS_DATABASE_URL"] = database_url(connection.settings_dict["NAME"])
    else:  # the test database lives in memory: the command reads a copy
        connection.ensure_connection()
        with sqlite3.connect(tmp_path / "tidings.sqlite3") as copy:
            connection.connection.backup(copy)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "tidings.cli", *args], env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        return done

    return run


@pytest.fixture
def exported(team: Team, tmp_path: Path) -> tuple[Instance, Path]:
    _build(team)
    source = _source(tmp_path)
    out = tmp_path / "export-demo"
    assert "Exported" in source("org", "export", "demo", "--out", str(out)).stdout
    return source, out


pytestmark = pytest.mark.django_db(transaction=True)


def test_an_organisation_exported_and_imported_into_a_fresh_instance_is_the_same(exported, fresh):
    source, out = exported
    target = fresh("target")
    done = target("org", "import", str(out))
    assert "demo" in done.stdout
    before, after = facts(source), facts(target)
    assert after == before
    # The facts hold what the organisation is, not empty lists that would match anything.
    assert len(after["members"]) == 6 and len(after["staff"]) == 4
    assert '["員工", "member", true]' in after["members"]
    assert after["domains"] == ['["demo.example", true]']
    assert len(after["posts"]) == 8 and len(after["likes"]) == 3 and len(after["media"]) == 1
    employee, manager, customer = after["seen"]["員工"], after["seen"]["經理"], after["seen"]["顧客"]
    assert "內部:X15 延期 #產品線# @經理" in employee["inside"]
    assert employee["search"] == ["內部:X15 延期 #產品線# @經理"]  # indexed; the group's post is not his
    assert customer["inside"] == [] and customer["group"] == [] and customer["search"] == []
    assert customer["brand"] == employee["brand"] == ["再說一次", "新品發表 #新品#"]
    assert employee["group"] == [] and "研發部的秘密:X16 延期" in manager["group"]
    assert sorted(manager["search"]) == ["內部:X15 延期 #產品線# @經理", "研發部的秘密:X16 延期"]


def test_people_missing_here_are_created_without_a_usable_password(exported, fresh):
    _, out = exported
    target = fresh("target")
    target("org", "import", str(out))
    check = (
        "from tidings.accounts.models import Account; "
        "print(sorted((a.handle, a.has_usable_password(), a.email) for a in Account.objects.all()))"
    )
    people = target("manage", "shell", "-c", check).stdout
    assert "('員工', False, 'yuan@demo.example')" in people
    assert "('顧客', False, '')" in people  # an outsider who liked the brand's post
    assert "對手" not in people  # the rival organisation's admin is nobody the export names


def _sign_up(run: Instance, handle: str, email: str, password: str) -> None:
    run(
        "manage",
        "shell",
        "-c",
        "from tidings.accounts.services import sign_up; "
        f"sign_up(handle={handle!r}, email={email!r}, password={password!r})",
    )


def test_an_account_with_the_same_handle_is_reused_only_with_the_same_email(exported, fresh):
    _, out = exported
    same, other = fresh("same"), fresh("other")
    _sign_up(same, "員工", "Yuan@demo.example", "his own passphrase 1")
    _sign_up(other, "員工", "someone@else.example", "a passphrase of 22")
    other_before = state(other)

    refused = other("org", "import", str(out), ok=False)
    assert refused.returncode == 1
    assert "@員工" in refused.stderr and "@經理" not in refused.stderr
    assert state(other) == other_before

    same("org", "import", str(out))
    check = (
        "from django.contrib.auth import authenticate; from tidings.posts import selectors; "
        "from tidings.orgs.models import Organisation; "
        "me = authenticate(username='員工', password='his own passphrase 1'); "
        "org = Organisation.objects.get(slug='demo'); "
        "print([v.post.text for v in selectors.space_posts(me, organisation_id=org.id).items])"
    )
    # He keeps his password here and is now the employee who sees the inside.
    assert "內部:X15 延期" in same("manage", "shell", "-c", check).stdout


def _rewrite(folder: Path, change: Callable[[list[str]], list[str]]) -> None:
    data = folder / "data.jsonl"
    data.write_text("\n".join(change(data.read_text(encoding="utf-8").splitlines())) + "\n", encoding="utf-8")


def _media_row(lines: list[str]) -> tuple[int, dict[str, Any]]:
    return next((i, json.loads(line)) for i, line in enumerate(lines) if '"type": "media"' in line)


def _tampered_thumbnail(folder: Path) -> str:
    # The picture itself is saved before its thumbnail is read: refused, it must be gone again.
    _, row = _media_row((folder / "data.jsonl").read_text(encoding="utf-8").splitlines())
    thumbnail = folder / row["thumbnail"]["path"]
    data = thumbnail.read_bytes()
    thumbnail.write_bytes(data[:-1] + bytes([data[-1] ^ 0xFF]))  # one byte changed
    return row["thumbnail"]["path"]


def _climbing_path(folder: Path) -> str:
    outside = folder.parent / "outside.png"
    outside.write_bytes(_picture())

    def change(lines: list[str]) -> list[str]:
        i, row = _media_row(lines)
        row["file"] = {"path": "media/../../outside.png", "sha256": hashlib.sha256(_picture()).hexdigest()}
        lines[i] = json.dumps(row, ensure_ascii=False)
        return lines

    _rewrite(folder, change)
    return "media/../../outside.png"


def _hostile_file(folder: Path) -> str:
    page = b"<html><script>alert(document.cookie)</script></html>"
    path = ""

    def change(lines: list[str]) -> list[str]:
        nonlocal path
        i, row = _media_row(lines)
        path = row["file"]["path"]
        (folder / path).write_bytes(page)
        row["file"]["sha256"] = hashlib.sha256(page).hexdigest()  # a checksum alone proves nothing
        lines[i] = json.dumps(row, ensure_ascii=False)
        return lines

    _rewrite(folder, change)
    return path


def _malformed_line(folder: Path) -> str:
    def change(lines: list[str]) -> list[str]:
        i = next(i for i, line in enumerate(lines) if '"type": "like"' in line)
        lines[i] = lines[i][:-5]
        return lines

    _rewrite(folder, change)
    lines = (folder / "data.jsonl").read_text(encoding="utf-8").splitlines()
    return str(next(i for i, line in enumerate(lines, 1) if not line.endswith("}")))


def _other_version(folder: Path) -> str:
    _rewrite(folder, lambda lines: [lines[0].replace('"version": 1', '"version": 99'), *lines[1:]])
    return "99"


def _unknown_record(folder: Path) -> str:
    _rewrite(folder, lambda lines: [*lines, json.dumps({"type": "backdoor", "handle": "x"})])
    return "backdoor"


SPOILS = [
    _tampered_thumbnail,
    _climbing_path,
    _hostile_file,
    _malformed_line,
    _other_version,
    _unknown_record,
]


def test_a_bad_export_is_refused_with_a_message_naming_the_problem_and_changes_nothing(
    exported, fresh, tmp_path
):
    _, out = exported
    target = fresh("target")
    before = state(target)
    for spoil in SPOILS:
        bad = tmp_path / spoil.__name__ / "export"
        shutil.copytree(out, bad)
        named = spoil(bad)
        refused = target("org", "import", str(bad), ok=False)
        assert refused.returncode == 1, spoil.__name__
        assert refused.stderr.startswith("tidings: ") and named in refused.stderr, (
            spoil.__name__,
            refused.stderr,
        )
        assert state(target) == before, spoil.__name__
    # The same instance takes the sound export afterwards: no refusal left anything in its way.
    target("org", "import", str(out))
    imported = state(target)
    # Imported once, the slug is taken: importing again is refused and changes nothing.
    refused = target("org", "import", str(out), ok=False)
    assert refused.returncode == 1 and "demo" in refused.stderr
    assert state(target) == imported
