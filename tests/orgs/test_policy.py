"""Leak prevention: an organisation's rules on what its people post outside it."""

from __future__ import annotations

import pytest

from tidings.core.errors import Forbidden, Invalid
from tidings.orgs import policy
from tidings.orgs import services as orgs
from tidings.orgs.models import AuditEntry, HeldPost, PolicyRule
from tidings.posts import selectors
from tidings.posts import services as posts
from tidings.posts.models import Post
from tidings.search import selectors as search

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(make_account):
    admin, staff = make_account("管理員"), make_account("員工")
    org = orgs.create_organisation(slug="acme", name="Acme", owner=admin)
    orgs.add_member(org, staff)
    return org, admin, staff


def test_a_blocked_word_stops_a_public_post_with_the_reason_and_nothing_is_created(acme):
    org, admin, staff = acme
    policy.add_rule(
        org, actor=admin, pattern="機密", is_regex=False, action="block", reason="機密資料不得外流"
    )
    with pytest.raises(Invalid) as refused:
        posts.publish(staff, text="這是機密的新品規格")
    assert "機密資料不得外流" in str(refused.value) and "Acme" in str(refused.value)
    assert not Post.objects.exists()


def test_keywords_match_across_traditional_simplified_and_case(acme):
    org, admin, staff = acme
    policy.add_rule(org, actor=admin, pattern="Project 機密", is_regex=False, action="block", reason="代號")
    with pytest.raises(Invalid):
        posts.publish(staff, text="關於 PROJECT 机密 的消息")


def test_the_same_words_inside_the_organisation_are_not_checked(acme):
    org, admin, staff = acme
    policy.add_rule(org, actor=admin, pattern="機密", is_regex=False, action="block", reason="不得外流")
    inside = posts.publish(staff, text="機密的新品規格", audience="org", organisation_id=org.id)
    assert inside.id


def test_an_id_number_pattern_blocks_comments_and_reposts_with_words_too(acme, make_account):
    org, admin, staff = acme
    policy.add_rule(
        org, actor=admin, pattern=r"[A-Z][12]\d{8}", is_regex=True, action="block", reason="身分證字號"
    )
    public = posts.publish(make_account("顧客"), text="請幫我查訂單")
    with pytest.raises(Invalid):
        posts.comment(staff, post_id=public.id, text="客戶 A123456789 的訂單已寄出")
    with pytest.raises(Invalid):
        posts.repost(staff, post_id=public.id, comment="A223456789")
    assert Post.objects.count() == 1


def test_a_held_post_is_seen_only_by_its_author_until_an_admin_lets_it_out(acme, make_account, run_hooks):
    org, admin, staff = acme
    reader = make_account("讀者")
    policy.add_rule(org, actor=admin, pattern="合約", is_regex=False, action="hold", reason="合約內容需審核")
    with run_hooks():
        held = posts.publish(staff, text="新的合約條款出爐")
    assert Post.objects.get(id=held.id).held
    assert [v.post.id for v in selectors.profile_posts(staff, staff.id).items] == [held.id]
    assert selectors.profile_posts(reader, staff.id).items == []
    assert selectors.public_posts(None).items == []
    assert [h.post_id for h in policy.held_posts(org, actor=admin)] == [held.id]
    with run_hooks():
        policy.release(org, actor=admin, post_id=held.id, approve=True)
    assert [v.post.id for v in selectors.public_posts(reader).items] == [held.id]
    assert not HeldPost.objects.exists()


def test_turning_a_held_post_down_deletes_it_and_is_audited(acme):
    org, admin, staff = acme
    policy.add_rule(org, actor=admin, pattern="合約", is_regex=False, action="hold", reason="審核")
    held = posts.publish(staff, text="合約")
    policy.release(org, actor=admin, post_id=held.id, approve=False)
    assert not Post.objects.filter(id=held.id).exists()
    assert AuditEntry.objects.filter(organisation=org, action="policy.reject").exists()


