"""An official account's idea board: the list (most backed, or newest; by state), proposing an
idea, backing one, and the company's public answer."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tidings.activities import ideas
from tidings.activities.models import Idea
from tidings.core.errors import DomainError, NotFound
from tidings.ops import roles
from tidings.web.views.common import max_id
from tidings.web.views.ops import _person


def board(request: HttpRequest, handle: str) -> HttpResponse:
    account = ideas.board_of(request.user, handle)
    context: dict[str, Any] = {"account": account, "form": {"title": "", "body": ""}}
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/login/?next={request.path}")
        context["form"] = {"title": request.POST.get("title", ""), "body": request.POST.get("body", "")}
        try:
            idea = ideas.propose(_person(request), account, **context["form"])
            return redirect("web:idea", idea_id=idea.id)
        except DomainError as error:
            context["error"], status = error.message, error.status
    order = "new" if request.GET.get("order") == "new" else "top"
    state = request.GET.get("state", "")
    items = ideas.ideas(account, order=order, state=state, max_id=max_id(request))
    context.update(
        items=items,
        backed=ideas.backed(request.user, items),
        order=order,
        state=state,
        states=Idea.State.choices,
        next_max_id=items[-1].id if order == "new" and len(items) == ideas.PAGE else None,
    )
    return render(request, "tidings/ideas.html", context, status=status)


def _idea_page(request: HttpRequest, idea: Idea, *, error: str = "", status: int = 200) -> HttpResponse:
    context = {
        "idea": idea,
        "account": idea.board,
        "backs": bool(ideas.backed(request.user, [idea])),
        "may_answer": roles.can(request.user, idea.board, "reply"),
        "states": Idea.State.choices,
        "error": error,
    }
    return render(request, "tidings/idea.html", context, status=status)


def idea(request: HttpRequest, idea_id: int) -> HttpResponse:
    return _idea_page(request, ideas.access(request.user, idea_id))


@login_required
@require_POST
def vote(request: HttpRequest, idea_id: int) -> HttpResponse:
    found = ideas.access(request.user, idea_id)
    try:
        ideas.vote(_person(request), found, back=request.POST.get("back") == "1")
    except DomainError as error:
        return _idea_page(request, found, error=str(error.message), status=error.status)
    if request.POST.get("next") == "board":
        return redirect("web:ideas", handle=found.board.handle)
    return redirect("web:idea", idea_id=found.id)


@login_required
@require_POST
def answer(request: HttpRequest, idea_id: int) -> HttpResponse:
    found = ideas.access(request.user, idea_id)
    try:
        ideas.answer(
            found,
            person=_person(request),
            state=request.POST.get("state", ""),
            text=request.POST.get("answer", ""),
        )
    except NotFound:
        raise  # no role on the account: the same page as for a missing idea
    except DomainError as error:
        return _idea_page(request, found, error=str(error.message), status=error.status)
    return redirect("web:idea", idea_id=found.id)
