"""The index follows the posts: a post is found once its event has run, by its new words after
an edit and not at all after a delete; what a stopped worker left queued is caught up; and
`tidings search reindex` rebuilds everything from the database."""

from __future__ import annotations

import pytest
from django.db import connection

from tidings import cli
from tidings.posts import services as posts
from tidings.search import index
from tidings.search.models import NameEntry, Pending
from tidings.search.selectors import find_people, find_posts

from .conftest import texts

pytestmark = pytest.mark.django_db


def found(viewer, text) -> list[str]:
    return texts(find_posts(viewer, text, order="latest"))


def index_rows(post_id: int) -> int:
    """How many rows of the full-text index hold this post."""
    if index.is_postgres():
        sql = "SELECT count(*) FROM search_document WHERE post_id = %s"
    else:
        sql = "SELECT count(*) FROM search_fts WHERE rowid = %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [post_id])
        return int(cursor.fetchone()[0])


def clear_the_index() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_document" if index.is_postgres() else "DELETE FROM search_fts")


def test_an_edited_post_is_found_by_its_new_words_only(make_account, say, run_hooks):
    author = make_account()
    post = say(author, "戴爾筆電開箱")

    with run_hooks():
        posts.edit(author, post_id=post.id, text="華碩筆電開箱")

    assert found(author, "华硕") == ["華碩筆電開箱"]
    assert found(author, "戴尔") == []
    assert found(author, "筆電") == ["華碩筆電開箱"]
    assert index_rows(post.id) == 1


def test_a_deleted_post_is_not_found_and_leaves_the_index(make_account, say, run_hooks):
    author = make_account()
    post = say(author, "要刪掉的新品消息")
    say(author, "留下的新品消息")
    assert index_rows(post.id) == 1

    with run_hooks():
        posts.delete(author, post_id=post.id)

    assert found(author, "新品") == ["留下的新品消息"]
    assert index_rows(post.id) == 0
    assert not Pending.objects.exists()


def test_a_plain_repost_is_not_indexed_but_a_repost_with_words_is(make_account, say, run_hooks):
    author, fan = make_account(), make_account()
    original = say(author, "戴爾新品")
    with run_hooks():
        plain = posts.repost(fan, post_id=original.id)
        quoted = posts.repost(fan, post_id=original.id, comment="推薦這台筆電")

    assert index_rows(plain.id) == 0
    assert found(fan, "戴尔") == ["戴爾新品"]  # the original once, not its plain repost too
    assert [v.post.id for v in find_posts(fan, "筆電").items] == [quoted.id]


def test_a_comment_is_found(make_account, say, run_hooks):
    author, fan = make_account(), make_account()
    original = say(author, "新品上市")
    with run_hooks():
        posts.comment(fan, post_id=original.id, text="客服電話多少")

    assert found(fan, "客服") == ["客服電話多少"]


def test_what_a_stopped_worker_left_queued_is_found_after_the_catch_up(make_account):
    author = make_account()
    # Published, but the events never ran: the worker stopped before indexing it.
    post = posts.publish(author, text="工作者停了才發的新品")
    assert Pending.objects.filter(post_id=post.id).exists()
    assert found(author, "新品") == []

    assert index.index_pending() == 1  # what the periodic catch-up runs

    assert found(author, "新品") == ["工作者停了才發的新品"]
    assert not Pending.objects.exists()
    assert index.index_pending() == 0  # running it again changes nothing
    assert index_rows(post.id) == 1


def test_an_edit_the_worker_missed_shows_the_old_words_until_the_catch_up(make_account, say):
    author = make_account()
    post = say(author, "戴爾筆電")
    posts.edit(author, post_id=post.id, text="華碩筆電")  # events not run

    assert found(author, "华硕") == []

    index.index_pending()

    assert found(author, "华硕") == ["華碩筆電"]
    assert found(author, "戴尔") == []


def test_reindex_from_the_command_line_rebuilds_posts_and_names(make_account, say, run_hooks, capsys):
    author, fan = make_account("戴爾中國"), make_account()
    original = say(author, "戴爾新品上市")
    say(author, "客服電話")
    with run_hooks():
        posts.repost(fan, post_id=original.id)  # plain: not indexed
    clear_the_index()
    NameEntry.objects.all().delete()
    assert found(author, "新品") == []
    assert find_people("戴尔") == []

    assert cli.main(["search", "reindex"]) == 0

    out = capsys.readouterr().out
    names = NameEntry.objects.count()
    assert names == 2  # the two accounts
    assert "2/2 posts" in out
    assert f"Indexed 2 posts and {names} names." in out
    assert found(author, "新品") == ["戴爾新品上市"]
    assert found(author, "客服") == ["客服電話"]
    assert [a.handle for a in find_people("戴尔")] == ["戴爾中國"]


def test_reindex_drops_rows_of_posts_that_are_gone_and_the_queue(make_account, say):
    author = make_account()
    kept = say(author, "留下的新品")
    gone = posts.publish(author, text="刪了還沒重新索引的新品")
    gone_id = gone.id
    index.index_pending()
    gone.delete()  # its events never ran: the index still holds it, and it is queued
    assert index_rows(gone_id) == 1

    assert index.reindex() == 1

    assert index_rows(gone_id) == 0
    assert index_rows(kept.id) == 1
    assert not Pending.objects.exists()
