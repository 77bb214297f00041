"""/api/v1/statuses: post, read, edit, delete, and act on posts. A Mastodon reply is our
comment, a reblog our plain repost, a quote our repost with words, a favourite our like, a
bookmark our 收藏 (favourite)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.views.decorators.csrf import csrf_exempt

from tidings.accounts.models import Account
from tidings.accounts.selectors import accounts_by_handles
from tidings.api import audience as audiences
from tidings.api.mastodon.common import (
    ApiError,
    Paged,
    api,
    body_of,
    flag_of,
    id_of,
    ids_of,
    me,
    options_answer,
    text_of,
    window_of,
)
from tidings.api.mastodon.serializers import Serializer, iso
from tidings.core.audience import access_post
from tidings.core.errors import Conflict, NotFound
from tidings.core.render import render_text
from tidings.core.text import extract_mentions, is_number
from tidings.notifications import services as messages
from tidings.orgs.selectors import client_audience
from tidings.posts import polls, services
from tidings.posts import selectors as posts
from tidings.posts.models import Audience, Poll, Post
from tidings.posts.polls import PollSpec

VISIBILITIES = {"public": "public", "unlisted": "public", "private": "followers", "direct": "direct"}


def _show(request: HttpRequest, post_id: int) -> dict[str, Any]:
    found = Serializer(request).statuses_of([access_post(request.user, post_id).id])
    if not found:  # deleted since the check
        raise NotFound()
    return found[0]


def _audience(account: Account, data: dict[str, Any]) -> tuple[str, int | None, int | None]:
    """(audience, organisation id, group id) from `audience`, which wins, or `visibility`, or
    else the default the person's organisation set for clients that say nothing."""
    raw = text_of(data, "audience").strip()
    if not raw:
        visibility = text_of(data, "visibility").strip()
        if visibility:
            if visibility not in VISIBILITIES:
                raise ApiError(422, "Validation failed: Visibility is not included in the list")
            return VISIBILITIES[visibility], None, None
        raw = client_audience(account)
    return audiences.parse(raw, direct=True)


def _direct(account: Account, text: str, media_ids: list[int]) -> Post:
    """A direct status goes to the one person it mentions, in their conversation."""
    found = [a for a in accounts_by_handles(extract_mentions(text)).values() if a.id != account.id]
    if len(found) != 1:
        raise ApiError(422, "Validation failed: a direct status must mention exactly one other person")
    return messages.send_message(account, recipient_id=found[0].id, text=text, media_ids=media_ids)


def _create(request: HttpRequest, data: dict[str, Any]) -> Post:
    me = request.user
    assert isinstance(me, Account)
    text = text_of(data, "status")
    spoiler = text_of(data, "spoiler_text").strip()
    if spoiler:
        text = f"{spoiler}\n{text}"  # no content warnings here: the warning leads the text
    media_ids = ids_of(data, "media_ids")
    language = text_of(data, "language")
    poll = _poll_spec(data.get("poll"))
    if data.get("scheduled_at"):
        raise ApiError(422, "Validation failed: scheduled posts are not available yet")
    reply_to = text_of(data, "in_reply_to_id").strip()
    quoted = text_of(data, "quoted_status_id").strip()
    if reply_to:
        target = access_post(me, id_of(reply_to))
        if target.audience == Audience.DIRECT and target.conversation is not None:
            other = target.conversation.other(me.id)
            return messages.send_message(me, recipient_id=other, text=text, media_ids=media_ids)
        if media_ids:
            raise ApiError(422, "Validation failed: a reply (a comment) cannot carry pictures")
        return services.comment(me, post_id=target.id, text=text, language=language)
    if quoted:
        return services.repost(me, post_id=id_of(quoted), comment=text)
    audience, organisation_id, group_id = _audience(me, data)
    if poll is not None and audience == Audience.DIRECT:
        raise ApiError(422, "Validation failed: a direct message cannot carry a poll")
    if audience == Audience.DIRECT:
        return _direct(me, text, media_ids)
    return services.publish(
        me,
        text=text,
        audience=audience,
        organisation_id=organisation_id,
        group_id=group_id,
        media_ids=media_ids,
        language=language,
        poll=poll,
    )


