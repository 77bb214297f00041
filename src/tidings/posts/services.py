"""Every write to posts: publish, repost, comment, edit, delete, like, favourite, media."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tidings.accounts.models import Account
from tidings.accounts.selectors import accounts_by_handles
from tidings.core import events, images, ratelimit, storage
from tidings.core.audience import access_post, can_see
from tidings.core.errors import Conflict, Forbidden, Invalid, NotFound
from tidings.core.text import clean_post_text, extract_mentions, extract_topics, fold
from tidings.posts import polls
from tidings.posts.models import (
    OUTSIDE,
    AppCard,
    Audience,
    Favourite,
    IdempotencyKey,
    Like,
    Media,
    Mention,
    Post,
    PostEdit,
    PostTopic,
    ProfilePin,
    Topic,
)
from tidings.posts.polls import PollSpec

# A direct message may be longer than a post, as in Weibo's 私信.
DIRECT_MAX_LENGTH = 1000

# A repost chain grows with every hop; past this the oldest words are cut off.
MAX_STORED_TEXT = 2000


def _max_length(post: Post | None = None) -> int:
    """The length limit: the platform's, or the organisation's for a post inside one."""
    if post is not None and post.audience == Audience.DIRECT:
        return DIRECT_MAX_LENGTH
    if post is not None and post.organisation_id:
        from tidings.orgs.models import Organisation

        limit = Organisation.objects.filter(id=post.organisation_id).values_list("post_max_length", flat=True)
        return int(limit.first() or settings.POST_MAX_LENGTH)
    return int(settings.POST_MAX_LENGTH)


def _screen(author: Account, text: str, audience: str) -> Any:
    """Apply the author's organisations' leak-prevention rules to text leaving them: a block
    refuses it with the rule's reason; a hold comes back as the verdict, to hold the post."""
    if audience not in OUTSIDE or not text:
        return None
    from tidings.orgs import policy

    verdict = policy.check(author, text)
    if verdict is not None and verdict.action == "block":
        raise Invalid(policy.refuse_message(verdict), field="text")
    return verdict


def _hold(post: Post, verdict: Any) -> None:
    from tidings.orgs import policy

    policy.hold(post.id, verdict)


def _space(author: Account, audience: str, organisation_id: int | None, group_id: int | None) -> Post:
    """An unsaved Post carrying the audience and the space it stays in, checked: only an employee
    posts into an organisation, only a member into a group. Anything else is answered as missing."""
    from tidings.core.audience import groups_of, insider_of
    from tidings.groups.models import Group

    post = Post(author=author, audience_owner=author, audience=audience)
    if audience == Audience.ORGANISATION:
        if (
            organisation_id is None
            or not insider_of(author.id).filter(organisation_id=organisation_id).exists()
        ):
            raise NotFound()
        post.organisation_id = organisation_id
    elif audience == Audience.GROUP:
        group = Group.objects.filter(id=group_id or 0).first()
        if group is None or not groups_of(author.id).filter(group_id=group.id).exists():
            raise NotFound()
        post.group, post.organisation_id = group, group.organisation_id
    elif organisation_id or group_id:
        raise Invalid(_("A public or followers-only post cannot be given a group or an organisation."))
    return post


def clean_language(language: str) -> str:
    """An ISO 639 code as clients send it (zh, en, zh-TW); anything else is refused."""
    language = (language or "").strip()
    if not language:
        return ""
    if len(language) > 8 or not all(c.isalpha() or c == "-" for c in language) or not language.isascii():
        raise Invalid(_("Unknown language."), field="language")
    return language


def _count_write(account: Account) -> None:
    """Posting, reposting and commenting share one per-minute budget per account."""
    ratelimit.write(account.id)


def _clean_audience(audience: str) -> str:
    if audience not in Audience.values:
        raise Invalid(_("Unknown audience."), field="audience")
    if audience == Audience.DIRECT:  # a message needs its conversation: notifications.send_message
        raise Invalid(_("A direct message is sent to one person from a conversation."), field="audience")
    return audience