@pytest.mark.parametrize("pattern", ["(unclosed", "[a-", "*oops"])
def test_a_pattern_that_does_not_compile_is_refused_and_nothing_is_saved(acme, pattern):
    org, admin, _staff = acme
    with pytest.raises(Invalid) as refused:
        policy.add_rule(org, actor=admin, pattern=pattern, is_regex=True, action="block", reason="x")
    assert "does not compile" in str(refused.value)
    assert not PolicyRule.objects.exists()


def test_a_pattern_out_of_time_holds_the_post_instead_of_stalling_or_letting_it_out(acme, monkeypatch):
    org, admin, staff = acme
    policy.add_rule(org, actor=admin, pattern=r"(\w+\s?)+$", is_regex=True, action="block", reason="慢規則")
    monkeypatch.setattr(policy, "MATCH_SECONDS", 1e-9)  # no pattern finishes in a nanosecond
    post = posts.publish(staff, text="一般的句子 " * 20 + "!")
    assert Post.objects.get(id=post.id).held


def test_only_staff_manage_rules(acme):
    org, _admin, staff = acme
    with pytest.raises(Forbidden):
        policy.add_rule(org, actor=staff, pattern="x", is_regex=False, action="block", reason="y")
    assert not PolicyRule.objects.exists()


def test_an_admin_cannot_make_themselves_owner(acme, make_account):
    org, owner, _staff = acme
    second = make_account("副管理員")
    orgs.add_member(org, second, role="admin")
    with pytest.raises(Forbidden):
        orgs.set_role(org, second, role="owner", actor=second)
    with pytest.raises(Forbidden):
        orgs.set_role(org, owner, role="member", actor=second)
    orgs.set_role(org, second, role="owner", actor=owner)


def test_the_audit_log_cannot_be_rewritten_in_bulk(acme):
    org, _admin, _staff = acme
    with pytest.raises(ValueError):
        AuditEntry.objects.filter(organisation=org).update(action="nothing")
    with pytest.raises(ValueError):
        AuditEntry.objects.filter(organisation=org).delete()
    assert AuditEntry.objects.filter(organisation=org, action="org.create").exists()


def test_a_held_post_cannot_be_reposted_and_its_edits_leave_no_public_history(acme, client_for):
    org, admin, staff = acme
    policy.add_rule(org, actor=admin, pattern="機密", is_regex=False, action="hold", reason="審核")
    held = posts.publish(staff, text="機密 roadmap Q3")
    with pytest.raises(Invalid):
        posts.repost(staff, post_id=held.id)
    posts.edit(staff, post_id=held.id, text="roadmap soon")
    policy.release(org, actor=admin, post_id=held.id, approve=True)
    history = client_for(admin).get(f"/p/{held.id}/history/").content.decode()
    assert "機密" not in history and "roadmap soon" in history


def test_regex_rules_see_through_script_width_and_case(acme):
    org, admin, staff = acme
    policy.add_rule(org, actor=admin, pattern="機密|falcon", is_regex=True, action="block", reason="代號")
    for text in ("机密 info", "ｆａｌｃｏｎ launch", "FALCON"):
        with pytest.raises(Invalid):
            posts.publish(staff, text=text)
    assert not Post.objects.exists()


def test_turning_a_held_post_down_undoes_its_counts(acme, make_account):
    org, admin, staff = acme
    public = posts.publish(make_account("顧客"), text="請問新品何時上市 #新品#")
    policy.add_rule(org, actor=admin, pattern="合約", is_regex=False, action="hold", reason="審核")
    held = posts.comment(staff, post_id=public.id, text="合約還在談")
    policy.release(org, actor=admin, post_id=held.id, approve=False)
    assert Post.objects.get(id=public.id).comments_count == 0


def test_held_topics_do_not_trend_nor_count(acme):
    from tidings.posts.models import Topic

    org, admin, staff = acme
    policy.add_rule(org, actor=admin, pattern="falcon", is_regex=False, action="hold", reason="代號")
    posts.publish(staff, text="#ProjectFalcon# falcon 進度")
    assert search.trending_topics() == []
    assert Topic.objects.get(key="projectfalcon").posts_count == 0
    assert selectors.topic_by_name("projectfalcon").name == "projectfalcon"  # as typed, not as stored


