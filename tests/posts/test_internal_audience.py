"""Who sees what inside organisations: posts to an organisation's internal space ("org") and to a
group ("group", including a cross-company group with a guest from a supplier), with a comment
under each and a repost inside each, against every kind of viewer, through every read path of
posts: one post, its comments, the public square, profiles, topics, home timelines, live events
and notifications. And the writes that must keep an internal post inside: reposts, comments,
publishing into a space one is not in, and the organisation's length limit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from tests.worlds import account, hooks, world_fixtures

from tidings.accounts.models import Account
from tidings.core import pubsub
from tidings.core.audience import access_post, can_see
from tidings.core.errors import Invalid, NotFound
from tidings.groups import services as groups
from tidings.notifications import selectors as inbox
from tidings.notifications import services as messages
from tidings.notifications.models import Notification
from tidings.orgs import services as orgs
from tidings.orgs.models import Organisation
from tidings.posts import selectors
from tidings.posts import services as posts
from tidings.posts.models import Mention, Post, PostTopic, Topic
from tidings.search import selectors as search
from tidings.social import services as social
from tidings.timelines import store
from tidings.timelines.selectors import home_timeline

pytestmark = pytest.mark.django_db


@dataclass
class World:
    acme: Organisation
    supplier: Organisation
    team_id: int  # an open internal group of acme: author, colleague (and, before, removed)
    chain_id: int  # acme's cross-company group: author and a supplier's employee
    author: Account
    colleague: Account
    admin: Account
    outsider: Account
    guest: Account
    cross_guest: Account
    removed: Account
    follower: Account
    posts: dict[str, Post]

    def viewer(self, name: str) -> Any:
        if name == "anonymous (None)":
            return None
        if name == "anonymous (AnonymousUser)":
            return AnonymousUser()
        return getattr(self, name)

    def ids(self, names: set[str]) -> set[int]:
        return {self.posts[n].id for n in names}


def build() -> World:
    author, colleague, admin = account("作者"), account("同事"), account("主管")
    outsider, guest, cross_guest = account("別家員工"), account("訪客"), account("供應商")
    removed, follower = account("離職者"), account("粉絲")
    acme = orgs.create_organisation(slug="acme", name="Acme", owner=admin)
    supplier = orgs.create_organisation(slug="supplier", name="Supplier", owner=outsider)
    for person in (author, colleague, removed):
        orgs.add_member(acme, person, actor=admin)
    orgs.add_member(acme, guest, role="guest", actor=admin)
    orgs.add_member(supplier, cross_guest, actor=outsider)
    team = groups.create_group(acme, actor=author, name="研發部")
    groups.join(team, colleague)
    groups.join(team, removed)
    chain = groups.create_group(acme, actor=author, name="供應鏈", kind="cross")
    groups.invite(chain, cross_guest, actor=author)
    groups.invite(chain, removed, actor=author)

    for reader in (author, colleague, admin, outsider, guest, cross_guest, removed, follower):
        home_timeline(reader)  # timelines kept, so a fan-out would write into them
    with hooks():
        for reader in (colleague, admin, outsider, guest, cross_guest, removed, follower):
            social.follow(reader, account_id=author.id)
        for reader in (follower, outsider, author):
            social.follow(reader, account_id=colleague.id)
        social.follow(follower, account_id=cross_guest.id)

    made: dict[str, Post] = {}
    with hooks():
        made["public"] = posts.publish(author, text="公開 #新聞#")
        made["org_post"] = posts.publish(
            author, text="內部公告 #機密#", audience="org", organisation_id=acme.id
        )
        made["group_post"] = posts.publish(author, text="研發進度 #機密#", audience="group", group_id=team.id)
        made["cross_post"] = posts.publish(
            author, text="交貨時間 #機密#", audience="group", group_id=chain.id
        )
    with hooks():
        made["org_comment"] = posts.comment(colleague, post_id=made["org_post"].id, text="收到")
        made["org_repost"] = posts.repost(colleague, post_id=made["org_post"].id, comment="大家看")
        made["group_comment"] = posts.comment(colleague, post_id=made["group_post"].id, text="好")
        made["group_repost"] = posts.repost(colleague, post_id=made["group_post"].id, comment="轉給組員")
        made["cross_comment"] = posts.comment(cross_guest, post_id=made["cross_post"].id, text="可以")
        made["cross_repost"] = posts.repost(cross_guest, post_id=made["cross_post"].id, comment="注意")
        made["direct"] = messages.send_message(author, recipient_id=colleague.id, text="私下說 #機密# @粉絲")
    orgs.remove_member(acme, removed, actor=admin)
    return World(
        acme,
        supplier,
        team.id,
        chain.id,
        author,
        colleague,
        admin,
        outsider,
        guest,
        cross_guest,
        removed,
        follower,
        made,
    )


_world_built, world = world_fixtures(build)


ORG = {"org_post", "org_comment", "org_repost"}
GROUP = {"group_post", "group_comment", "group_repost"}
CROSS = {"cross_post", "cross_comment", "cross_repost"}
DIRECT = {"direct"}  # a message from the author to the colleague
INTERNAL = ORG | GROUP | CROSS | DIRECT  # everything that is not public
ALL = {"public"} | INTERNAL
COMMENTS = {"org_comment", "group_comment", "cross_comment"}
ROOTS = {"public", "org_post", "group_post", "cross_post"}
SEES = {
    "author": ALL,
    "colleague": {"public"} | ORG | GROUP | DIRECT,  # not in the cross-company group
    "admin": {"public"} | ORG,  # an admin is not a member of every group
    "outsider": {"public"},
    "guest": {"public"},
    "cross_guest": {"public"} | CROSS,
    "removed": {"public"},
    "follower": {"public"},
    "anonymous (None)": {"public"},
    "anonymous (AnonymousUser)": {"public"},
}
VIEWERS = list(SEES)


def each_viewer(check: Any) -> Any:
    """Run a read-only check for every viewer against one world: building the world is the slow
    part, and reading changes nothing, so the viewers need not each have their own."""

    def test(world: World) -> None:
        for viewer in VIEWERS:
            check(world, viewer)

    test.__name__, test.__doc__ = check.__name__, check.__doc__
    return test


def ids(page: selectors.Page) -> set[int]:
    return {v.post.id for v in page.items}


@each_viewer
def test_one_post_is_found_only_by_those_in_its_audience_and_otherwise_looks_missing(world, viewer):
    who = world.viewer(viewer)
    for name in sorted(ALL):
        post = world.posts[name]
        if name in SEES[viewer]:
            assert access_post(who, post.id).id == post.id, name
            assert access_post(who, str(post.id)).id == post.id, name
            assert selectors.post_view(who, post.id).post.id == post.id, name
            assert can_see(who, post.id), name
        else:
            with pytest.raises(NotFound) as hidden:
                access_post(who, post.id)
            with pytest.raises(NotFound):
                selectors.post_view(who, post.id)
            assert not can_see(who, post.id), name
            with pytest.raises(NotFound) as missing:
                access_post(who, post.id + 1)
            assert str(hidden.value) == str(missing.value), name


@each_viewer
def test_a_repost_inside_shows_its_original_only_to_those_who_may_see_both(world, viewer):
    who = world.viewer(viewer)
    for name in ("org_repost", "group_repost", "cross_repost"):
        if name in SEES[viewer]:
            view = selectors.post_view(who, world.posts[name].id)
            assert view.original is not None
            assert view.original.id == world.posts[name.replace("repost", "post")].id


@each_viewer
def test_comments_under_internal_posts_are_listed_only_for_their_audience(world, viewer):
    who = world.viewer(viewer)
    listed: set[int] = set()
    for root in ROOTS:
        listed |= ids(selectors.comments(who, world.posts[root]))
    assert listed == world.ids(SEES[viewer] & COMMENTS)


@each_viewer
def test_the_public_square_never_shows_internal_posts(world, viewer):
    assert ids(selectors.public_posts(world.viewer(viewer))) == world.ids({"public"})


@each_viewer
def test_profiles_show_outsiders_no_internal_post_or_repost(world, viewer):
    who = world.viewer(viewer)
    shown = (
        ids(selectors.profile_posts(who, world.author.id))
        | ids(selectors.profile_posts(who, world.colleague.id))
        | ids(selectors.profile_posts(who, world.cross_guest.id))
    )
    assert world.posts["public"].id in shown
    assert shown & world.ids(INTERNAL) <= world.ids(SEES[viewer])
    assert not shown & world.ids(COMMENTS | DIRECT)  # a message is not shown on a profile


def test_internal_posts_do_not_count_on_profiles_nor_on_topics(world):
    counts = dict(
        Account.objects.filter(
            id__in=[world.author.id, world.colleague.id, world.cross_guest.id]
        ).values_list("handle", "posts_count")
    )
    assert counts == {"作者": 1, "同事": 0, "供應商": 0}
    assert Topic.objects.get(name="機密").posts_count == 0
    assert Topic.objects.get(name="新聞").posts_count == 1
    assert "機密" not in [t.name for t in search.trending_topics()]


@each_viewer
def test_the_topic_page_shows_internal_posts_only_to_their_audience(world, viewer):
    who = world.viewer(viewer)
    topic = selectors.topic_by_name("機密")
    assert PostTopic.objects.filter(topic=topic).count() == 3
    assert ids(selectors.topic_posts(who, topic)) == world.ids(
        SEES[viewer] & {"org_post", "group_post", "cross_post"}
    )
    assert Topic.objects.get(id=topic.id).posts_count == 0


@pytest.mark.parametrize(
    "viewer", ["author", "colleague", "admin", "outsider", "guest", "cross_guest", "removed", "follower"]
)
def test_internal_posts_are_never_fanned_out_nor_shown_on_home(world, viewer):
    who = world.viewer(viewer)
    assert not set(store.read(who.id, max_id=None, limit=100)) & world.ids(INTERNAL)
    # Everyone here follows the author (the author is on their own home): the public post is there.
    assert ids(home_timeline(who)) == world.ids({"public"})


def test_home_stays_free_of_internal_posts_after_a_rebuild_and_a_new_follow(world, make_account, run_hooks):
    from tidings.timelines import services as timelines

    timelines.rebuild(world.follower)
    assert ids(home_timeline(world.follower)) == world.ids({"public"})
    newcomer = make_account("新粉絲")
    home_timeline(newcomer)
    with run_hooks():
        social.follow(newcomer, account_id=world.author.id)
        social.follow(newcomer, account_id=world.colleague.id)
    assert not set(store.read(newcomer.id, max_id=None, limit=100)) & world.ids(INTERNAL)
    assert ids(home_timeline(newcomer)) == world.ids({"public"})


def test_followers_get_no_live_event_for_an_internal_post(world, run_hooks):
    since = {a.id: pubsub.position([a.id]) for a in (world.follower, world.colleague, world.outsider)}
    with run_hooks():
        internal = posts.publish(
            world.author, text="又一則內部公告", audience="org", organisation_id=world.acme.id
        )
        in_group = posts.publish(world.author, text="組內", audience="group", group_id=world.team_id)
    secret = {str(internal.id), str(in_group.id)}
    for account_id, after in since.items():
        events = pubsub.read(account_id, after, timeout=0)
        assert not [e for e in events if e.kind == "post" and e.data.get("id") in secret]
    with run_hooks():
        public = posts.publish(world.author, text="公開的")
    events = pubsub.read(world.follower.id, since[world.follower.id], timeout=0)
    assert [e.data for e in events if e.kind == "post"] == [{"id": str(public.id)}]


# --- notifications ---------------------------------------------------------------------------------


def notified(account: Account) -> list[tuple[str, int | None]]:
    return list(Notification.objects.filter(recipient=account).order_by("id").values_list("kind", "post_id"))


@pytest.mark.parametrize("audience", ["org", "group", "cross"])
def test_a_mention_inside_notifies_members_of_the_audience_and_nobody_else(world, run_hooks, audience):
    text = "@同事 @主管 @別家員工 @訪客 @供應商 @離職者 @粉絲 看一下"
    space: dict[str, Any] = {
        "org": {"audience": "org", "organisation_id": world.acme.id},
        "group": {"audience": "group", "group_id": world.team_id},
        "cross": {"audience": "group", "group_id": world.chain_id},
    }[audience]
    with run_hooks():
        post = posts.publish(world.author, text=text, **space)
    audience_of = {
        "org": {"colleague", "admin"},
        "group": {"colleague"},
        "cross": {"cross_guest"},
    }[audience]
    for name in ("colleague", "admin", "outsider", "guest", "cross_guest", "removed", "follower"):
        who = world.viewer(name)
        mentions = [n for n in notified(who) if n == ("mention", post.id)]
        if name in audience_of:
            assert mentions == [("mention", post.id)], name
            assert post.id in {n.post_id for n in inbox.notifications(who).items}, name
        else:
            assert mentions == [], name
            assert post.id not in {n.post_id for n in inbox.notifications(who).items}, name


def test_comments_and_reposts_inside_notify_the_author_only_while_they_are_a_member(
    world, make_account, run_hooks
):
    leaver = make_account("臨時工")
    orgs.add_member(world.acme, leaver, actor=world.admin)
    old = posts.publish(leaver, text="離職前的公告", audience="org", organisation_id=world.acme.id)
    with run_hooks():
        first = posts.comment(world.colleague, post_id=old.id, text="收到")
    assert notified(leaver) == [("comment", first.id)]
    orgs.remove_member(world.acme, leaver, actor=world.admin)
    # The post stays for the colleagues, who still comment and repost; the one who left hears nothing.
    with run_hooks():
        second = posts.comment(world.colleague, post_id=old.id, text="他已經走了")
        shared = posts.repost(world.colleague, post_id=old.id, comment="轉")
    assert notified(leaver) == [("comment", first.id)]
    assert inbox.notifications(leaver).items == []
    assert access_post(world.admin, second.id).id == second.id
    assert access_post(world.admin, shared.id).id == shared.id


def test_a_notification_about_an_internal_post_disappears_when_the_recipient_is_removed(world, run_hooks):
    with run_hooks():
        post = posts.publish(world.author, text="@同事 開會", audience="org", organisation_id=world.acme.id)
    assert post.id in {n.post_id for n in inbox.notifications(world.colleague).items}
    orgs.remove_member(world.acme, world.colleague, actor=world.admin)
    assert post.id not in {n.post_id for n in inbox.notifications(world.colleague).items}


# --- reposts and comments stay inside --------------------------------------------------------------


@pytest.mark.parametrize("name", ["org_post", "group_post", "cross_post", "org_repost", "group_repost"])
def test_reposting_an_internal_post_keeps_the_repost_in_the_same_space(world, name):
    reposter = world.colleague if name in ("org_post", "group_post") else world.author
    target = world.posts[name]
    original = target.repost_of if target.kind == Post.Kind.REPOST else target
    before = Account.objects.get(id=reposter.id).posts_count
    plain = posts.repost(reposter, post_id=target.id)
    quoted = posts.repost(reposter, post_id=target.id, comment="再轉 #機密#")
    for made in (plain, quoted):
        assert (made.audience, made.organisation_id, made.group_id) == (
            original.audience,
            original.organisation_id,
            original.group_id,
        )
        assert made.repost_of_id == original.id
        with pytest.raises(NotFound):
            access_post(world.outsider, made.id)
        with pytest.raises(NotFound):
            access_post(None, made.id)
    assert Account.objects.get(id=reposter.id).posts_count == before
    assert Topic.objects.get(name="機密").posts_count == 0
    assert ids(selectors.public_posts(None)) == world.ids({"public"})


@pytest.mark.parametrize("name", sorted(INTERNAL - COMMENTS))
@pytest.mark.parametrize("who", ["outsider", "guest", "removed", "follower"])
def test_someone_outside_the_audience_cannot_repost_comment_like_or_favourite_it(world, name, who):
    target, actor = world.posts[name], world.viewer(who)
    before = (Post.objects.count(), Mention.objects.count(), Post.objects.get(id=target.id).reposts_count)
    with pytest.raises(NotFound):
        posts.repost(actor, post_id=target.id)
    with pytest.raises(NotFound):
        posts.repost(actor, post_id=target.id, comment="偷轉")
    with pytest.raises(NotFound):
        posts.comment(actor, post_id=target.id, text="偷看")
    with pytest.raises(NotFound):
        posts.like(actor, post_id=target.id)
    with pytest.raises(NotFound):
        posts.favourite(actor, post_id=target.id)
    after = (Post.objects.count(), Mention.objects.count(), Post.objects.get(id=target.id).reposts_count)
    assert after == before


def test_a_comment_under_an_internal_post_stays_in_its_space(world):
    for name in ("org_comment", "group_comment", "cross_comment"):
        made, root = world.posts[name], world.posts[name.replace("comment", "post")]
        assert (made.audience, made.organisation_id, made.group_id) == (
            root.audience,
            root.organisation_id,
            root.group_id,
        )
    reply = posts.comment(world.author, post_id=world.posts["cross_comment"].id, text="謝謝")
    assert (reply.audience, reply.group_id, reply.root_id) == (
        "group",
        world.chain_id,
        world.posts["cross_post"].id,
    )


# --- publishing into a space -----------------------------------------------------------------------


def test_members_publish_into_their_organisation_and_group(world):
    internal = posts.publish(world.colleague, text="內部", audience="org", organisation_id=world.acme.id)
    assert (internal.audience, internal.organisation_id, internal.group_id) == ("org", world.acme.id, None)
    in_group = posts.publish(world.colleague, text="組內", audience="group", group_id=world.team_id)
    assert (in_group.audience, in_group.organisation_id, in_group.group_id) == (
        "group",
        world.acme.id,
        world.team_id,
    )


@pytest.mark.parametrize(
    ("who", "space"),
    [
        ("outsider", "org"),
        ("guest", "org"),
        ("cross_guest", "org"),
        ("removed", "org"),
        ("follower", "org"),
        ("outsider", "team"),
        ("guest", "team"),
        ("cross_guest", "team"),
        ("removed", "team"),
        ("admin", "team"),
        ("pending", "private"),
        ("colleague", "chain"),
        ("removed", "chain"),
        ("outsider", "chain"),
        ("author", "missing group"),
        ("author", "missing organisation"),
        ("author", "no group"),
        ("author", "no organisation"),
    ],
)
def test_publishing_into_a_space_one_is_not_an_active_member_of_is_not_found_and_creates_nothing(
    world, who, space
):
    if space == "private":
        private = groups.create_group(world.acme, actor=world.admin, name="高層", kind="private")
        groups.join(private, world.colleague)
        who, target = "colleague", {"audience": "group", "group_id": private.id}
    else:
        target = {
            "org": {"audience": "org", "organisation_id": world.acme.id},
            "team": {"audience": "group", "group_id": world.team_id},
            "chain": {"audience": "group", "group_id": world.chain_id},
            "missing group": {"audience": "group", "group_id": world.team_id + 999},
            "missing organisation": {"audience": "org", "organisation_id": world.acme.id + 999},
            "no group": {"audience": "group"},
            "no organisation": {"audience": "org"},
        }[space]
    actor = world.viewer(who)
    before = (Post.objects.count(), Topic.objects.count(), Mention.objects.count())
    with pytest.raises(NotFound):
        posts.publish(actor, text="想進去 #機密# @同事", **target)
    assert (Post.objects.count(), Topic.objects.count(), Mention.objects.count()) == before


def test_the_organisations_group_is_used_whatever_organisation_is_given(world):
    made = posts.publish(
        world.cross_guest,
        text="供應商說",
        audience="group",
        group_id=world.chain_id,
        organisation_id=world.supplier.id,
    )
    assert (made.organisation_id, made.group_id) == (world.acme.id, world.chain_id)


def test_a_public_post_cannot_be_given_a_space(world):
    before = Post.objects.count()
    with pytest.raises(Invalid):
        posts.publish(world.author, text="公開", organisation_id=world.acme.id)
    with pytest.raises(Invalid):
        posts.publish(world.author, text="公開", audience="followers", group_id=world.team_id)
    assert Post.objects.count() == before


# --- the organisation's length limit ---------------------------------------------------------------


def test_the_organisations_length_limit_applies_inside_it_and_only_there(world):
    Organisation.objects.filter(id=world.acme.id).update(post_max_length=10)
    eleven = "一二三四五六七八九十百"
    before = Post.objects.count()
    with pytest.raises(Invalid) as refused:
        posts.publish(world.author, text=eleven, audience="org", organisation_id=world.acme.id)
    assert refused.value.field == "text"
    with pytest.raises(Invalid):
        posts.publish(world.author, text=eleven, audience="group", group_id=world.team_id)
    with pytest.raises(Invalid):
        posts.comment(world.colleague, post_id=world.posts["org_post"].id, text=eleven)
    with pytest.raises(Invalid):
        posts.repost(world.colleague, post_id=world.posts["group_post"].id, comment=eleven)
    with pytest.raises(Invalid):
        posts.edit(world.author, post_id=world.posts["org_post"].id, text=eleven)
    assert Post.objects.count() == before
    assert Post.objects.get(id=world.posts["org_post"].id).text == "內部公告 #機密#"
    ten = eleven[:10]
    assert posts.publish(world.author, text=ten, audience="org", organisation_id=world.acme.id).text == ten
    assert posts.publish(world.author, text=eleven).text == eleven


def test_an_organisation_may_raise_its_limit_above_the_platforms(world):
    Organisation.objects.filter(id=world.acme.id).update(post_max_length=200)
    long_text = "長" * 150
    made = posts.publish(world.author, text=long_text, audience="org", organisation_id=world.acme.id)
    assert made.text == long_text
    before = Post.objects.count()
    with pytest.raises(Invalid):
        posts.publish(world.author, text=long_text)
    assert Post.objects.count() == before


EVERY_TEXT = (
    "公開 OR 內部公告 OR 研發進度 OR 交貨時間 OR 收到 OR 大家看 OR 好 OR 轉給組員 OR 可以 OR 注意 OR 私下說"
)


@pytest.mark.parametrize("order", ["top", "latest"])
def test_search_finds_each_post_only_for_its_audience_on_every_page(world, order):
    for viewer in VIEWERS:  # one world for all viewers: building it is the slow part
        _search_as(world, viewer, order)


def _search_as(world: World, viewer: str, order: str) -> None:
    who = world.viewer(viewer)
    whole = search.find_posts(who, EVERY_TEXT, order=order, limit=40)
    assert {v.post.id for v in whole.items} == world.ids(SEES[viewer]), viewer
    # Page by page, one result a page: the filter is inside the query, no page is cut short.
    seen: list[int] = []
    offset, max_id = 0, None
    for _ in range(len(ALL) + 1):
        page = search.find_posts(who, EVERY_TEXT, order=order, limit=1, offset=offset, max_id=max_id)
        seen += [v.post.id for v in page.items]
        if page.next_offset is None and page.next_max_id is None:
            break
        offset, max_id = page.next_offset or 0, page.next_max_id
    assert sorted(seen) == sorted(world.ids(SEES[viewer])), viewer
    assert len(seen) == len(set(seen))


@each_viewer
def test_the_spaces_one_may_post_into_are_the_spaces_one_may_read(world, viewer):
    """The compose box offers the spaces of `insider_of` and `groups_of`; the reading rule is
    the audience filter's own SQL. Both must name the same spaces for every kind of viewer."""
    from tidings.core.audience import groups_of, insider_of, visible_posts

    person = world.viewer(viewer)
    if person is None or not person.is_authenticated:
        return
    readable = Post.objects.filter(visible_posts(person))
    read_orgs = set(readable.filter(audience="org").values_list("organisation_id", flat=True))
    read_groups = set(readable.filter(audience="group").values_list("group_id", flat=True))
    with_org_posts = set(Post.objects.filter(audience="org").values_list("organisation_id", flat=True))
    with_group_posts = set(Post.objects.filter(audience="group").values_list("group_id", flat=True))
    assert read_orgs == set(insider_of(person.id).values_list("organisation_id", flat=True)) & with_org_posts
    assert read_groups == set(groups_of(person.id).values_list("group_id", flat=True)) & with_group_posts
