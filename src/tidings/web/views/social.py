"""Follow, unfollow, block, mute from a profile."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from tidings.accounts.models import Account
from tidings.accounts.selectors import account_by_handle
from tidings.core.errors import NotFound
from tidings.social import services
from tidings.web.views.common import back

ACTIONS = {
    "follow": services.follow,
    "unfollow": services.unfollow,
    "block": services.block,
    "unblock": services.unblock,
    "mute": services.mute,
    "unmute": services.unmute,
}


@login_required
@require_POST
def relation(request: HttpRequest, handle: str, action: str) -> HttpResponse:
    service = ACTIONS.get(action)
    if service is None:
        raise NotFound()
    target = account_by_handle(handle)
    assert isinstance(request.user, Account)
    service(request.user, account_id=target.id)
    return back(request, reverse("web:profile", args=[target.handle]))
