"""Saved monitors of official accounts: who runs them, saving them, and catching new posts.

A monitor belongs to an official (or executive) account. The people who run that account share
its monitors: the account itself, the people given a role on it, and the owners and admins of
the organisation it speaks for (ops.roles). Matching runs in the worker when a post is published; only public
posts and, if the monitor asks, its own organisation's internal posts are ever looked at.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from tidings.accounts.models import Account
from tidings.core import events, mail, pubsub, webhooks
from tidings.core.audience import insider_of, visible_posts
from tidings.core.errors import Forbidden, Invalid, NotFound
from tidings.orgs.models import Membership
from tidings.posts.models import Audience, Post, PostTopic
from tidings.search import query as parser
from tidings.search import sentiment
from tidings.search import terms as cut
from tidings.search.models import Monitor, MonitorHit

MAX_MONITORS = 50  # per official account
LANGUAGES = {"zh", "en", "ja", "ko"}


# --- who runs an account -------------------------------------------------------------------------


def runs(person: Any, account: Account) -> bool:
    """Whether `person` may act for `account`'s monitors: any role on the account (ops.roles)."""
    from tidings.ops import roles

    return roles.role_of(person, account) is not None


def accounts_run_by(person: Any) -> list[Account]:
    """The official accounts whose monitors `person` shares (their own first, if official)."""
    from tidings.ops import roles

    return [r.account for r in roles.runs_of(person)]


def monitors_run_by(person: Any, accounts: list[Account] | None = None) -> list[Monitor]:
    """The monitors `person` shares (of `accounts`, when the caller already has them)."""
    run = accounts if accounts is not None else accounts_run_by(person)
    return list(
        Monitor.objects.filter(account__in=run)
        .select_related("account__organisation")
        .order_by("account__handle_key", "name", "id")
    )


