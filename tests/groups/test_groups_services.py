"""Groups inside an organisation: who may create them, joining open and private groups, approval,
cross-company groups with guests from another organisation, leaving, pinning, and the member
count kept right through all of it. Every refusal leaves the data as it was."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tidings.accounts.models import Account
from tidings.core.audience import access_post
from tidings.core.errors import Conflict, Forbidden, Invalid, NotFound
from tidings.groups import selectors as group_reads
from tidings.groups import services as groups
from tidings.groups.models import Group, GroupMember, PinnedPost
from tidings.orgs import services as orgs
from tidings.orgs.models import AuditEntry, Membership, Organisation
from tidings.orgs.selectors import access_space
from tidings.posts import services as posts
from tidings.posts.models import Post

pytestmark = pytest.mark.django_db


def snapshot() -> tuple[object, ...]:
    return (
        sorted(Group.objects.values_list("id", "organisation_id", "name", "kind", "members_count")),
        sorted(GroupMember.objects.values_list("group_id", "account_id", "role", "state")),
        sorted(Membership.objects.values_list("organisation_id", "account_id", "role", "is_active")),
        sorted(PinnedPost.objects.values_list("post_id", "group_id")),
        AuditEntry.objects.count(),
    )


def state_of(group: Group, account: Account) -> tuple[str, str] | None:
    return GroupMember.objects.filter(group=group, account=account).values_list("role", "state").first()


def count_of(group: Group) -> int:
    """The stored count, checked against the members it counts."""
    stored = Group.objects.get(id=group.id).members_count
    assert stored == GroupMember.objects.filter(group=group, state="active").count()
    return stored


@dataclass
class World:
    acme: Organisation
    other: Organisation
    owner: Account
    admin: Account
    alice: Account
    bob: Account
    carol: Account
    guest: Account
    partner: Account


@pytest.fixture
def w(make_account) -> World:
    owner, admin = make_account("老闆"), make_account("管理員")
    alice, bob, carol = make_account("愛麗絲"), make_account("鮑伯"), make_account("卡蘿")
    guest, partner = make_account("訪客"), make_account("供應商")
    acme = orgs.create_organisation(slug="acme", name="Acme", owner=owner)
    other = orgs.create_organisation(slug="supplier", name="Supplier", owner=partner)
    orgs.add_member(acme, admin, role="admin")
    for person in (alice, bob, carol):
        orgs.add_member(acme, person)
    orgs.add_member(acme, guest, role="guest")
    return World(acme, other, owner, admin, alice, bob, carol, guest, partner)


# --- create_group ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["open", "private", "cross"])
def test_a_member_creates_a_group_and_becomes_its_manager(w, kind):
    group = groups.create_group(w.acme, actor=w.alice, name="  產品   設計 ", kind=kind, description=" 說明 ")
    group.refresh_from_db()
    assert (group.name, group.kind, group.description, group.organisation_id) == (
        "產品 設計",
        kind,
        "說明",
        w.acme.id,
    )
    assert state_of(group, w.alice) == ("manager", "active")
    assert count_of(group) == 1
    entry = AuditEntry.objects.filter(organisation=w.acme).order_by("-id").first()
    assert (entry.action, entry.actor_id) == ("group.create", w.alice.id)


def test_when_members_may_not_create_groups_a_member_is_forbidden_and_an_admin_is_not(w):
    Organisation.objects.filter(id=w.acme.id).update(members_may_create_groups=False)
    w.acme.refresh_from_db()
    before = snapshot()
    with pytest.raises(Forbidden):
        groups.create_group(w.acme, actor=w.alice, name="私下的群組")
    assert snapshot() == before
    for staff in (w.admin, w.owner):
        group = groups.create_group(w.acme, actor=staff, name=f"{staff.handle}的群組")
        assert state_of(group, staff) == ("manager", "active")


@pytest.mark.parametrize("who", ["guest", "partner", "removed"])
def test_someone_not_an_employee_cannot_create_a_group_and_is_told_not_found(w, who):
    if who == "removed":
        orgs.remove_member(w.acme, w.alice, actor=None)
        actor = w.alice
    else:
        actor = getattr(w, who)
    before = snapshot()
    with pytest.raises(NotFound):
        groups.create_group(w.acme, actor=actor, name="偷偷的群組", kind="cross")
    assert snapshot() == before


@pytest.mark.parametrize("name", ["產品", "  產品 ", "PRODUCT", "product"])
def test_a_second_group_of_the_same_name_is_a_conflict(w, name):
    groups.create_group(w.acme, actor=w.alice, name="產品")
    groups.create_group(w.acme, actor=w.alice, name="Product")
    before = snapshot()
    with pytest.raises(Conflict) as refused:
        groups.create_group(w.acme, actor=w.bob, name=name)
    assert refused.value.field == "name"
    assert snapshot() == before


def test_another_organisation_may_use_the_same_group_name(w):
    groups.create_group(w.acme, actor=w.alice, name="產品")
    assert groups.create_group(w.other, actor=w.partner, name="產品").organisation_id == w.other.id


@pytest.mark.parametrize("kind", ["secret", "", "OPEN", "public"])
def test_an_unknown_kind_of_group_is_refused(w, kind):
    before = snapshot()
    with pytest.raises(Invalid) as refused:
        groups.create_group(w.acme, actor=w.alice, name="群組", kind=kind)
    assert refused.value.field == "kind"
    assert snapshot() == before


@pytest.mark.parametrize("name", ["", "   ", "群" * 61])
def test_an_empty_or_too_long_group_name_is_refused(w, name):
    before = snapshot()
    with pytest.raises(Invalid) as refused:
        groups.create_group(w.acme, actor=w.alice, name=name)
    assert refused.value.field == "name"
    assert snapshot() == before


# --- join and approve ------------------------------------------------------------------------------


def test_joining_an_open_group_is_at_once_and_its_posts_become_visible(w):
    group = groups.create_group(w.acme, actor=w.alice, name="全公司")
    post = posts.publish(w.alice, text="群組消息", audience="group", group_id=group.id)
    with pytest.raises(NotFound):
        access_post(w.bob, post.id)
    member = groups.join(group, w.bob)
    assert (member.role, member.state) == ("member", "active")
    assert access_post(w.bob, post.id).id == post.id
    assert count_of(group) == 2


def test_joining_a_private_group_waits_and_its_posts_stay_hidden_until_a_manager_approves(w):
    group = groups.create_group(w.acme, actor=w.alice, name="專案", kind="private")
    post = posts.publish(w.alice, text="專案進度", audience="group", group_id=group.id)
    member = groups.join(group, w.bob)
    assert member.state == "pending"
    assert count_of(group) == 1
    with pytest.raises(NotFound):
        access_post(w.bob, post.id)
    with pytest.raises(NotFound):  # nor may they post into it
        posts.publish(w.bob, text="我可以發文嗎", audience="group", group_id=group.id)
    assert [m.account_id for m in group_reads.pending_members(group)] == [w.bob.id]

    groups.approve(group, w.bob, actor=w.alice)

    assert state_of(group, w.bob) == ("member", "active")
    assert count_of(group) == 2
    assert access_post(w.bob, post.id).id == post.id
    assert group_reads.pending_members(group) == []


def test_a_cross_company_group_cannot_be_joined_only_invited_into(w):
    group = groups.create_group(w.acme, actor=w.alice, name="供應鏈", kind="cross")
    before = snapshot()
    with pytest.raises(Forbidden):
        groups.join(group, w.bob)
    assert snapshot() == before


@pytest.mark.parametrize("kind", ["open", "private", "cross"])
@pytest.mark.parametrize("who", ["guest", "partner", "removed"])
def test_a_guest_an_outsider_or_a_removed_member_cannot_join_and_is_told_not_found(w, kind, who):
    group = groups.create_group(w.acme, actor=w.alice, name="內部", kind=kind)
    if who == "removed":
        orgs.remove_member(w.acme, w.bob, actor=None)
        who = "bob"
    before = snapshot()
    with pytest.raises(NotFound):
        groups.join(group, getattr(w, who))
    assert snapshot() == before


@pytest.mark.parametrize("kind", ["open", "private"])
def test_joining_twice_is_a_conflict(w, kind):
    group = groups.create_group(w.acme, actor=w.alice, name="群組", kind=kind)
    groups.join(group, w.bob)
    before = snapshot()
    with pytest.raises(Conflict):
        groups.join(group, w.bob)
    with pytest.raises(Conflict):
        groups.join(group, w.alice)  # the creator is already in it
    assert snapshot() == before


@pytest.mark.parametrize("approver", ["alice", "admin", "owner", "co_manager"])
def test_the_groups_managers_and_the_organisations_staff_approve(w, approver):
    group = groups.create_group(w.acme, actor=w.alice, name="專案", kind="private")
    if approver == "co_manager":
        groups.invite(group, w.carol, actor=w.alice)
        GroupMember.objects.filter(group=group, account=w.carol).update(role="manager")
        approver = "carol"
    groups.join(group, w.bob)
    groups.approve(group, w.bob, actor=getattr(w, approver))
    assert state_of(group, w.bob) == ("member", "active")


@pytest.mark.parametrize("who", ["bob", "carol", "guest", "partner"])
def test_a_plain_member_the_requester_a_guest_or_an_outsider_cannot_approve(w, who):
    group = groups.create_group(w.acme, actor=w.alice, name="專案", kind="private")
    groups.invite(group, w.carol, actor=w.alice)  # a plain member of the group
    groups.join(group, w.bob)
    before = snapshot()
    with pytest.raises(Forbidden):
        groups.approve(group, w.bob, actor=getattr(w, who))
    assert snapshot() == before
    assert state_of(group, w.bob) == ("member", "pending")


def test_approving_someone_who_is_not_waiting_is_not_found_and_counts_nothing(w):
    group = groups.create_group(w.acme, actor=w.alice, name="專案", kind="private")
    groups.join(group, w.bob)
    groups.approve(group, w.bob, actor=w.alice)
    before = snapshot()
    for who in (w.bob, w.carol, w.partner):
        with pytest.raises(NotFound):
            groups.approve(group, who, actor=w.alice)
    assert snapshot() == before
    assert count_of(group) == 2


# --- invite ----------------------------------------------------------------------------------------


def test_a_person_of_another_organisation_invited_into_a_cross_group_becomes_a_guest_who_sees_only_the_group(
    w,
):
    group = groups.create_group(w.acme, actor=w.alice, name="供應鏈", kind="cross")
    in_group = posts.publish(w.alice, text="交貨時間", audience="group", group_id=group.id)
    internal = posts.publish(w.alice, text="內部消息", audience="org", organisation_id=w.acme.id)
    other_group = groups.create_group(w.acme, actor=w.alice, name="全公司")
    in_other_group = posts.publish(w.alice, text="員工消息", audience="group", group_id=other_group.id)
    for post in (in_group, internal, in_other_group):
        with pytest.raises(NotFound):
            access_post(w.partner, post.id)

    member = groups.invite(group, w.partner, actor=w.alice)

    assert (member.role, member.state) == ("member", "active")
    assert Membership.objects.filter(organisation=w.acme, account=w.partner).values_list(
        "role", "is_active"
    ).get() == ("guest", True)
    assert Membership.objects.filter(organisation=w.other, account=w.partner).values_list(
        "role", "is_active"
    ).get() == ("owner", True)
    assert count_of(group) == 2
    assert AuditEntry.objects.filter(organisation=w.acme, action="guest.invite").count() == 1
    assert access_post(w.partner, in_group.id).id == in_group.id
    for post in (internal, in_other_group):
        with pytest.raises(NotFound):
            access_post(w.partner, post.id)
    with pytest.raises(NotFound):  # nor the company feed
        access_space(w.partner, "acme")
    with pytest.raises(NotFound):  # nor post into it
        posts.publish(w.partner, text="我也說", audience="org", organisation_id=w.acme.id)
    # In the group they talk like everyone else.
    reply = posts.comment(w.partner, post_id=in_group.id, text="收到")
    assert access_post(w.alice, reply.id).id == reply.id
    said = posts.publish(w.partner, text="供應商消息", audience="group", group_id=group.id)
    assert (said.audience, said.organisation_id, said.group_id) == ("group", w.acme.id, group.id)
    # The guest finds this group only, and cannot join the others.
    assert [g.id for g, _m in group_reads.groups_in(w.partner, w.acme)] == [group.id]
    with pytest.raises(NotFound):
        groups.join(other_group, w.partner)


def test_inviting_a_non_member_into_a_group_that_is_not_cross_company_is_refused(w):
    for kind in ("open", "private"):
        group = groups.create_group(w.acme, actor=w.alice, name=f"群組{kind}", kind=kind)
        before = snapshot()
        with pytest.raises(Invalid):
            groups.invite(group, w.partner, actor=w.alice)
        assert snapshot() == before


def test_a_guest_cannot_be_invited_into_an_internal_group(w):
    group = groups.create_group(w.acme, actor=w.alice, name="全公司")
    before = snapshot()
    with pytest.raises(Invalid):
        groups.invite(group, w.guest, actor=w.alice)
    assert snapshot() == before


def test_inviting_an_employee_into_a_private_group_lets_them_in_at_once(w):
    group = groups.create_group(w.acme, actor=w.alice, name="專案", kind="private")
    groups.invite(group, w.bob, actor=w.alice)
    assert state_of(group, w.bob) == ("member", "active")
    assert count_of(group) == 2


def test_inviting_someone_who_is_waiting_approves_them_and_counts_them_once(w):
    group = groups.create_group(w.acme, actor=w.alice, name="專案", kind="private")
    groups.join(group, w.bob)
    groups.invite(group, w.bob, actor=w.alice)
    assert state_of(group, w.bob) == ("member", "active")
    assert count_of(group) == 2


def test_inviting_a_member_again_is_a_conflict(w):
    group = groups.create_group(w.acme, actor=w.alice, name="供應鏈", kind="cross")
    groups.invite(group, w.partner, actor=w.alice)
    before = snapshot()
    with pytest.raises(Conflict):
        groups.invite(group, w.partner, actor=w.alice)
    assert snapshot() == before


@pytest.mark.parametrize("who", ["bob", "guest", "partner"])
def test_only_managers_and_staff_invite(w, who):
    group = groups.create_group(w.acme, actor=w.alice, name="供應鏈", kind="cross")
    groups.invite(group, w.bob, actor=w.admin)  # staff, not in the group
    stranger = w.carol
    before = snapshot()
    with pytest.raises(Forbidden):
        groups.invite(group, stranger, actor=getattr(w, who))
    assert snapshot() == before


# --- leave -----------------------------------------------------------------------------------------


def test_leaving_a_group_hides_its_posts_again(w):
    group = groups.create_group(w.acme, actor=w.alice, name="全公司")
    groups.join(group, w.bob)
    post = posts.publish(w.alice, text="群組消息", audience="group", group_id=group.id)
    assert access_post(w.bob, post.id).id == post.id
    groups.leave(group, w.bob)
    assert state_of(group, w.bob) is None
    with pytest.raises(NotFound):
        access_post(w.bob, post.id)
    assert count_of(group) == 1


def test_a_guest_who_leaves_the_cross_group_keeps_the_guest_membership_but_sees_nothing(w):
    group = groups.create_group(w.acme, actor=w.alice, name="供應鏈", kind="cross")
    groups.invite(group, w.partner, actor=w.alice)
    post = posts.publish(w.alice, text="交貨時間", audience="group", group_id=group.id)
    groups.leave(group, w.partner)
    with pytest.raises(NotFound):
        access_post(w.partner, post.id)
    assert count_of(group) == 1


def test_leaving_a_group_one_is_not_in_is_not_found(w):
    group = groups.create_group(w.acme, actor=w.alice, name="全公司")
    before = snapshot()
    with pytest.raises(NotFound):
        groups.leave(group, w.bob)
    assert snapshot() == before


def test_the_member_count_stays_right_through_join_approve_invite_and_leave(w):
    open_group = groups.create_group(w.acme, actor=w.alice, name="全公司")
    private = groups.create_group(w.acme, actor=w.alice, name="專案", kind="private")
    assert (count_of(open_group), count_of(private)) == (1, 1)
    groups.join(open_group, w.bob)
    groups.join(open_group, w.carol)
    groups.join(private, w.bob)  # waiting
    groups.join(private, w.carol)  # waiting
    assert (count_of(open_group), count_of(private)) == (3, 1)
    groups.approve(private, w.bob, actor=w.alice)
    assert count_of(private) == 2
    groups.leave(private, w.carol)  # withdrew the request: was never counted
    assert count_of(private) == 2
    groups.leave(private, w.bob)
    groups.leave(open_group, w.carol)
    assert (count_of(open_group), count_of(private)) == (2, 1)
    groups.invite(private, w.admin, actor=w.alice)
    assert count_of(private) == 2
    with pytest.raises(Conflict):
        groups.join(open_group, w.bob)
    with pytest.raises(NotFound):
        groups.approve(private, w.bob, actor=w.alice)
    assert (count_of(open_group), count_of(private)) == (2, 2)
    orgs.remove_member(w.acme, w.admin, actor=w.owner)
    assert count_of(private) == 1


# --- pin -------------------------------------------------------------------------------------------


@pytest.fixture
def spaces(w):
    group = groups.create_group(w.acme, actor=w.alice, name="全公司")
    groups.join(group, w.bob)
    internal = posts.publish(w.bob, text="公司公告", audience="org", organisation_id=w.acme.id)
    in_group = posts.publish(w.bob, text="群組公告", audience="group", group_id=group.id)
    return group, internal, in_group


@pytest.mark.parametrize("who", ["admin", "owner"])
def test_admins_pin_and_unpin_a_post_of_the_internal_space(w, spaces, who):
    _group, internal, _in_group = spaces
    pinned = groups.pin(internal, actor=getattr(w, who))
    assert (pinned.organisation_id, pinned.group_id, pinned.post_id) == (w.acme.id, None, internal.id)
    assert group_reads.pinned_post_ids(w.acme, None) == [internal.id]
    groups.pin(internal, actor=w.admin)  # twice is still one pin
    assert PinnedPost.objects.count() == 1
    groups.unpin(internal, actor=getattr(w, who))
    assert group_reads.pinned_post_ids(w.acme, None) == []


@pytest.mark.parametrize("who", ["alice", "admin"])
def test_the_groups_manager_or_an_admin_pins_a_group_post(w, spaces, who):
    group, _internal, in_group = spaces
    groups.pin(in_group, actor=getattr(w, who))
    assert group_reads.pinned_post_ids(w.acme, group) == [in_group.id]
    assert group_reads.pinned_post_ids(w.acme, None) == []


@pytest.mark.parametrize("target", ["internal", "in_group"])
@pytest.mark.parametrize("who", ["bob", "carol", "guest", "partner"])
def test_members_guests_and_outsiders_cannot_pin(w, spaces, target, who):
    _group, internal, in_group = spaces
    post = internal if target == "internal" else in_group
    before = snapshot()
    with pytest.raises(Forbidden):
        groups.pin(post, actor=getattr(w, who))
    assert snapshot() == before


def test_a_group_manager_cannot_pin_in_the_internal_space(w, spaces):
    _group, internal, _in_group = spaces
    with pytest.raises(Forbidden):
        groups.pin(internal, actor=w.alice)
    assert not PinnedPost.objects.exists()


def test_members_cannot_unpin(w, spaces):
    _group, internal, in_group = spaces
    groups.pin(internal, actor=w.admin)
    groups.pin(in_group, actor=w.alice)
    before = snapshot()
    for post, who in ((internal, w.bob), (internal, w.alice), (in_group, w.bob), (in_group, w.partner)):
        with pytest.raises(Forbidden):
            groups.unpin(post, actor=who)
    assert snapshot() == before


def test_comments_and_public_posts_cannot_be_pinned(w, spaces):
    _group, internal, in_group = spaces
    comment_inside = posts.comment(w.alice, post_id=internal.id, text="收到")
    comment_in_group = posts.comment(w.alice, post_id=in_group.id, text="收到")
    public = posts.publish(w.bob, text="公開")
    before = snapshot()
    for post in (comment_inside, comment_in_group, public):
        with pytest.raises(Invalid):
            groups.pin(post, actor=w.admin)
    assert snapshot() == before


def test_a_repost_inside_the_group_can_be_pinned(w, spaces):
    group, _internal, in_group = spaces
    shared = posts.repost(w.alice, post_id=in_group.id, comment="大家看")
    assert shared.kind == Post.Kind.REPOST
    groups.pin(shared, actor=w.alice)
    assert group_reads.pinned_post_ids(w.acme, group) == [shared.id]


def test_group_notification_settings_decide_who_hears_of_posts_and_mentions(make_account, run_hooks):
    from tidings.notifications.models import Notification
    from tidings.orgs import services as org_services
    from tidings.posts import services as post_services

    owner, eager, quiet, normal = (make_account(h) for h in ("組長", "全都要", "別吵我", "一般人"))
    org = org_services.create_organisation(slug="notify-co", name="Notify Co", owner=owner)
    for person in (eager, quiet, normal):
        org_services.add_member(org, person)
    group = groups.create_group(org, actor=owner, name="通知測試", kind="open")
    for person in (eager, quiet, normal):
        groups.join(group, person)
    groups.set_notify(group, eager, notify="all")
    groups.set_notify(group, quiet, notify="none")
    with run_hooks():
        post = post_services.publish(
            owner, text="@別吵我 @一般人 週會改到三點", audience="group", group_id=group.id
        )
    heard = set(Notification.objects.filter(post=post).values_list("recipient__handle", "kind"))
    assert heard == {("全都要", "group_post"), ("一般人", "mention")}


def test_a_group_manager_cannot_bring_back_someone_the_organisation_removed(make_account):
    from tidings.core.errors import Forbidden
    from tidings.orgs import services as org_services
    from tidings.orgs.models import Membership

    owner, manager, fired = make_account("老闆甲"), make_account("經理甲"), make_account("離職者")
    org = org_services.create_organisation(slug="fired-co", name="Fired Co", owner=owner)
    org_services.add_member(org, manager)
    org_services.add_member(org, fired)
    org_services.remove_member(org, fired, actor=owner)
    cross = groups.create_group(org, actor=manager, name="跨公司", kind="cross")
    with pytest.raises(Forbidden):
        groups.invite(cross, fired, actor=manager)
    assert not Membership.objects.get(organisation=org, account=fired).is_active
    groups.invite(cross, fired, actor=owner)  # the organisation's admins decide
    assert Membership.objects.get(organisation=org, account=fired).role == "guest"