def upload_media(owner: Account, *, data: bytes, description: str = "") -> Media:
    """Decode, check and re-encode one picture; it waits unattached until a post takes it."""
    processed = images.process_image(
        data, max_bytes=settings.IMAGE_MAX_BYTES, max_pixels=settings.IMAGE_MAX_PIXELS
    )
    description = description.strip()[:500]
    file = storage.save("posts", processed.extension, processed.data)
    thumb = storage.save("posts", images.THUMB_EXTENSION, processed.thumbnail)
    try:
        return Media.objects.create(
            owner=owner,
            file=file,
            thumbnail=thumb,
            width=processed.width,
            height=processed.height,
            thumb_width=processed.thumb_width,
            thumb_height=processed.thumb_height,
            description=description,
        )
    except Exception:
        storage.delete(file)
        storage.delete(thumb)
        raise


def describe_media(owner: Account, *, media_id: int, text: str) -> Media:
    """The description (alt text) of a picture not yet in a post."""
    media = Media.objects.filter(id=media_id, owner=owner, post__isnull=True).first()
    if media is None:
        raise NotFound()
    media.description = text.strip()[:500]
    media.save(update_fields=["description"])
    return media


def attach_media(post: Post, owner: Account, media_ids: Sequence[int]) -> None:
    if len(media_ids) > settings.POST_MAX_IMAGES:
        raise Invalid(_("A post can hold at most %(n)d pictures.") % {"n": settings.POST_MAX_IMAGES})
    if not media_ids:
        return
    found = {m.id: m for m in Media.objects.filter(id__in=media_ids, owner=owner, post__isnull=True)}
    if len(found) != len(set(media_ids)):
        raise Invalid(_("A picture was not found or is already in another post."))
    for position, media_id in enumerate(media_ids):
        Media.objects.filter(id=media_id).update(post=post, position=position)


def link_topics(post: Post, names: list[str]) -> None:
    if not names:
        return
    wanted = {fold(n): n for n in names}
    Topic.objects.bulk_create([Topic(key=k, name=n) for k, n in wanted.items()], ignore_conflicts=True)
    topics = list(Topic.objects.filter(key__in=wanted))
    PostTopic.objects.bulk_create([PostTopic(topic=t, post=post) for t in topics], ignore_conflicts=True)
    if post.audience == Audience.PUBLIC and not post.held:
        Topic.objects.filter(id__in=[t.id for t in topics]).update(posts_count=F("posts_count") + 1)


def _unlink_topics(post: Post) -> None:
    topic_ids = list(PostTopic.objects.filter(post=post).values_list("topic_id", flat=True))
    PostTopic.objects.filter(post=post).delete()
    if post.audience == Audience.PUBLIC and not post.held:
        Topic.objects.filter(id__in=topic_ids).update(posts_count=F("posts_count") - 1)


def link_mentions(post: Post, handles: list[str]) -> None:
    accounts = accounts_by_handles(handles)
    Mention.objects.bulk_create(
        [Mention(post=post, account=a) for a in accounts.values() if a.id != post.author_id],
        ignore_conflicts=True,
    )


def publish(
    author: Account,
    *,
    text: str,
    audience: str = Audience.PUBLIC,
    organisation_id: int | None = None,
    group_id: int | None = None,
    media_ids: Sequence[int] = (),
    images_data: Sequence[bytes] = (),
    flavour: str = "",
    language: str = "",
    poll: PollSpec | None = None,
) -> Post:
    """A new post, in public, to followers, or inside an organisation or one of its groups.
    Pictures come either already uploaded (media_ids) or as raw bytes."""
    post = _space(author, _clean_audience(audience), organisation_id, group_id)
    from tidings.groups.forum import check_flavour

    check_flavour(author, post, flavour)
    post.flavour = flavour
    post.language = clean_language(language)
    if len(media_ids) + len(images_data) > settings.POST_MAX_IMAGES:
        raise Invalid(_("A post can hold at most %(n)d pictures.") % {"n": settings.POST_MAX_IMAGES})
    has_pictures = bool(media_ids or images_data)
    if poll is not None:
        if has_pictures:
            raise Invalid(_("A post cannot carry both a poll and pictures."), field="poll")
        poll = polls.clean(poll)
    limit = _max_length(post)
    post.text = text.strip() if has_pictures and not text.strip() else clean_post_text(text, max_length=limit)
    verdict = _screen(author, post.text, post.audience)
    post.held = verdict is not None
    _count_write(author)
    uploaded: list[Media] = []
    try:
        for data in images_data:
            uploaded.append(upload_media(author, data=data))
        with transaction.atomic():
            post.save(force_insert=True)
            attach_media(post, author, [*media_ids, *(m.id for m in uploaded)])
            if poll is not None:
                polls.create(post, poll)
            link_topics(post, extract_topics(post.text))
            link_mentions(post, extract_mentions(post.text))
            _published_or_held(post, verdict)
    except Exception:
        for media in uploaded:
            _delete_media_files(media)
            media.delete()
        raise
    return post


