"""Mail as rows (core.mail): written with the change that asks for it, sent after the commit,
kept and tried again when the mail server does not take it, never sent for a rolled-back
change, and sent once for two messages of the same try."""

from __future__ import annotations

import datetime as dt
import socket

import pytest
from django.db import transaction
from django.utils import timezone

from tidings.core import mail
from tidings.core.models import Mail

pytestmark = pytest.mark.django_db


def test_a_mail_is_sent_after_the_commit_and_its_row_goes(mailbox, run_hooks):
    with run_hooks():
        mail.send(to="lin@example.com", subject="案件", body="請看一下")

    assert [m["To"] for m in mailbox.messages] == ["lin@example.com"]
    assert mailbox.bodies()[0].strip() == "請看一下"
    assert not Mail.objects.exists()


def test_a_mail_asked_for_by_a_change_rolled_back_is_never_written(mailbox, run_hooks):
    with run_hooks(), pytest.raises(RuntimeError), transaction.atomic():
        mail.send(to="lin@example.com", subject="案件", body="請看一下")
        raise RuntimeError("the change failed")

    assert not Mail.objects.exists() and mailbox.messages == []


def test_a_mail_the_server_did_not_take_is_kept_and_sent_by_a_later_sweep(mailbox, run_hooks, settings):
    real_port = settings.EMAIL_PORT
    with socket.socket() as closed:  # a port nothing listens on: the mail server is down
        closed.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = closed.getsockname()[1]
    with run_hooks():
        mail.send(to="lin@example.com", subject="案件", body="請看一下")

    kept = Mail.objects.get()
    assert kept.attempts == 1 and kept.next_try_at > timezone.now() + dt.timedelta(seconds=30)
    assert mail.sweep() == 0  # not due yet

    settings.EMAIL_PORT = real_port  # the server is back, and the retry is due
    Mail.objects.update(next_try_at=timezone.now() - dt.timedelta(seconds=1))
    assert mail.sweep() == 1
    assert [m["Subject"] for m in mailbox.messages] == ["案件"] and not Mail.objects.exists()


def test_a_mail_two_messages_of_one_try_reach_for_is_sent_once(mailbox):
    mail.send(to="lin@example.com", subject="案件", body="請看一下")  # its message is never sent here
    row = Mail.objects.get()

    assert mail.deliver(row.id, row.next_try_at)
    assert not mail.deliver(row.id, row.next_try_at)  # the second message of the same try
    assert len(mailbox.messages) == 1


def test_a_mail_tried_too_often_is_given_up(settings, caplog):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed.getsockname()[1]
    mail.send(to="lin@example.com", subject="案件", body="請看一下")

    for _ in range(mail.MOST_ATTEMPTS):
        Mail.objects.update(next_try_at=timezone.now() - dt.timedelta(seconds=1))
        mail.sweep()

    assert not Mail.objects.exists()
    assert "given up after 6 tries" in caplog.text
