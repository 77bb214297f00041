"""Leak prevention: the organisation's rules, checked on everything its people send outside."""

from __future__ import annotations

from dataclasses import dataclass, field

import regex
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tidings.accounts.models import Account
from tidings.core import events
from tidings.core.errors import Invalid, NotFound
from tidings.core.text import fold
from tidings.orgs.models import HeldPost, Membership, Organisation, PolicyRule
from tidings.orgs.services import _require_staff, audit

# An admin's pattern runs on every outgoing post: it gets a time budget, so a pattern that
# backtracks for ever cannot stall posting.
MATCH_SECONDS = 0.05


@dataclass(frozen=True)
class Verdict:
    action: str  # "block" or "hold"
    rule: PolicyRule
    organisation: Organisation
    # For a hold: one rule per organisation that holds the text; each must let it out.
    holds: list[PolicyRule] = field(default_factory=list)


def _compile(pattern: str) -> regex.Pattern[str]:
    return regex.compile(pattern, regex.IGNORECASE | regex.VERSION1)


def add_rule(
    org: Organisation,
    *,
    actor: Account,
    pattern: str,
    is_regex: bool,
    action: str,
    reason: str,
    applies_to: str = PolicyRule.AppliesTo.EVERYONE,
    address: str = "",
) -> PolicyRule:
    _require_staff(org, actor)
    pattern, reason = pattern.strip(), reason.strip()
    if not pattern or len(pattern) > 200:
        raise Invalid(_("A rule needs a word or pattern of at most 200 characters."), field="pattern")
    if not reason or len(reason) > 200:
        raise Invalid(_("Say in at most 200 characters why the rule stops a post: the author sees it."))
    if action not in PolicyRule.Action.values:
        raise Invalid(_("Unknown action."), field="action")
    if applies_to not in PolicyRule.AppliesTo.values:
        raise Invalid(_("A rule applies to everyone's posts or to executives' posts."), field="applies_to")
    if is_regex:
        try:
            _compile(pattern)
        except regex.error as exc:
            raise Invalid(
                _("The pattern does not compile: %(error)s") % {"error": str(exc)}, field="pattern"
            ) from exc
    with transaction.atomic():
        rule = PolicyRule.objects.create(
            organisation=org,
            pattern=pattern,
            is_regex=is_regex,
            action=action,
            applies_to=applies_to,
            reason=reason,
            created_by=actor,
        )
        audit(org, actor, "policy.add", address, pattern=pattern, regex=is_regex, rule_action=action)
    return rule


def remove_rule(org: Organisation, *, actor: Account, rule_id: int, address: str = "") -> None:
    _require_staff(org, actor)
    rule = PolicyRule.objects.filter(organisation=org, id=rule_id).first()
    if rule is None:
        raise NotFound()
    with transaction.atomic():
        rule.delete()
        audit(org, actor, "policy.remove", address, pattern=rule.pattern)


def _action(rule: PolicyRule, text: str, folded: str) -> str | None:
    """What the rule does to this text: its action if it matches, None if not. A pattern too
    slow to decide holds the post for a person to look at, rather than let it out or block it."""
    if not rule.is_regex:
        return rule.action if fold(rule.pattern) in folded else None
    try:
        # Also on the folded text with the folded pattern: 机密 / ｆａｌｃｏｎ must not slip past 機密|falcon.
        hit = _compile(rule.pattern).search(text, timeout=MATCH_SECONDS) or _compile(
            fold(rule.pattern)
        ).search(folded, timeout=MATCH_SECONDS)
        return rule.action if hit else None
    except (TimeoutError, regex.error):
        return PolicyRule.Action.HOLD


def check(author: Account, text: str) -> Verdict | None:
    """The strictest rule of the author's organisations (those they work for, or the one an
    official account speaks for) that this outgoing text breaks."""
    orgs = (
        Membership.objects.filter(account=author, is_active=True)
        .exclude(role="guest")
        .values("organisation_id")
    )
    speaks_for = Q(organisation_id=author.organisation_id) if author.organisation_id else Q(pk__in=[])
    found = PolicyRule.objects.filter(Q(organisation_id__in=orgs) | speaks_for).select_related("organisation")
    if author.kind != Account.Kind.EXECUTIVE:
        found = found.exclude(applies_to=PolicyRule.AppliesTo.EXECUTIVES)
    rules = list(found)
    if not rules:
        return None
    folded = fold(text)
    broken = [(action, r) for r in rules if (action := _action(r, text, folded))]
    if not broken:
        return None
    action, rule = next((b for b in broken if b[0] == PolicyRule.Action.BLOCK), broken[0])
    holds = list({r.organisation_id: r for _action, r in reversed(broken)}.values())
    return Verdict(action, rule, rule.organisation, holds)


def refuse_message(verdict: Verdict) -> str:
    return str(
        _("%(org)s does not allow this to be posted outside: %(reason)s")
        % {"org": verdict.organisation.name, "reason": verdict.rule.reason}
    )


def hold(post_id: int, verdict: Verdict) -> None:
    """Hold the post in every organisation whose rules it breaks."""
    HeldPost.objects.bulk_create(
        [
            HeldPost(organisation_id=r.organisation_id, post_id=post_id, rule=r, reason=r.reason)
            for r in verdict.holds or [verdict.rule]
        ]
    )


def held_posts(org: Organisation, *, actor: Account) -> list[HeldPost]:
    _require_staff(org, actor)
    return list(
        HeldPost.objects.filter(organisation=org).select_related("post__author", "rule").order_by("-id")[:100]
    )


def release(org: Organisation, *, actor: Account, post_id: int, approve: bool, address: str = "") -> None:
    """Let a held post out (it is published once every organisation holding it has let it out)
    or turn it down (it is deleted)."""
    _require_staff(org, actor)
    held = HeldPost.objects.filter(organisation=org, post_id=post_id).select_related("post").first()
    if held is None:
        raise NotFound()
    with transaction.atomic():
        if approve:
            held.delete()
            if not HeldPost.objects.filter(post_id=post_id).exists():
                from tidings.posts.services import count

                type(held.post).objects.filter(id=post_id).update(held=False)
                count(held.post, 1)
                events.emit("post.published", post_id=post_id)
        else:
            from tidings.posts.services import remove

            held.delete()
            remove(held.post)
        audit(org, actor, "policy.release" if approve else "policy.reject", address, post=str(post_id))