def repost(account: Account, *, post_id: int | str, comment: str = "") -> Post:
    """Share a post, with or without words of one's own; the chain of earlier reposters stays."""
    target = access_post(account, post_id, related=("repost_of",))
    if target.kind == Post.Kind.COMMENT:
        raise Invalid(_("Comments cannot be reposted."))
    original = target.repost_of if target.kind == Post.Kind.REPOST else target
    # The original must be visible too: reposting someone's repost must not reach a post whose
    # author blocked you, or one whose author has gone.
    if original is None or (original.id != target.id and not can_see(account, original.id)):
        raise NotFound()
    if Audience.FOLLOWERS in (original.audience, target.audience):
        raise Invalid(_("Followers-only posts cannot be reposted."))
    if Audience.DIRECT in (original.audience, target.audience):
        raise Invalid(_("Direct messages cannot be reposted."))
    # A post inside an organisation or group can be reposted there, and only there.
    space = {
        "audience": original.audience,
        "organisation_id": original.organisation_id,
        "group_id": original.group_id,
    }
    comment = comment.strip()
    if comment:
        comment = clean_post_text(comment, max_length=_max_length(original))
    chain = (
        f"//@{target.author.handle}: {target.text}" if target.kind == Post.Kind.REPOST and target.text else ""
    )
    if target.held or original.held:
        raise Invalid(_("This post is waiting for review and cannot be reposted yet."))
    # The chain is screened too: it may carry words of the reposter's own earlier reposts.
    verdict = _screen(account, f"{comment}{chain}", original.audience)
    plain = not comment and not chain
    if (
        plain
        and Post.objects.filter(author=account, kind=Post.Kind.REPOST, repost_of=original, text="").exists()
    ):
        raise Conflict(_("You have already reposted this."))
    _count_write(account)
    text = f"{comment}{chain}"
    if len(text) > MAX_STORED_TEXT:
        text = text[: MAX_STORED_TEXT - 1] + "…"
    with transaction.atomic():
        try:
            with transaction.atomic():
                post = Post.objects.create(
                    author=account,
                    audience_owner=account,
                    kind=Post.Kind.REPOST,
                    text=text,
                    repost_of=original,
                    repost_parent=target,
                    held=verdict is not None,
                    **space,
                )
        except IntegrityError as exc:  # a double click: the database keeps one plain repost
            raise Conflict(_("You have already reposted this.")) from exc
        link_topics(post, extract_topics(comment))
        link_mentions(post, extract_mentions(comment))
        _published_or_held(post, verdict)
    return post


def _published_or_held(post: Post, verdict: Any) -> None:
    if verdict is not None:
        _hold(post, verdict)  # published when an admin lets it out
    else:
        count(post, 1)
        events.emit("post.published", post_id=post.id)


def count(post: Post, step: int) -> None:
    """Add a post to (step 1) or take it from (-1) the counts it shows in: its parent's comments
    or reposts, its author's posts. A held post is counted only once it is let out."""
    if post.kind == Post.Kind.COMMENT and post.root_id:
        Post.objects.filter(id=post.root_id).update(comments_count=F("comments_count") + step)
    if post.kind == Post.Kind.REPOST:
        # Counted on the original and, when made from a repost, on that one too.
        counted = {post.repost_of_id, post.repost_parent_id} - {None}
        Post.objects.filter(id__in=counted).update(reposts_count=F("reposts_count") + step)
    if post.kind != Post.Kind.COMMENT and post.audience in OUTSIDE:
        Account.objects.filter(id=post.author_id).update(posts_count=F("posts_count") + step)