def _poll_spec(raw: Any) -> PollSpec | None:
    """Mastodon's poll[options][], poll[expires_in], poll[multiple], poll[hide_totals]."""
    if not raw:
        return None
    if not isinstance(raw, dict):
        raise ApiError(422, "Validation failed: poll must have options and expires_in")
    options = raw.get("options") or []
    if not isinstance(options, list) or not all(isinstance(o, (str, int, float)) for o in options):
        raise ApiError(422, "Validation failed: poll options must be a list of texts")
    expires = str(raw.get("expires_in", ""))
    if not is_number(expires) or len(expires) > 10:
        raise ApiError(422, "Validation failed: poll expires_in must be a number of seconds")
    return PollSpec(
        options=[str(o) for o in options],
        expires_in=int(expires),
        multiple=flag_of(raw, "multiple"),
        hide_totals=flag_of(raw, "hide_totals"),
    )


@api(methods=("POST",), scope="write:statuses", user=True)
def create(request: HttpRequest) -> Any:
    data = body_of(request)
    key = request.headers.get("Idempotency-Key", "").strip()[:100]
    if not key:
        return _show(request, _create(request, data).id)
    # The same key from the same person within a day gives the first post back, not a second.
    done = posts.post_for_request(me(request), key)
    if done is None:
        done = services.create_once(me(request), key=key, create=lambda: _create(request, data))
    return _show(request, done)


@api(auth=False, scope="read:statuses")
def get(request: HttpRequest, status_id: str) -> Any:
    return _show(request, id_of(status_id))


@api(methods=("DELETE",), scope="write:statuses", user=True)
def delete(request: HttpRequest, status_id: str) -> Any:
    shown = _show(request, id_of(status_id))
    post = access_post(request.user, id_of(status_id))
    services.delete(me(request), post_id=post.id)
    shown["text"] = post.text  # Mastodon gives the source back, for "delete and redraft"
    return shown


@api(methods=("PUT",), scope="write:statuses", user=True)
def edit(request: HttpRequest, status_id: str) -> Any:
    data = body_of(request)
    if data.get("media_ids") or data.get("poll"):
        raise ApiError(422, "Validation failed: only the text of a post can be edited")
    services.edit(me(request), post_id=id_of(status_id), text=text_of(data, "status"))
    return _show(request, id_of(status_id))


@api(auth=False, scope="read:statuses")
def history(request: HttpRequest, status_id: str) -> Any:
    post, edits = posts.edit_history(request.user, id_of(status_id))
    serializer = Serializer(request)
    account = serializer.account(post.author)
    versions = [(e.text, e.created_at) for e in reversed(edits)] + [
        (post.text, post.edited_at or post.created_at)
    ]
    return [
        {
            "content": f"<p>{render_text(text, base=serializer.base)}</p>",
            "spoiler_text": "",
            "sensitive": False,
            "created_at": iso(when),
            "account": account,
            "media_attachments": [],
            "emojis": [],
        }
        for text, when in versions
    ]


@api(scope="read:statuses", user=True)
def source(request: HttpRequest, status_id: str) -> Any:
    post = access_post(request.user, id_of(status_id))
    if post.author_id != me(request).id:
        raise NotFound()
    return {"id": str(post.id), "text": post.text, "spoiler_text": ""}


@api(auth=False, scope="read:statuses")
def context(request: HttpRequest, status_id: str) -> Any:
    """Ancestors (the post a comment sits under, and the comments it answers) and descendants
    (the comments under a post, or the replies under a comment): one page of the thread's
    comments, walked in memory."""
    post = access_post(request.user, id_of(status_id), related=("root",))
    viewer = request.user
    if post.kind != Post.Kind.COMMENT or post.root is None:
        under_post = posts.comments(viewer, post, limit=200).ids
        return {"ancestors": [], "descendants": Serializer(request).statuses_of(under_post)}
    # The comment each answers, by id, to walk the thread up and down.
    answers = posts.reply_targets(posts.comments(viewer, post.root, limit=200).ids)
    chain: list[int] = []
    hop = post.reply_to_id
    while hop in answers and len(chain) < len(answers):
        chain.append(hop)
        hop = answers[hop]
    ancestors = [*posts.visible_ids(viewer, [post.root.id]), *reversed(chain)]
    descendants = [i for i in answers if _answers(i, post.id, answers)]
    shown = Serializer(request).by_id([*ancestors, *descendants])
    return {
        "ancestors": [shown[i] for i in ancestors if i in shown],
        "descendants": [shown[i] for i in descendants if i in shown],
    }


def _answers(candidate: int, comment_id: int, answers: dict[int, int | None]) -> bool:
    """Whether a comment sits, directly or further down, under the comment `comment_id`."""
    hop, seen = answers[candidate], 0
    while hop and seen < len(answers):
        if hop == comment_id:
            return True
        hop, seen = answers.get(hop), seen + 1
    return False


