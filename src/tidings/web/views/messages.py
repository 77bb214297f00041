"""私信: the list of conversations and one conversation."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tidings.accounts.models import Account
from tidings.accounts.selectors import account_by_handle
from tidings.core.errors import DomainError, NotFound
from tidings.notifications import selectors, services
from tidings.social.selectors import has_blocked


@login_required
def index(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, Account)
    rows = selectors.conversations(request.user)
    return render(request, "tidings/messages.html", {"rows": rows, "nav": "messages"})


@login_required
def conversation(request: HttpRequest, handle: str) -> HttpResponse:
    viewer = request.user
    assert isinstance(viewer, Account)
    other = account_by_handle(handle)
    if has_blocked(other.id, viewer.id):
        raise NotFound()
    error, text = None, ""
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            services.send_message(viewer, recipient_id=other.id, text=text)
            return redirect("web:conversation", handle=other.handle)
        except DomainError as exc:
            error = exc.message
    found = selectors.conversation_with(viewer, other)
    items = selectors.messages(viewer, found) if found else []
    if found:
        services.mark_conversation_read(viewer, found)
    context = {"other": other, "items": items, "error": error, "text": text, "nav": "messages"}
    return render(request, "tidings/conversation.html", context, status=400 if error else 200)