def monitor_for(person: Any, monitor_id: int | str) -> Monitor:
    """The monitor if `person` runs its account; not found alike for missing and not theirs."""
    try:
        wanted = int(monitor_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    monitor = Monitor.objects.select_related("account__organisation").filter(id=wanted).first()
    if monitor is None or not runs(person, monitor.account):
        raise NotFound()
    return monitor


# --- saving --------------------------------------------------------------------------------------


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    name = str(fields.get("name", "")).strip()
    if not name:
        raise Invalid(_("Give the monitor a name."), field="name")
    if len(name) > 60:
        raise Invalid(_("A monitor's name is at most 60 characters."), field="name")
    text = str(fields.get("query", "")).strip()
    if not text:
        raise Invalid(_("A monitor needs at least one keyword."), field="query")
    q = parser.parse(text)
    if not q.has_text:
        raise Invalid(_("A monitor needs at least one keyword."), field="query")
    if q.places or q.since or q.until or q.languages:
        # A monitor listens from now on, to the sources and languages chosen below.
        raise Invalid(_("A monitor's keywords cannot use in:, lang:, since: or until:."), field="query")
    source = str(fields.get("source") or Monitor.Source.PUBLIC)
    if source not in Monitor.Source.values:
        raise Invalid(_("Choose where to listen: public posts, our internal space, or both."), field="source")
    raw = fields.get("languages") or []
    languages = sorted(
        {str(x).strip().lower() for x in (raw.split(",") if isinstance(raw, str) else raw)} - {""}
    )
    if not set(languages) <= LANGUAGES:
        raise Invalid(
            _("Languages are among: %(codes)s.") % {"codes": ", ".join(sorted(LANGUAGES))}, field="languages"
        )
    digest = str(fields.get("digest") or "")
    if digest not in Monitor.Digest.values:
        raise Invalid(_("An email digest is hourly, daily, or none."), field="digest")
    return {
        "name": name,
        "query": text,
        "source": source,
        "languages": ",".join(languages),
        "notify": bool(fields.get("notify", True)),
        "digest": digest,
        "webhook_url": str(fields.get("webhook_url") or "").strip(),
    }


def _inside(account: Account) -> bool:
    """Whether the account is an employee of the organisation it speaks for (an official account
    is not, unless its admins made it a member): only then may it listen to the internal space."""
    return insider_of(account.id).filter(organisation_id=account.organisation_id or 0).exists()


def _check_source(account: Account, source: str) -> None:
    if source != Monitor.Source.PUBLIC and not (account.organisation_id and _inside(account)):
        raise Invalid(
            _("Only an account that is a member of its organisation may listen to the internal space."),
            field="source",
        )


def create(person: Any, account: Account, **fields: Any) -> Monitor:
    if not runs(person, account):
        raise Forbidden(_("You do not run this account."))
    if account.kind == Account.Kind.PERSONAL:
        raise Invalid(_("Monitors are for official accounts."))
    values = _clean(fields)
    _check_source(account, values["source"])
    values["webhook_url"] = webhooks.clean(values["webhook_url"])
    if Monitor.objects.filter(account=account).count() >= MAX_MONITORS:
        raise Invalid(_("An account keeps at most %(n)d monitors.") % {"n": MAX_MONITORS})
    return Monitor.objects.create(
        account=account, created_by=person, webhook_secret=secrets.token_hex(32), **values
    )


def update(person: Any, monitor_id: int | str, **fields: Any) -> Monitor:
    monitor = monitor_for(person, monitor_id)
    current = {
        "name": monitor.name,
        "query": monitor.query,
        "source": monitor.source,
        "languages": monitor.languages,
        "notify": monitor.notify,
        "digest": monitor.digest,
        "webhook_url": monitor.webhook_url,
    }
    values = _clean({**current, **{k: v for k, v in fields.items() if v is not None}})
    _check_source(monitor.account, values["source"])
    if values["webhook_url"] != monitor.webhook_url:  # an unchanged one is not looked up again
        values["webhook_url"] = webhooks.clean(values["webhook_url"])
    for key, value in values.items():
        setattr(monitor, key, value)
    monitor.save(update_fields=list(values))
    return monitor


def delete(person: Any, monitor_id: int | str) -> None:
    monitor_for(person, monitor_id).delete()


# --- catching posts ------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _parsed(text: str) -> parser.Query:
    return parser.parse(text)


def _listening(post: Post) -> Any:
    """The monitors that may hear this post: public ones for a public post; for an internal post,
    those of its own organisation's accounts that are still its employees."""
    monitors = Monitor.objects.select_related("account", "created_by").filter(account__is_active=True)
    if post.audience == Audience.PUBLIC:
        return monitors.filter(source__in=(Monitor.Source.PUBLIC, Monitor.Source.BOTH))
    org_id = post.organisation_id or 0
    insiders = Membership.objects.filter(organisation_id=org_id, is_active=True).exclude(
        role=Membership.Role.GUEST
    )
    return monitors.filter(
        source__in=(Monitor.Source.SPACE, Monitor.Source.BOTH),
        account__organisation_id=org_id,
        account_id__in=insiders.values("account_id"),
    )


def _catches(monitor: Monitor, q: parser.Query, post: Post, doc: cut.Terms, topics: set[str]) -> bool:
    if monitor.languages:
        if not any(post.language.lower().startswith(code) for code in monitor.languages.split(",")):
            return False
    if q.authors and post.author.handle_key not in {cut.fold(a) for a in q.authors}:
        return False
    if q.topics and not set(q.topics) <= topics:
        return False
    return parser.matches_text(q, doc)


def match(post_id: int) -> list[MonitorHit]:
    """Catch a newly published post in every monitor it matches, and tell each one's people.
    Idempotent: a post is caught once per monitor, however often this runs."""
    post = Post.objects.filter(id=post_id, held=False).select_related("author").first()
    if post is None or not post.text or post.audience not in (Audience.PUBLIC, Audience.ORGANISATION):
        return []
    if not post.author.is_active:
        return []
    listening = list(_listening(post))
    if not listening:
        return []
    doc = cut.document(post.text)
    topics = set(PostTopic.objects.filter(post=post).values_list("topic__key", flat=True))
    caught: list[MonitorHit] = []
    tone: int | None = None
    for monitor in listening:
        try:
            q = _parsed(monitor.query)
        except Invalid:
            continue  # saved under older rules: shown as an error on its page, matches nothing
        if not _catches(monitor, q, post, doc, topics):
            continue
        if tone is None:
            tone = sentiment.classify(post.text)
        flagged = (
            tone == sentiment.NEGATIVE and post.author.followers_count >= settings.MONITOR_WARN_FOLLOWERS
        )
        try:
            with transaction.atomic():
                hit = MonitorHit.objects.create(
                    monitor=monitor, post=post, author_id=post.author_id, sentiment=tone, flagged=flagged
                )
                Monitor.objects.filter(id=monitor.id).update(hits_count=F("hits_count") + 1)
                if monitor.webhook_url:
                    # A job row with the catch: the call is made, and made again after a server
                    # error, even if a worker dies before or while making it.
                    events.emit("monitor.caught", hit_id=hit.id)
        except IntegrityError:
            continue  # caught already
        caught.append(hit)
        _deliver(monitor, hit)
    return caught


def _audience(monitor: Monitor) -> list[Account]:
    """Who hears of a monitor's catches: its account, and its creator while they still run it."""
    people = [monitor.account] if monitor.account.is_active else []
    creator = monitor.created_by
    if creator is not None and creator.id != monitor.account_id and runs(creator, monitor.account):
        people.append(creator)
    return people


def _deliver(monitor: Monitor, hit: MonitorHit) -> None:
    from tidings.notifications.services import notify

    # The monitor's open columns, in any process.
    pubsub.publish(monitor.id, "monitor-hit", {"id": str(hit.post_id), "flagged": hit.flagged})
    if monitor.notify:
        for person in _audience(monitor):
            notify(recipient_id=person.id, kind="monitor", actor_id=hit.author_id, post_id=hit.post_id)


# --- email digests -------------------------------------------------------------------------------

DIGEST_EVERY = {Monitor.Digest.HOURLY: dt.timedelta(hours=1), Monitor.Digest.DAILY: dt.timedelta(days=1)}
DIGEST_MOST = 50


def send_digests(now: dt.datetime) -> int:
    """Mail each due monitor's new catches to its account and its creator, each seeing only the
    posts they may see, in their language. Returns how many mails went out."""
    sent = 0
    for monitor in Monitor.objects.exclude(digest="").select_related("account", "created_by"):
        if monitor.digest_sent_at + DIGEST_EVERY[Monitor.Digest(monitor.digest)] > now:
            continue
        since = monitor.digest_sent_at
        if not Monitor.objects.filter(id=monitor.id, digest_sent_at=since).update(digest_sent_at=now):
            continue  # another worker sent this one
        hit_posts = monitor.hits.filter(created_at__gt=since, created_at__lte=now).values("post_id")
        for person in _audience(monitor):
            if not person.email:
                continue
            posts = list(
                Post.objects.filter(visible_posts(person), id__in=hit_posts)
                .select_related("author")
                .order_by("-id")[:DIGEST_MOST]
            )
            if posts:
                _mail_digest(monitor, person, posts)
                sent += 1
    return sent


def _mail_digest(monitor: Monitor, person: Account, posts: list[Post]) -> None:
    with translation.override(person.language or settings.LANGUAGE_CODE):
        subject = _("%(name)s: %(n)d new posts") % {"name": monitor.name, "n": len(posts)}
        lines = [f"@{p.author.handle}: {p.text}\n{settings.SITE_URL}/p/{p.id}/" for p in posts]
        footer = _("Your monitor's page: %(url)s") % {"url": f"{settings.SITE_URL}/monitors/{monitor.id}/"}
        mail.send(to=person.email, subject=str(subject), body="\n\n".join([*lines, str(footer)]))