def _action(name: str, scope: str, act: Any) -> Any:
    @api(methods=("POST",), scope=scope, user=True)
    def view(request: HttpRequest, status_id: str) -> Any:
        post_id = id_of(status_id)
        try:
            # An action that makes a post (a reblog) answers with that post.
            made = act(request, post_id)
        except Conflict:  # already done: Mastodon answers with the status as it is
            made = None
        return _show(request, made.id if isinstance(made, Post) else post_id)

    view.__name__ = name
    return view


def _subject(request: HttpRequest, post_id: int) -> int:
    """What a client acts on: for a plain repost, the post it shows."""
    return posts.post_view(request.user, post_id).subject.id


def _reblog(request: HttpRequest, post_id: int) -> Post:
    return services.repost(me(request), post_id=_subject(request, post_id))


def _unreblog(request: HttpRequest, post_id: int) -> None:
    target = _subject(request, post_id)
    mine = Post.objects.filter(author_id=me(request).id, kind=Post.Kind.REPOST, repost_of_id=target, text="")
    for repost in mine:
        services.delete(me(request), post_id=repost.id)


def _pin(request: HttpRequest, post_id: int) -> None:
    services.pin_to_profile(me(request), post_id=post_id)


def _unpin(request: HttpRequest, post_id: int) -> None:
    services.unpin_from_profile(me(request), post_id=post_id)


favourite = _action(
    "favourite", "write:favourites", lambda r, i: services.like(me(r), post_id=_subject(r, i))
)
unfavourite = _action(
    "unfavourite", "write:favourites", lambda r, i: services.unlike(me(r), post_id=_subject(r, i))
)
bookmark = _action(
    "bookmark", "write:bookmarks", lambda r, i: services.favourite(me(r), post_id=_subject(r, i))
)
unbookmark = _action(
    "unbookmark", "write:bookmarks", lambda r, i: services.unfavourite(me(r), post_id=_subject(r, i))
)
reblog = _action("reblog", "write:statuses", _reblog)
unreblog = _action("unreblog", "write:statuses", _unreblog)
pin = _action("pin", "write:accounts", _pin)
unpin = _action("unpin", "write:accounts", _unpin)


@api(auth=False, scope="read:statuses")
def reblogged_by(request: HttpRequest, status_id: str) -> Any:
    post = access_post(request.user, id_of(status_id))
    reposts = posts.repost_chain(request.user, post)
    serializer = Serializer(request)
    seen: dict[int, Any] = {}
    for r in reposts:
        seen.setdefault(r.author_id, r.author)
    return [serializer.account(a) for a in seen.values()]


@api(auth=False, scope="read:statuses")
def favourited_by(request: HttpRequest, status_id: str) -> Any:
    post = access_post(request.user, id_of(status_id))
    window = window_of(request, most=80)
    likes = posts.likers(request.user, post, max_id=window.max_id, limit=window.limit)
    serializer = Serializer(request)
    data = [serializer.account(like.account) for like in likes]
    more = len(likes) == window.limit
    return Paged(data, likes[0].id if likes else None, likes[-1].id if likes else None, more=more)


@csrf_exempt
def status_route(request: HttpRequest, status_id: str) -> HttpResponseBase:
    """/api/v1/statuses/:id: read it, delete it, or edit it."""
    if request.method == "OPTIONS":  # all three views' methods, not only the reading one's
        return options_answer(STATUS_METHODS)
    return STATUS_METHODS.get(request.method or "GET", get)(request, status_id)


STATUS_METHODS = {"GET": get, "HEAD": get, "DELETE": delete, "PUT": edit}
status_route.api_methods = STATUS_METHODS  # type: ignore[attr-defined]


@api(auth=False, scope="read:statuses")
def poll(request: HttpRequest, poll_id: str) -> Any:
    found = Poll.objects.filter(id=id_of(poll_id)).first()
    if found is None:
        raise NotFound()
    return _show(request, found.post_id)["poll"]


@api(methods=("POST",), scope="write:statuses", user=True)
def poll_vote(request: HttpRequest, poll_id: str) -> Any:
    data = body_of(request)
    raw = data.get("choices") or []
    if not isinstance(raw, list):
        raw = [raw]
    choices = []
    for value in raw:
        text = str(value)
        if not is_number(text) or len(text) > 3:
            raise ApiError(422, "Validation failed: choices must be option numbers")
        choices.append(int(text))
    voted = polls.vote(me(request), poll_id=id_of(poll_id), choices=choices)
    return _show(request, voted.post_id)["poll"]
