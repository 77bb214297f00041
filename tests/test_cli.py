"""The `tidings` command: clear messages and non-zero exits on bad input."""

from __future__ import annotations

import io

import pytest

from tidings import cli
from tidings.accounts.models import Account
from tidings.demo import load
from tidings.posts.models import Post


@pytest.mark.django_db
def test_createuser_reads_the_password_from_stdin_and_the_account_can_log_in(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("a good long password\n"))
    assert cli.main(["createuser", "客服小美", "--email", "mei@example.com", "--password-stdin"]) == 0
    account = Account.objects.get(handle="客服小美")
    assert account.check_password("a good long password")
    assert "Created @客服小美" in capsys.readouterr().out


@pytest.mark.django_db
def test_createuser_refuses_a_taken_handle_with_a_message_and_exit_code_1(make_account, monkeypatch, capsys):
    make_account("dell")
    monkeypatch.setattr("sys.stdin", io.StringIO("a good long password\n"))
    assert cli.main(["createuser", "DELL", "--password-stdin"]) == 1
    assert "dell" in capsys.readouterr().err.lower()
    assert Account.objects.count() == 1


@pytest.mark.django_db
def test_createuser_without_password_stdin_is_refused(capsys):
    assert cli.main(["createuser", "someone"]) == 2
    assert "--password-stdin" in capsys.readouterr().err
    assert not Account.objects.exists()


def test_serve_refuses_a_port_out_of_range(capsys):
    assert cli.main(["serve", "--port", "70000"]) == 2
    assert "--port" in capsys.readouterr().err


def test_an_unknown_command_exits_non_zero(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["frobnicate"])
    assert exit_info.value.code == 2


@pytest.mark.django_db
def test_demo_loads_the_company_once_and_a_second_run_changes_nothing():
    assert load() is True
    accounts, posts = Account.objects.count(), Post.objects.count()
    assert Account.objects.filter(handle="示範科技", kind="official").exists()
    assert accounts == 3 + 1 + 5 + 10
    assert posts > 24
    assert load() is False
    assert (Account.objects.count(), Post.objects.count()) == (accounts, posts)
