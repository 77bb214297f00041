"""The `tidings` command: clear messages and non-zero exits on bad input."""

from __future__ import annotations

import io

import pytest

from tidings import cli
from tidings.accounts.models import Account
from tidings.demo import load
from tidings.groups.models import Group
from tidings.orgs.models import Membership, Organisation
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
    assert accounts == 3 + 1 + 5 + 10 + 3  # and the supplier's three
    assert Organisation.objects.filter(slug__in=["demo-tech", "hongyuan"]).count() == 2
    shared = Group.objects.get(name="X14 供應鏈")
    assert shared.kind == "cross"
    assert Membership.objects.filter(organisation=shared.organisation, role="guest").count() == 2
    assert posts > 24
    # The official accounts at work: cases on the desk (one critical), drafts on their way.
    from tidings.ops.models import Case, Draft

    assert (
        Case.objects.filter(account__handle="示範客服", level="critical", assignee__handle="黃志豪").count()
        == 1
    )
    assert Case.objects.filter(account__handle="示範客服").count() >= 2
    assert sorted(Draft.objects.values_list("status", flat=True)) == ["review", "scheduled"]
    assert load() is False
    assert (Account.objects.count(), Post.objects.count()) == (accounts, posts)


@pytest.mark.django_db
def test_org_create_and_add_member_then_export_holds_only_what_the_organisation_owns(
    make_account, tmp_path, capsys
):
    from tidings.posts import services as posts

    insider, outsider = make_account("內部員工"), make_account("外人")
    assert cli.main(["org", "create", "acme", "--name", "Acme 公司", "--domain", "acme.example"]) == 0
    assert cli.main(["org", "add-member", "acme", "內部員工", "--role", "admin"]) == 0
    org = Organisation.objects.get(slug="acme")
    assert Membership.objects.get(organisation=org, account=insider).role == "admin"
    inside = posts.publish(insider, text="內部消息", audience="org", organisation_id=org.id)
    public = posts.publish(outsider, text="外面的消息")
    out = tmp_path / "export"
    assert cli.main(["org", "export", "acme", "--out", str(out)]) == 0
    data = (out / "data.jsonl").read_text(encoding="utf-8")
    assert str(inside.id) in data and "內部消息" in data
    assert str(public.id) not in data and "外面的消息" not in data
    assert "外人" not in data
    assert "Exported" in capsys.readouterr().out


@pytest.mark.django_db
def test_org_commands_refuse_bad_input_with_a_message_and_change_nothing(make_account, capsys):
    make_account("someone")
    assert cli.main(["org", "create", "Bad Slug!", "--name", "X"]) == 1
    assert "slug" in capsys.readouterr().err.lower()
    assert cli.main(["org", "add-member", "nowhere", "someone"]) == 1
    assert "no such organisation" in capsys.readouterr().err
    assert cli.main(["org", "create", "acme", "--name", "Acme"]) == 0
    assert cli.main(["org", "create", "acme", "--name", "Acme again"]) == 1
    assert "already taken" in capsys.readouterr().err
    assert cli.main(["org", "add-member", "acme", "someone"]) == 0
    assert cli.main(["org", "add-member", "acme", "someone"]) == 1
    assert "already a member" in capsys.readouterr().err
    assert Organisation.objects.count() == 1
    assert Membership.objects.count() == 1


@pytest.mark.django_db
def test_token_create_prints_a_token_that_works_with_its_scopes(make_account, capsys):
    from django.test import Client

    make_account("script")
    assert cli.main(["token", "create", "@script", "--scopes", "read write"]) == 0
    token = capsys.readouterr().out.strip()

    me = Client().get("/api/v1/accounts/verify_credentials", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["username"] == "script"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["token", "create", "nobody"], "no such account: nobody"),
        (["token", "create", "script", "--scopes", "read admin:all"], "admin:all"),
        (["token", "create", "script", "--scopes", ""], "Unknown scope"),
    ],
)
def test_token_create_refuses_bad_input_with_a_message(make_account, capsys, args, message):
    from oauth2_provider.models import get_access_token_model

    make_account("script")
    assert cli.main(args) == 1
    assert message in capsys.readouterr().err
    assert not get_access_token_model().objects.exists()


def test_serve_refuses_a_streaming_port_equal_to_its_own(capsys):
    assert cli.main(["serve", "--port", "8000", "--streaming-port", "8000"]) == 2
    assert "--streaming-port" in capsys.readouterr().err
