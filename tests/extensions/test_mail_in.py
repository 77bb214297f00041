"""Post by email: an address for one person and one audience; the mail server pipes a message to
`tidings mail-in`, and its subject and plain text become the post, or it is bounced with why."""

from __future__ import annotations

import io
from email.message import EmailMessage

import pytest

from tidings.core.errors import Invalid, NotFound
from tidings.extensions import mail_in
from tidings.extensions.models import MailAddress
from tidings.posts.models import Post


def mail(to: str, subject: str = "", body: str = "", html: str = "") -> bytes:
    message = EmailMessage()
    message["From"] = "someone@example.com"
    message["To"] = to
    message["Subject"] = subject
    if body:
        message.set_content(body)
    if html:
        message.add_alternative(html, subtype="html") if body else message.set_content(html, subtype="html")
    return bytes(message)


def test_a_mail_to_a_group_address_becomes_the_persons_post_in_the_group(team, group):
    address = mail_in.create(team.manager, audience="group", group_id=group.id)
    raw = mail(
        mail_in.address_of(address),
        subject="明天的門市會議",
        body="十點在三樓會議室。\n\n--\n經理\n王大明",
        html="<p>十點在三樓會議室。</p>",
    )
    post = mail_in.receive(raw)
    assert (post.author_id, post.audience, post.group_id) == (team.manager.id, "group", group.id)
    assert post.text == "明天的門市會議\n十點在三樓會議室。"  # the signature left out


def test_the_command_a_mail_server_pipes_to_posts_or_bounces_with_sendmails_codes(team, monkeypatch, capsys):
    from tidings import cli

    address = mail_in.create(team.employee, audience="org", organisation_id=team.org.id)

    def pipe(raw: bytes) -> int:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(raw)))
        return cli.main(["mail-in"])

    assert pipe(mail(mail_in.address_of(address), body="午餐便當到了 🍱")) == 0
    post = Post.objects.get()
    assert capsys.readouterr().out.strip() == str(post.id)
    assert (post.audience, post.text) == ("org", "午餐便當到了 🍱")
    assert pipe(mail("post+nobodynobodynobody0000@localhost", body="x")) == 67  # EX_NOUSER: bounced
    assert pipe(mail(mail_in.address_of(address), body="長" * 141)) == 65  # EX_DATAERR
    assert "140" in capsys.readouterr().err
    assert Post.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "to", "error"),
    [
        ("你好", "post+wrongtokenwrongtoken123@localhost", NotFound),
        ("長" * 141, None, Invalid),
        ("", None, Invalid),
    ],
)
def test_a_bad_mail_posts_nothing(team, body, to, error):
    address = mail_in.create(team.employee, audience="public")
    raw = (
        mail(to or mail_in.address_of(address), body=body)
        if body
        else mail(mail_in.address_of(address), html="<p>只有 HTML</p>")
    )
    with pytest.raises(error):
        mail_in.receive(raw)
    assert not Post.objects.exists()


def test_addresses_are_only_for_spaces_one_is_in_and_only_the_owner_removes_one(team, group):
    with pytest.raises(NotFound):
        mail_in.create(team.customer, audience="org", organisation_id=team.org.id)
    with pytest.raises(NotFound):
        mail_in.create(team.employee, audience="group", group_id=group.id)  # not a member
    with pytest.raises(Invalid):
        mail_in.create(team.employee, audience="everyone")
    mine = mail_in.create(team.employee, audience="public")
    with pytest.raises(NotFound):
        mail_in.remove(team.customer, mine.id)
    mail_in.remove(team.employee, mine.id)
    assert not MailAddress.objects.exists()


def test_someone_who_left_the_group_can_no_longer_post_to_it_by_mail(team, group):
    from tidings.groups import services as groups

    groups.invite(group, team.employee, actor=team.manager)
    address = mail_in.create(team.employee, audience="group", group_id=group.id)
    groups.leave(group, team.employee)
    with pytest.raises(NotFound):
        mail_in.receive(mail(mail_in.address_of(address), body="我還在嗎"))
    assert not Post.objects.exists()


def test_the_settings_page_makes_and_removes_an_address(team, client_for):
    client = client_for(team.employee)
    client.post("/settings/apps/", {"mail": "add", "audience": "org", "organisation": team.org.id})
    made = MailAddress.objects.get()
    page = client.get("/settings/apps/").content.decode()
    assert mail_in.address_of(made) in page
    assert (
        client_for(team.customer).post("/settings/apps/", {"mail": "remove", "address": made.id}).status_code
        == 404
    )
    client.post("/settings/apps/", {"mail": "remove", "address": made.id})
    assert not MailAddress.objects.exists()


def test_choosing_an_audience_without_its_space_is_refused_with_the_reason(team):
    with pytest.raises(Invalid, match="organisation"):
        mail_in.create(team.employee, audience="org")
    with pytest.raises(Invalid, match="group"):
        mail_in.create(team.employee, audience="group")
    assert not MailAddress.objects.exists()
