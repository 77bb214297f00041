from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tidings.accounts.models import Account
from tidings.notifications import selectors, services
from tidings.web.views.common import max_id


@login_required
def index(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, Account)
    page = selectors.notifications(request.user, max_id=max_id(request))
    response = render(request, "tidings/notifications.html", {"page": page, "nav": "notifications"})
    # What was shown is now read; older pages and what arrives meanwhile stay unread.
    services.mark_all_read(request.user, ids=[n.id for n in page.items])
    return response


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, Account)
    services.mark_all_read(request.user)
    return redirect("web:notifications")