def comment(account: Account, *, post_id: int | str, text: str, language: str = "") -> Post:
    """A comment under a post; given a comment's id, it answers that comment in the same thread."""
    target = access_post(account, post_id, related=("root",))
    root = target.root if target.kind == Post.Kind.COMMENT and target.root else target
    if root.audience == Audience.DIRECT:
        raise Invalid(_("A direct message takes no comments: answer in the conversation."))
    text = clean_post_text(text, max_length=_max_length(root))
    verdict = _screen(account, text, root.audience)
    reply_to = target if target.kind == Post.Kind.COMMENT else None
    _count_write(account)
    with transaction.atomic():
        post = Post.objects.create(
            author=account,
            kind=Post.Kind.COMMENT,
            text=text,
            root=root,
            reply_to=reply_to,
            audience=root.audience,
            audience_owner_id=root.audience_owner_id,
            organisation_id=root.organisation_id,
            group_id=root.group_id,
            held=verdict is not None,
            language=clean_language(language),
        )
        link_mentions(post, extract_mentions(text))
        _published_or_held(post, verdict)
    return post


def edit(account: Account, *, post_id: int | str, text: str) -> Post:
    post = access_post(account, post_id)
    if post.author_id != account.id:
        raise Forbidden(_("Only the author can edit a post."))
    if post.kind == Post.Kind.REPOST:
        raise Invalid(_("A repost cannot be edited; delete it and repost again."))
    has_pictures = post.kind == Post.Kind.POST and post.media.exists()
    limit = _max_length(post)
    text = text.strip() if has_pictures and not text.strip() else clean_post_text(text, max_length=limit)
    if text == post.text:
        return post
    verdict = _screen(account, text, post.audience)
    _count_write(account)
    with transaction.atomic():
        if not post.held:  # a held post's earlier words were never out: keep no history of them
            PostEdit.objects.create(post=post, text=post.text, created_at=post.edited_at or post.created_at)
        post.text = text
        post.edited_at = timezone.now()
        if verdict is not None and not post.held:  # an edit that breaks a hold rule goes back to review
            post.held = True
            _hold(post, verdict)
            count(post, -1)  # counted again when it is let out
        post.save(update_fields=["text", "edited_at", "held"])
        if post.kind == Post.Kind.POST:
            _unlink_topics(post)
            link_topics(post, extract_topics(text))
        # Mentions follow the text: a name taken out is no longer mentioned (nor notified again).
        Mention.objects.filter(post=post).delete()
        link_mentions(post, extract_mentions(text))
        events.emit("post.edited", post_id=post.id)
    return post


def _delete_media_files(media: Media) -> None:
    storage.delete(media.file)
    storage.delete(media.thumbnail)


def _with_replies(comment_id: int) -> int:
    """How many comments a comment is, with the replies under it, and theirs, and so on."""
    total, level = 1, [comment_id]
    while level:
        level = list(Post.objects.filter(reply_to_id__in=level).values_list("id", flat=True))
        total += len(level)
    return total


def delete(account: Account, *, post_id: int | str) -> None:
    post = access_post(account, post_id)
    if post.author_id != account.id:
        raise Forbidden(_("Only the author can delete a post."))
    remove(post)


def remove(post: Post) -> None:
    """Delete a post with all the bookkeeping: counts, topics, plain reposts of it, its files.
    For the author's delete, and for an admin turning a held post down."""
    files = list(Media.objects.filter(post=post))
    post_id, author_id = post.id, post.author_id
    with transaction.atomic():
        if post.kind == Post.Kind.COMMENT and post.root_id:
            # The replies under this comment go with it (reply_to cascades): count them all,
            # but not this comment itself if it was held (never counted).
            gone = _with_replies(post.id) - (1 if post.held else 0)
            Post.objects.filter(id=post.root_id).update(comments_count=F("comments_count") - gone)
        elif not post.held:
            count(post, -1)
        _unlink_topics(post)
        # Plain reposts say nothing of their own: they go with the original.
        plain = Post.objects.filter(repost_of=post, text="")
        for author_id in plain.filter(audience__in=OUTSIDE).values_list("author_id", flat=True):
            Account.objects.filter(id=author_id).update(posts_count=F("posts_count") - 1)
        plain.delete()
        post.delete()
        events.emit("post.deleted", post_id=post_id, author_id=author_id)

    def remove_files() -> None:
        for media in files:
            _delete_media_files(media)

    transaction.on_commit(remove_files)


