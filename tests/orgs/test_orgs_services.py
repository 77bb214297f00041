"""Organisations: creating one, members and roles, removing a member (access cut at once, content
kept), invitations, official accounts, and the audit log that cannot be edited. Every refusal
leaves the data as it was."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from tidings.accounts.models import Account
from tidings.core.audience import access_post
from tidings.core.errors import Conflict, Forbidden, Invalid, NotFound
from tidings.groups import services as groups
from tidings.groups.models import Group, GroupMember
from tidings.orgs import services as orgs
from tidings.orgs.models import AuditEntry, Domain, Invitation, Membership, Organisation
from tidings.orgs.selectors import access_space
from tidings.posts import selectors as post_reads
from tidings.posts import services as posts
from tidings.posts.models import Post

pytestmark = pytest.mark.django_db


def snapshot() -> tuple[object, ...]:
    """Everything an organisation service may write, to show a refusal changed nothing."""
    return (
        list(Organisation.objects.order_by("id").values_list("id", "slug", "name")),
        sorted(Domain.objects.values_list("organisation_id", "domain", "verified")),
        sorted(Membership.objects.values_list("organisation_id", "account_id", "role", "is_active")),
        sorted(GroupMember.objects.values_list("group_id", "account_id", "role", "state")),
        sorted(Group.objects.values_list("id", "members_count")),
        sorted(Invitation.objects.values_list("id", "used_by_id", "used_at")),
        AuditEntry.objects.count(),
        sorted(Account.objects.values_list("id", "kind", "organisation_id")),
    )


def role_of(org: Organisation, account: Account) -> tuple[str, bool] | None:
    row = Membership.objects.filter(organisation=org, account=account).values_list("role", "is_active")
    return row.first()


@dataclass
class Acme:
    org: Organisation
    owner: Account
    admin: Account
    member: Account
    guest: Account
    outsider: Account


@pytest.fixture
def acme(make_account) -> Acme:
    owner, admin, member = make_account("老闆"), make_account("管理員"), make_account("員工")
    guest, outsider = make_account("供應商"), make_account("外人")
    org = orgs.create_organisation(slug="acme", name="Acme 公司", owner=owner, domains=["acme.example"])
    orgs.add_member(org, admin, role="admin", actor=owner)
    orgs.add_member(org, member, actor=admin)
    orgs.add_member(org, guest, role="guest", actor=admin)
    return Acme(org, owner, admin, member, guest, outsider)


# --- create_organisation ---------------------------------------------------------------------------


def test_creating_an_organisation_makes_the_owner_a_member_and_writes_an_audit_entry(make_account):
    owner = make_account("創辦人")
    org = orgs.create_organisation(
        slug="  Dell-TW ", name="  戴爾   台灣 ", owner=owner, domains=["Dell.Example.", "例子.公司"]
    )
    org.refresh_from_db()
    assert (org.slug, org.name) == ("dell-tw", "戴爾 台灣")
    assert sorted(Domain.objects.filter(organisation=org).values_list("domain", "verified")) == [
        ("dell.example", True),
        ("xn--fsqu00a.xn--55qx5d", True),
    ]
    assert role_of(org, owner) == ("owner", True)
    entry = AuditEntry.objects.get(organisation=org)
    assert (entry.actor_id, entry.action) == (owner.id, "org.create")
    assert entry.detail == {"slug": "dell-tw", "domains": ["dell.example", "xn--fsqu00a.xn--55qx5d"]}


def test_an_organisation_created_by_the_operator_has_no_members_yet():
    org = orgs.create_organisation(slug="ops", name="Ops")
    assert not Membership.objects.filter(organisation=org).exists()
    assert AuditEntry.objects.get(organisation=org).actor_id is None


@pytest.mark.parametrize(
    "slug",
    ["", "-acme", "acme-", "ac me", "ac_me", "acme.tw", "公司", "a" * 41, "acme/../x"],
)
def test_a_bad_slug_is_refused_and_nothing_is_created(make_account, slug):
    owner = make_account("老闆")
    before = snapshot()
    with pytest.raises(Invalid) as refused:
        orgs.create_organisation(slug=slug, name="Acme", owner=owner)
    assert refused.value.field == "slug"
    assert snapshot() == before


@pytest.mark.parametrize("slug", ["a", "7", "a-b", "a" * 40])
def test_slugs_of_one_to_forty_letters_digits_and_inner_dashes_are_taken(slug):
    assert orgs.create_organisation(slug=slug, name="Acme").slug == slug


@pytest.mark.parametrize("name", ["", "   ", "\n\t", "公" * 81])
def test_an_empty_or_too_long_name_is_refused_and_nothing_is_created(name):
    before = snapshot()
    with pytest.raises(Invalid) as refused:
        orgs.create_organisation(slug="acme", name=name)
    assert refused.value.field == "name"
    assert snapshot() == before


def test_a_name_of_eighty_characters_is_taken():
    assert orgs.create_organisation(slug="acme", name="公" * 80).name == "公" * 80


@pytest.mark.parametrize(
    "domain",
    ["", "localhost", "acme", "acme..example", "-acme.example", "acme.example/x", "a b.com", "1.2.3.4"],
)
def test_a_bad_domain_is_refused_and_nothing_is_created(domain):
    before = snapshot()
    with pytest.raises(Invalid) as refused:
        orgs.create_organisation(slug="acme", name="Acme", domains=["ok.example", domain])
    assert refused.value.field == "domain"
    assert snapshot() == before


def test_a_domain_of_another_organisation_is_a_conflict_and_nothing_is_created(acme):
    before = snapshot()
    with pytest.raises(Conflict) as refused:
        orgs.create_organisation(slug="acme2", name="Acme 2", domains=["new.example", "ACME.example"])
    assert "acme.example" in str(refused.value)
    assert snapshot() == before


def test_the_same_domain_twice_in_one_request_is_kept_once():
    org = orgs.create_organisation(slug="acme", name="Acme", domains=["acme.example", "Acme.Example."])
    assert list(Domain.objects.filter(organisation=org).values_list("domain", flat=True)) == ["acme.example"]


def test_a_taken_slug_is_a_conflict_whatever_its_case_and_nothing_is_created(acme, make_account):
    someone = make_account("別人")
    before = snapshot()
    with pytest.raises(Conflict) as refused:
        orgs.create_organisation(slug="ACME", name="Another", owner=someone)
    assert refused.value.field == "slug"
    assert snapshot() == before


# --- add_member ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "admin", "member", "guest"])
def test_staff_add_a_member_with_each_role_and_it_is_audited(acme, make_account, role):
    newcomer = make_account("新人")
    actor = acme.owner if role == "owner" else acme.admin  # only owners make owners
    membership = orgs.add_member(acme.org, newcomer, role=role, actor=actor, address="10.0.0.7")
    assert role_of(acme.org, newcomer) == (role, True)
    assert membership.is_insider == (role != "guest")
    assert membership.is_staff == (role in ("owner", "admin"))
    entry = AuditEntry.objects.filter(organisation=acme.org).order_by("-id").first()
    assert (entry.actor_id, entry.action, entry.address) == (actor.id, "member.add", "10.0.0.7")
    assert entry.detail == {"account": "新人", "role": role}


def test_an_admin_cannot_add_an_owner_nor_remove_one(acme, make_account):
    second = make_account("第二帳號")
    with pytest.raises(Forbidden):
        orgs.add_member(acme.org, second, role="owner", actor=acme.admin)
    assert not Membership.objects.filter(organisation=acme.org, account=second).exists()
    orgs.add_member(acme.org, second, role="owner", actor=acme.owner)
    with pytest.raises(Forbidden):
        orgs.remove_member(acme.org, second, actor=acme.admin)
    assert role_of(acme.org, second) == ("owner", True)


def test_the_default_role_is_member(acme, make_account):
    newcomer = make_account("新人")
    orgs.add_member(acme.org, newcomer, actor=acme.owner)
    assert role_of(acme.org, newcomer) == ("member", True)


@pytest.mark.parametrize("who", ["member", "guest", "admin", "owner"])
def test_joining_twice_is_a_conflict_and_changes_nothing(acme, who):
    before = snapshot()
    with pytest.raises(Conflict):
        orgs.add_member(acme.org, getattr(acme, who), role="admin", actor=acme.owner)
    assert snapshot() == before


@pytest.mark.parametrize("role", ["superuser", "", "Owner", "staff"])
def test_an_unknown_role_is_refused_and_nothing_changes(acme, make_account, role):
    newcomer = make_account("新人")
    before = snapshot()
    with pytest.raises(Invalid) as refused:
        orgs.add_member(acme.org, newcomer, role=role, actor=acme.owner)
    assert refused.value.field == "role"
    assert snapshot() == before


def test_a_member_who_is_not_staff_cannot_add_members(acme, make_account):
    newcomer = make_account("新人")
    before = snapshot()
    with pytest.raises(Forbidden):
        orgs.add_member(acme.org, newcomer, actor=acme.member)
    assert snapshot() == before


@pytest.mark.parametrize("who", ["outsider", "guest", "removed"])
def test_an_outsider_a_guest_or_a_removed_admin_is_told_the_organisation_is_not_found(
    acme, make_account, who
):
    if who == "removed":
        orgs.remove_member(acme.org, acme.admin, actor=acme.owner)
        actor = acme.admin
    else:
        actor = getattr(acme, who)
    newcomer = make_account("新人")
    before = snapshot()
    with pytest.raises(NotFound):
        orgs.add_member(acme.org, newcomer, role="admin", actor=actor)
    assert snapshot() == before


def test_adding_a_removed_member_again_reactivates_the_same_membership_with_the_new_role(acme):
    orgs.remove_member(acme.org, acme.member, actor=acme.admin)
    orgs.add_member(acme.org, acme.member, role="guest", actor=acme.admin)
    assert Membership.objects.filter(organisation=acme.org, account=acme.member).count() == 1
    assert role_of(acme.org, acme.member) == ("guest", True)


# --- set_role and remove_member --------------------------------------------------------------------


def test_staff_change_a_role_and_it_is_audited(acme):
    orgs.set_role(acme.org, acme.member, role="admin", actor=acme.owner, address="10.1.1.1")
    assert role_of(acme.org, acme.member) == ("admin", True)
    entry = AuditEntry.objects.filter(organisation=acme.org).order_by("-id").first()
    assert (entry.action, entry.actor_id, entry.address) == ("member.role", acme.owner.id, "10.1.1.1")
    assert entry.detail == {"account": "員工", "role": "admin", "was": "member"}


def test_a_member_made_guest_loses_the_internal_space_and_internal_groups_but_keeps_cross_ones(acme):
    open_group = groups.create_group(acme.org, actor=acme.admin, name="全公司")
    groups.join(open_group, acme.member)
    private = groups.create_group(acme.org, actor=acme.admin, name="私密", kind="private")
    groups.join(private, acme.member)  # waiting
    cross = groups.create_group(acme.org, actor=acme.admin, name="供應鏈", kind="cross")
    groups.invite(cross, acme.member, actor=acme.admin)
    internal = posts.publish(acme.admin, text="內部", audience="org", organisation_id=acme.org.id)
    in_open = posts.publish(acme.admin, text="全公司群組", audience="group", group_id=open_group.id)
    in_cross = posts.publish(acme.admin, text="供應鏈群組", audience="group", group_id=cross.id)

    orgs.set_role(acme.org, acme.member, role="guest", actor=acme.owner)

    assert role_of(acme.org, acme.member) == ("guest", True)
    assert list(GroupMember.objects.filter(account=acme.member).values_list("group_id", flat=True)) == [
        cross.id
    ]
    assert [Group.objects.get(id=g.id).members_count for g in (open_group, private, cross)] == [1, 1, 2]
    for post in (internal, in_open):
        with pytest.raises(NotFound):
            access_post(acme.member, post.id)
    assert access_post(acme.member, in_cross.id).id == in_cross.id


def test_a_member_cannot_change_roles(acme):
    before = snapshot()
    with pytest.raises(Forbidden):
        orgs.set_role(acme.org, acme.member, role="owner", actor=acme.member)
    assert snapshot() == before


def test_an_unknown_role_cannot_be_set(acme):
    before = snapshot()
    with pytest.raises(Invalid):
        orgs.set_role(acme.org, acme.member, role="god", actor=acme.owner)
    assert snapshot() == before


def test_setting_the_role_of_someone_outside_the_organisation_is_not_found(acme):
    before = snapshot()
    with pytest.raises(NotFound):
        orgs.set_role(acme.org, acme.outsider, role="admin", actor=acme.owner)
    assert snapshot() == before


@pytest.mark.parametrize("role", ["admin", "member", "guest"])
def test_demoting_the_last_owner_is_refused_and_nothing_changes(acme, role):
    before = snapshot()
    with pytest.raises(Invalid):
        orgs.set_role(acme.org, acme.owner, role=role, actor=acme.owner)
    assert snapshot() == before
    assert role_of(acme.org, acme.owner) == ("owner", True)


def test_the_last_owner_cannot_be_removed_by_anyone(acme):
    before = snapshot()
    for actor in (acme.owner, acme.admin, None):
        with pytest.raises((Invalid, Forbidden)):  # an admin is refused even sooner
            orgs.remove_member(acme.org, acme.owner, actor=actor)
    assert snapshot() == before


def test_a_removed_second_owner_does_not_count_as_an_owner(acme):
    orgs.set_role(acme.org, acme.admin, role="owner", actor=acme.owner)
    orgs.remove_member(acme.org, acme.admin, actor=acme.owner)
    with pytest.raises(Invalid):
        orgs.set_role(acme.org, acme.owner, role="member", actor=acme.owner)
    assert role_of(acme.org, acme.owner) == ("owner", True)


def test_with_a_second_owner_the_first_can_step_down(acme):
    orgs.set_role(acme.org, acme.admin, role="owner", actor=acme.owner)
    orgs.set_role(acme.org, acme.owner, role="member", actor=acme.owner)
    assert role_of(acme.org, acme.owner) == ("member", True)
    orgs.remove_member(acme.org, acme.owner, actor=acme.admin)
    assert role_of(acme.org, acme.owner) == ("member", False)


def test_a_member_cannot_remove_anyone(acme):
    before = snapshot()
    with pytest.raises(Forbidden):
        orgs.remove_member(acme.org, acme.guest, actor=acme.member)
    assert snapshot() == before


def test_removing_someone_who_is_not_a_member_is_not_found(acme):
    orgs.remove_member(acme.org, acme.member, actor=acme.admin)
    before = snapshot()
    for who in (acme.member, acme.outsider):
        with pytest.raises(NotFound):
            orgs.remove_member(acme.org, who, actor=acme.admin)
    assert snapshot() == before


def test_removal_cuts_access_at_once_keeps_the_posts_and_leaves_only_this_organisations_groups(
    acme, make_account
):
    other = orgs.create_organisation(slug="other", name="Other", owner=make_account("別家老闆"))
    orgs.add_member(other, acme.member, actor=None)
    open_group = groups.create_group(acme.org, actor=acme.admin, name="全公司")
    groups.join(open_group, acme.member)
    private = groups.create_group(acme.org, actor=acme.member, name="專案", kind="private")
    elsewhere = groups.create_group(other, actor=acme.member, name="別家的群組")
    internal = posts.publish(acme.member, text="內部消息", audience="org", organisation_id=acme.org.id)
    in_group = posts.publish(acme.member, text="群組消息", audience="group", group_id=private.id)
    by_colleague = posts.publish(acme.admin, text="同事的消息", audience="org", organisation_id=acme.org.id)
    public = posts.publish(acme.member, text="公開消息")
    for post in (internal, in_group, by_colleague):
        assert access_post(acme.member, post.id).id == post.id
    assert access_space(acme.member, "acme")[0] == acme.org

    orgs.remove_member(acme.org, acme.member, actor=acme.admin, address="10.9.9.9")

    assert role_of(acme.org, acme.member) == ("member", False)
    assert not GroupMember.objects.filter(group__organisation=acme.org, account=acme.member).exists()
    assert GroupMember.objects.filter(group=elsewhere, account=acme.member).exists()
    assert role_of(other, acme.member) == ("member", True)
    # The posts stay, and the colleagues still see them.
    assert set(Post.objects.filter(author=acme.member).values_list("id", flat=True)) == {
        internal.id,
        in_group.id,
        public.id,
    }
    assert access_post(acme.admin, internal.id).id == internal.id
    # The removed member sees nothing inside any more, their own posts included.
    for post in (internal, in_group, by_colleague):
        with pytest.raises(NotFound):
            access_post(acme.member, post.id)
    with pytest.raises(NotFound):
        access_space(acme.member, "acme")
    on_profile = {v.post.id for v in post_reads.profile_posts(acme.member, acme.member.id).items}
    assert on_profile == {public.id}
    entry = AuditEntry.objects.filter(organisation=acme.org).order_by("-id").first()
    assert (entry.action, entry.actor_id, entry.address) == ("member.remove", acme.admin.id, "10.9.9.9")
    assert entry.detail == {"account": "員工"}


def test_removal_lowers_the_member_counts_of_the_groups_the_person_was_in(acme):
    open_group = groups.create_group(acme.org, actor=acme.admin, name="全公司")
    groups.join(open_group, acme.member)
    private = groups.create_group(acme.org, actor=acme.admin, name="私密", kind="private")
    groups.join(private, acme.member)  # waiting: not counted
    assert Group.objects.get(id=open_group.id).members_count == 2
    assert Group.objects.get(id=private.id).members_count == 1

    orgs.remove_member(acme.org, acme.member, actor=acme.owner)

    assert Group.objects.get(id=open_group.id).members_count == 1
    assert Group.objects.get(id=private.id).members_count == 1


def test_a_removed_member_cannot_post_inside_any_more(acme):
    orgs.remove_member(acme.org, acme.member, actor=acme.admin)
    before = Post.objects.count()
    with pytest.raises(NotFound):
        posts.publish(acme.member, text="還在嗎", audience="org", organisation_id=acme.org.id)
    assert Post.objects.count() == before


# --- invitations -----------------------------------------------------------------------------------


def test_staff_create_an_invitation_whose_token_is_kept_only_as_a_hash(acme):
    token = orgs.create_invitation(acme.org, actor=acme.admin, role="guest", days=3)
    invitation = Invitation.objects.get(organisation=acme.org)
    assert len(token) >= 32
    assert invitation.token_hash != token
    assert token not in invitation.token_hash
    assert not Invitation.objects.filter(token_hash=token).exists()
    assert invitation.role == "guest"
    assert invitation.created_by_id == acme.admin.id
    remaining = invitation.expires_at - timezone.now()
    assert dt.timedelta(days=2, hours=23) < remaining <= dt.timedelta(days=3)
    assert AuditEntry.objects.filter(organisation=acme.org, action="invitation.create").count() == 1


def test_two_invitations_have_different_tokens(acme):
    assert orgs.create_invitation(acme.org, actor=acme.admin) != orgs.create_invitation(
        acme.org, actor=acme.admin
    )


@pytest.mark.parametrize("who", ["member", "guest", "outsider"])
def test_only_staff_create_invitations(acme, who):
    before = snapshot()
    with pytest.raises(Forbidden if who == "member" else NotFound):
        orgs.create_invitation(acme.org, actor=getattr(acme, who))
    assert snapshot() == before


@pytest.mark.parametrize(("role", "days"), [("owner", 7), ("wizard", 7), ("member", 0), ("member", 31)])
def test_an_invitation_for_an_owner_an_unknown_role_or_a_bad_duration_is_refused(acme, role, days):
    before = snapshot()
    with pytest.raises(Invalid):
        orgs.create_invitation(acme.org, actor=acme.owner, role=role, days=days)
    assert snapshot() == before


def test_an_invitation_lets_one_person_join_once(acme, make_account):
    token = orgs.create_invitation(acme.org, actor=acme.admin, role="admin")
    first, second = make_account("第一個"), make_account("第二個")
    membership = orgs.accept_invitation(first, token=token)
    assert membership.account_id == first.id
    assert role_of(acme.org, first) == ("admin", True)
    invitation = Invitation.objects.get()
    assert invitation.used_by_id == first.id
    assert invitation.used_at is not None
    before = snapshot()
    with pytest.raises(Invalid):
        orgs.accept_invitation(second, token=token)
    with pytest.raises(Invalid):
        orgs.accept_invitation(first, token=token)
    assert snapshot() == before
    assert role_of(acme.org, second) is None


def test_an_expired_invitation_is_refused_and_stays_unused(acme, make_account):
    token = orgs.create_invitation(acme.org, actor=acme.admin)
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    newcomer = make_account("遲到的人")
    before = snapshot()
    with pytest.raises(Invalid):
        orgs.accept_invitation(newcomer, token=token)
    assert snapshot() == before
    assert role_of(acme.org, newcomer) is None


@pytest.mark.parametrize("token", ["", "nope", "x" * 32])
def test_an_unknown_invitation_is_refused(acme, make_account, token):
    orgs.create_invitation(acme.org, actor=acme.admin)
    newcomer = make_account("猜的人")
    before = snapshot()
    with pytest.raises(Invalid):
        orgs.accept_invitation(newcomer, token=token)
    assert snapshot() == before


def test_the_stored_hash_is_not_a_token(acme, make_account):
    orgs.create_invitation(acme.org, actor=acme.admin)
    stolen = Invitation.objects.get().token_hash
    newcomer = make_account("偷看資料庫的人")
    with pytest.raises(Invalid):
        orgs.accept_invitation(newcomer, token=stolen)
    assert role_of(acme.org, newcomer) is None


@pytest.mark.parametrize("who", ["member", "guest"])
def test_accepting_while_already_a_member_is_a_conflict_and_the_invitation_stays_usable(
    acme, make_account, who
):
    token = orgs.create_invitation(acme.org, actor=acme.admin, role="admin")
    before = snapshot()
    with pytest.raises(Conflict):
        orgs.accept_invitation(getattr(acme, who), token=token)
    assert snapshot() == before
    newcomer = make_account("新人")
    orgs.accept_invitation(newcomer, token=token)
    assert role_of(acme.org, newcomer) == ("admin", True)


def test_a_removed_member_may_come_back_by_invitation(acme):
    orgs.remove_member(acme.org, acme.member, actor=acme.admin)
    token = orgs.create_invitation(acme.org, actor=acme.admin, role="guest")
    orgs.accept_invitation(acme.member, token=token)
    assert role_of(acme.org, acme.member) == ("guest", True)


# --- the audit log ---------------------------------------------------------------------------------


def test_an_audit_entry_cannot_be_changed_after_it_is_written(acme):
    entry = AuditEntry.objects.filter(organisation=acme.org).order_by("id").first()
    original = (entry.action, entry.detail, entry.actor_id)
    entry.action = "nothing.happened"
    with pytest.raises(ValueError):
        entry.save()
    loaded = AuditEntry.objects.get(id=entry.id)
    loaded.detail = {"forged": True}
    with pytest.raises(ValueError):
        loaded.save()
    fresh = AuditEntry.objects.get(id=entry.id)
    assert (fresh.action, fresh.detail, fresh.actor_id) == original


def test_every_admin_action_of_the_fixture_is_in_the_audit_log_in_order(acme):
    actions = list(
        AuditEntry.objects.filter(organisation=acme.org).order_by("id").values_list("action", "actor_id")
    )
    assert actions == [
        ("org.create", acme.owner.id),
        ("member.add", acme.owner.id),
        ("member.add", acme.admin.id),
        ("member.add", acme.admin.id),
    ]


# --- official accounts -----------------------------------------------------------------------------


def test_staff_register_an_official_account_for_the_organisation(acme, make_account):
    brand = make_account("Acme官方")
    orgs.register_official_account(acme.org, brand, actor=acme.admin)
    brand.refresh_from_db()
    assert (brand.kind, brand.organisation_id) == ("official", acme.org.id)
    assert brand.kind == "official"
    assert list(acme.org.official_accounts.values_list("id", flat=True)) == [brand.id]
    entry = AuditEntry.objects.filter(organisation=acme.org).order_by("-id").first()
    assert (entry.action, entry.actor_id, entry.detail) == (
        "official.add",
        acme.admin.id,
        {"account": "Acme官方"},
    )


def test_an_executive_account_keeps_its_kind_when_registered(acme, make_account):
    boss = make_account("執行長")
    Account.objects.filter(id=boss.id).update(kind=Account.Kind.EXECUTIVE)
    boss.refresh_from_db()
    orgs.register_official_account(acme.org, boss)
    boss.refresh_from_db()
    assert (boss.kind, boss.organisation_id) == ("executive", acme.org.id)


@pytest.mark.parametrize(
    ("who", "error"), [("member", Forbidden), ("guest", NotFound), ("outsider", NotFound)]
)
def test_only_staff_register_official_accounts(acme, make_account, who, error):
    brand = make_account("冒牌官方")
    before = snapshot()
    with pytest.raises(error):
        orgs.register_official_account(acme.org, brand, actor=getattr(acme, who))
    assert snapshot() == before


def test_an_organisation_cannot_take_over_the_official_account_of_another(acme, make_account):
    brand = make_account("Acme官方")
    orgs.register_official_account(acme.org, brand)
    rival = orgs.create_organisation(slug="rival", name="Rival", owner=make_account("對手"))
    rival_owner = Membership.objects.get(organisation=rival).account
    before = snapshot()
    with pytest.raises(Conflict):
        orgs.register_official_account(rival, brand, actor=rival_owner)
    assert snapshot() == before
    brand.refresh_from_db()
    assert (brand.kind, brand.organisation_id) == ("official", acme.org.id)