def test_held_comments_and_reposts_count_only_once_let_out(acme, make_account, run_hooks):
    org, admin, staff = acme
    public = posts.publish(make_account("顧客"), text="請問新品何時上市")
    policy.add_rule(org, actor=admin, pattern="合約", is_regex=False, action="hold", reason="審核")
    comment = posts.comment(staff, post_id=public.id, text="合約還在談")
    repost = posts.repost(staff, post_id=public.id, comment="合約細節")
    shown = Post.objects.get(id=public.id)
    assert (shown.comments_count, shown.reposts_count) == (0, 0)
    assert type(staff).objects.get(id=staff.id).posts_count == 0
    with run_hooks():
        policy.release(org, actor=admin, post_id=comment.id, approve=True)
        policy.release(org, actor=admin, post_id=repost.id, approve=True)
    shown = Post.objects.get(id=public.id)
    assert (shown.comments_count, shown.reposts_count) == (1, 1)
    assert type(staff).objects.get(id=staff.id).posts_count == 1
    posts.delete(staff, post_id=repost.id)
    posts.delete(staff, post_id=comment.id)
    shown = Post.objects.get(id=public.id)
    assert (shown.comments_count, shown.reposts_count) == (0, 0)


def test_a_post_breaking_the_rules_of_two_organisations_waits_for_both(acme, make_account, run_hooks):
    org, admin, staff = acme
    other_admin = make_account("他司管理員")
    other = orgs.create_organisation(slug="partner", name="Partner", owner=other_admin)
    orgs.add_member(other, staff)
    policy.add_rule(org, actor=admin, pattern="合約", is_regex=False, action="hold", reason="Acme 審核")
    policy.add_rule(other, actor=other_admin, pattern="合約", is_regex=False, action="hold", reason="夥伴")
    held = posts.publish(staff, text="兩家的合約")
    assert [h.reason for h in policy.held_posts(other, actor=other_admin)] == ["夥伴"]
    with run_hooks():
        policy.release(org, actor=admin, post_id=held.id, approve=True)
    assert Post.objects.get(id=held.id).held  # still waiting for the partner
    assert selectors.public_posts(None).items == []
    with run_hooks():
        policy.release(other, actor=other_admin, post_id=held.id, approve=True)
    assert [v.post.id for v in selectors.public_posts(None).items] == [held.id]


def test_an_executives_post_on_company_business_is_held_for_review_and_says_why(
    acme, make_account, client_for
):
    from tests.web.helpers import english

    from tidings.accounts.models import Account

    org, admin, staff = acme
    boss = make_account("執行長", kind=Account.Kind.EXECUTIVE)
    orgs.add_member(org, boss)
    orgs.register_official_account(org, boss, actor=admin)
    boss.refresh_from_db()
    policy.add_rule(
        org,
        actor=admin,
        pattern="營收",
        is_regex=False,
        action="hold",
        reason="談到公司財務,需公關部審閱",
        applies_to="executives",
    )

    held = posts.publish(boss, text="下一季營收會大幅成長")
    free = posts.publish(staff, text="聽說營收會成長")

    assert held.held and not free.held
    assert [h.post_id for h in policy.held_posts(org, actor=admin)] == [held.id]
    own_card = english(client_for(boss)).get(f"/p/{held.id}/").content.decode()
    assert "Held for review before it goes out" in own_card and "需公關部審閱" in own_card
    assert "Executive" in english(client_for(staff)).get(f"/@{boss.handle}/").content.decode()
    assert english(client_for(staff)).get(f"/p/{held.id}/").status_code == 404


def test_a_rule_applies_to_everyone_or_to_executives_nothing_else(acme):
    org, admin, _staff = acme
    with pytest.raises(Invalid, match="executives"):
        policy.add_rule(
            org, actor=admin, pattern="x", is_regex=False, action="hold", reason="r", applies_to="managers"
        )
    assert not PolicyRule.objects.exists()
