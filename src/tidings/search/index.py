"""Writing the full-text index: SQLite FTS5 embedded, a tsvector with a GIN index on PostgreSQL.

Posts are queued (`Pending`) in the transaction that changes them and indexed by the worker in
batches; what is still queued after a restart is caught up by the periodic task. A stale row
never shows: every search joins the live post and its audience.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from tidings.posts.models import Post
from tidings.search import terms as cut
from tidings.search.models import Pending

log = logging.getLogger(__name__)
BATCH = 500
# Plain reposts say nothing of their own: the original is what is found.
_INDEXED = Post.objects.exclude(kind=Post.Kind.REPOST, text="")


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def queue(post_ids: Iterable[int]) -> None:
    """Mark posts to (re)index, inside the caller's transaction; the worker runs once it commits."""
    ids = list(post_ids)
    if not ids:
        return
    now = timezone.now()
    # Already queued: it is read when indexed, so once is enough.
    Pending.objects.bulk_create([Pending(post_id=i, queued_at=now) for i in ids], ignore_conflicts=True)
    from tidings.search import tasks

    transaction.on_commit(tasks.index_pending, robust=True)


def _tsvector(terms: cut.Terms) -> str:
    """The tsvector's text form: each term with its position and weight, built here rather than
    by PostgreSQL's parser, which does not know where Chinese words begin."""
    parts: list[str] = []
    for offset, weight, stream in ((1, "A", terms.latin), (4001, "B", terms.grams), (8001, "C", terms.words)):
        parts.extend(f"'{t}':{offset + i}{weight}" for i, t in enumerate(stream))
    return " ".join(parts)


def _write(rows: list[tuple[int, str]]) -> None:
    """Replace the index rows of these posts; an empty text drops the post."""
    ids = [pid for pid, _ in rows]
    with connection.cursor() as cursor:
        table = "search_document" if is_postgres() else "search_fts"
        key = "post_id" if is_postgres() else "rowid"
        marks = ",".join(["%s"] * len(ids))
        cursor.execute(f"DELETE FROM {table} WHERE {key} IN ({marks})", ids)  # noqa: S608 - fixed names
        values: list[tuple[Any, ...]] = []
        for pid, text in rows:
            if not text:
                continue
            terms = cut.document(text)
            if is_postgres():
                values.append((pid, _tsvector(terms)))
            else:
                values.append((pid, " ".join(terms.latin), " ".join(terms.grams), " ".join(terms.words)))
        if not values:
            return
        if is_postgres():
            cursor.executemany(
                "INSERT INTO search_document (post_id, document) VALUES (%s, %s::tsvector)", values
            )
        else:
            cursor.executemany(
                "INSERT INTO search_fts (rowid, latin, grams, words) VALUES (%s, %s, %s, %s)", values
            )


# Take a batch off the queue and keep it, in one statement: in the same transaction the texts are
# read and the index written. A post queued again meanwhile waits on the taken row (PostgreSQL)
# or on the write lock (SQLite), and is queued anew once this commits: never indexed stale.
_CLAIM = (
    "DELETE FROM search_pending WHERE post_id IN "
    "(SELECT post_id FROM search_pending ORDER BY post_id LIMIT %s{skip}) RETURNING post_id"
)


def index_pending(*, batch: int = BATCH) -> int:
    """Index what is queued, a batch per transaction, until nothing is left. Two workers at once
    take different batches (PostgreSQL skips rows another holds) or wait for each other (SQLite)."""
    done = 0
    claim = _CLAIM.format(skip=" FOR UPDATE SKIP LOCKED" if is_postgres() else "")
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(claim, [batch])
            ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                return done
            texts = dict(_INDEXED.filter(id__in=ids).values_list("id", "text"))
            _write([(pid, texts.get(pid, "")) for pid in ids])
        done += len(ids)


def reindex(progress: Callable[[int, int], None] | None = None, *, batch: int = 2000) -> int:
    """Rebuild the whole index from the posts (`tidings search reindex`)."""
    total = _INDEXED.count()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_document" if is_postgres() else "DELETE FROM search_fts")
        Pending.objects.all().delete()
    done, after = 0, -1
    while True:
        rows = list(_INDEXED.filter(id__gt=after).order_by("id").values_list("id", "text")[:batch])
        if not rows:
            break
        with transaction.atomic():
            _write(rows)
        done += len(rows)
        after = rows[-1][0]
        if progress:
            progress(done, total)
    if not is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
    return done