def like(account: Account, *, post_id: int | str) -> Post:
    post = access_post(account, post_id)
    try:
        with transaction.atomic():
            Like.objects.create(account=account, post=post)
            Post.objects.filter(id=post.id).update(likes_count=F("likes_count") + 1)
            events.emit("post.liked", post_id=post.id, account_id=account.id)
    except IntegrityError:
        pass  # liking twice is one like
    return post


def unlike(account: Account, *, post_id: int | str) -> Post:
    post = access_post(account, post_id)
    with transaction.atomic():
        deleted, _ = Like.objects.filter(account=account, post=post).delete()
        if deleted:
            Post.objects.filter(id=post.id).update(likes_count=F("likes_count") - 1)
    return post


def favourite(account: Account, *, post_id: int | str) -> Post:
    post = access_post(account, post_id)
    Favourite.objects.get_or_create(account=account, post=post)
    return post


def unfavourite(account: Account, *, post_id: int | str) -> Post:
    post = access_post(account, post_id)
    Favourite.objects.filter(account=account, post=post).delete()
    return post


MAX_PINNED = 5
REQUEST_KEY_HOURS = 24


def pin_to_profile(account: Account, *, post_id: int | str) -> Post:
    """Pin one's own public or followers-only post to the top of one's profile (a few at most)."""
    post = access_post(account, post_id)
    if post.author_id != account.id:
        raise Invalid(_("Only your own posts can be pinned to your profile."))
    if post.audience not in OUTSIDE or post.kind == Post.Kind.COMMENT:
        raise Invalid(_("Only a public or followers-only post can be pinned to a profile."))
    with transaction.atomic():
        pinned = ProfilePin.objects.filter(account=account)
        if not pinned.filter(post=post).exists() and pinned.count() >= MAX_PINNED:
            raise Invalid(_("You can pin at most %(n)d posts.") % {"n": MAX_PINNED})
        ProfilePin.objects.get_or_create(account=account, post=post)
    return post


def unpin_from_profile(account: Account, *, post_id: int | str) -> None:
    post = access_post(account, post_id)
    ProfilePin.objects.filter(account=account, post=post).delete()


def create_once(account: Account, *, key: str, create: Callable[[], Post]) -> int:
    """Make a post with a client's Idempotency-Key: `create` makes it and the key is kept with it
    (a day) in one transaction, so the key is there exactly when the post is. The id of the post
    made, or of the one an earlier request with the key made: a retry after a lost answer, or the
    same request twice at once, makes no second post. Two at once both insert; the key's unique
    constraint makes the second wait for the first to commit and fail, and it rolls back its own
    post (and the events it emitted) and answers with the first one's."""
    key = key[:100]
    cutoff = timezone.now() - dt.timedelta(hours=REQUEST_KEY_HOURS)
    try:
        with transaction.atomic():
            post = create()
            # A key used more than a day ago may be used again, for a new post.
            IdempotencyKey.objects.filter(account=account, key=key, created_at__lt=cutoff).delete()
            IdempotencyKey.objects.create(account=account, key=key, post=post)
    except IntegrityError:
        from tidings.posts.selectors import post_for_request

        first = post_for_request(account, key)
        if first is None:  # not the key's constraint: something else went wrong
            raise
        return first
    return post.id


def forget_old_requests() -> int:
    cutoff = timezone.now() - dt.timedelta(hours=REQUEST_KEY_HOURS)
    return int(IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()[0])


def attach_card(
    post: Post, *, app: str, icon: str, title: str, lines: Sequence[tuple[str, str]], path: str
) -> None:
    """An app's card under a post it just made (see AppCard)."""
    AppCard.objects.create(
        post=post,
        app=app[:40],
        icon=icon[:8],
        title=title[:100],
        lines=[[str(k)[:30], str(v)[:100]] for k, v in list(lines)[:4]],
        path=path[:300],
    )


def audience_of(audience: str, *, organisation_id: int | None, group_id: int | None) -> dict[str, Any]:
    """publish's audience arguments for a fixed audience (a bot's, a mail address's)."""
    if audience == Audience.ORGANISATION:
        return {"audience": audience, "organisation_id": organisation_id}
    if audience == Audience.GROUP:
        return {"audience": audience, "group_id": group_id}
    return {"audience": audience}
