from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from tidings.accounts.models import Account


def site(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {
        "post_max_length": settings.POST_MAX_LENGTH,
        "post_max_images": settings.POST_MAX_IMAGES,
    }
    user = getattr(request, "user", None)  # absent on pages answered before authentication (413)
    if isinstance(user, Account):
        from tidings.notifications import selectors
        from tidings.timelines.selectors import live_position

        # Evaluated only when a page shows the badges (fragments do not).
        context["unread"] = SimpleLazyObject(lambda: selectors.unread_counts(user))
        # Where this page's live stream starts: what happens while the page loads is not missed.
        context["live_after"] = SimpleLazyObject(lambda: live_position(user.id))
    # Acting as an official account (web.acting): the page's user is the account, the person
    # who signed in is still who they are. The switcher lists what they may act as.
    person = getattr(request, "person", None) or user
    if isinstance(person, Account):
        from tidings.ops import roles

        context["person"] = person
        context["acting"] = getattr(request, "acting", None)
        context["runs"] = SimpleLazyObject(lambda: [r for r in roles.runs_of(person) if r.role != "self"])
        # The apps on for the person (one query, when a page shows an app's place).
        context["app_reach"] = SimpleLazyObject(lambda: _reach(person))
    return context


def _reach(person: Account) -> Any:
    from tidings.extensions import selectors

    return selectors.reach(person)
