"""What replaces the internal forum: must-read announcements with read receipts, and questions
with an accepted answer; all inside the organisation and refused to everyone else."""

from __future__ import annotations

import pytest
from django.test import Client

from tidings.core.errors import Forbidden, Invalid
from tidings.groups import forum
from tidings.orgs import services as orgs
from tidings.posts import services as posts
from tidings.posts.models import Post, ReadReceipt

from .helpers import EN

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(make_account, client_for):
    admin, alice, bob, outsider = (make_account(h) for h in ("主管", "小艾", "小柏", "外人"))
    org = orgs.create_organisation(slug="acme", name="Acme", owner=admin)
    orgs.add_member(org, alice)
    orgs.add_member(org, bob)
    clients = {a.handle: client_for(a) for a in (admin, alice, bob, outsider)}
    for c in clients.values():
        c.defaults.update(EN)
    return org, {a.handle: a for a in (admin, alice, bob, outsider)}, clients


def announce(org, author, text="週五全員大會,請務必出席"):
    return posts.publish(author, text=text, audience="org", organisation_id=org.id, flavour="announcement")


def test_an_announcement_stays_on_top_until_read_and_the_author_sees_who_has_not(acme):
    org, people, clients = acme
    post = announce(org, people["主管"])
    page = clients["小艾"].get("/o/acme/").content.decode()
    assert "Announcements to read" in page and f"/p/{post.id}/read/" in page
    assert clients["小艾"].post(f"/p/{post.id}/read/", {"next": "/o/acme/"}).status_code == 302
    assert "Announcements to read" not in clients["小艾"].get("/o/acme/").content.decode()
    receipts = clients["主管"].get(f"/p/{post.id}/receipts/").content.decode()
    assert "1 read, 1 not yet." in receipts and "@小柏" in receipts


def test_only_admins_make_announcements_and_only_inside(acme):
    org, people, _clients = acme
    with pytest.raises(Forbidden):
        announce(org, people["小艾"])
    with pytest.raises(Invalid):
        posts.publish(people["主管"], text="公開公告", flavour="announcement")
    assert not Post.objects.exists()


def test_receipts_are_for_the_author_and_refused_to_members_and_outsiders(acme):
    org, people, clients = acme
    post = announce(org, people["主管"])
    assert clients["小艾"].get(f"/p/{post.id}/receipts/").status_code == 403
    assert clients["外人"].get(f"/p/{post.id}/receipts/").status_code == 404
    assert clients["外人"].post(f"/p/{post.id}/read/").status_code == 404
    assert Client().get(f"/p/{post.id}/receipts/").status_code == 302
    assert not ReadReceipt.objects.exists()


def test_the_asker_accepts_the_comment_that_answered(acme):
    org, people, clients = acme
    question = posts.publish(
        people["小艾"], text="VPN 連不上怎麼辦?", audience="org", organisation_id=org.id, flavour="question"
    )
    answer = posts.comment(people["小柏"], post_id=question.id, text="先重開客戶端再試")
    page = clients["小艾"].get(f"/p/{question.id}/").content.decode()
    assert "Accept as answer" in page
    assert "Accept as answer" not in clients["小柏"].get(f"/p/{question.id}/").content.decode()
    assert clients["小艾"].post(f"/p/{question.id}/accept/", {"answer": str(answer.id)}).status_code == 302
    assert Post.objects.get(id=question.id).accepted_answer_id == answer.id
    page = clients["小柏"].get(f"/p/{question.id}/").content.decode()
    assert "Accepted answer" in page and "Answered" in page


def test_only_the_asker_accepts_and_only_a_comment_under_the_question(acme):
    org, people, clients = acme
    question = posts.publish(
        people["小艾"], text="問題", audience="org", organisation_id=org.id, flavour="question"
    )
    other = posts.publish(people["小柏"], text="別的貼文", audience="org", organisation_id=org.id)
    stray = posts.comment(people["小柏"], post_id=other.id, text="不相干的留言")
    with pytest.raises(Invalid):
        forum.accept_answer(people["小艾"], question_id=question.id, comment_id=stray.id)
    answer = posts.comment(people["小柏"], post_id=question.id, text="答案")
    assert clients["小柏"].post(f"/p/{question.id}/accept/", {"answer": str(answer.id)}).status_code == 403
    assert clients["外人"].post(f"/p/{question.id}/accept/", {"answer": str(answer.id)}).status_code == 404
    assert Post.objects.get(id=question.id).accepted_answer_id is None
