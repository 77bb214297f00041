"""Forms that write posts. Each works as a plain form; our script may send the same form
inline (X-Tidings-Inline) and gets the updated card back instead of a redirect."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tidings.accounts.models import Account
from tidings.core.errors import DomainError, Invalid, NotFound
from tidings.posts import polls, services
from tidings.posts import selectors as post_selectors
from tidings.posts.models import Audience
from tidings.web.views.common import back, error_response, is_inline, number


def _account(request: HttpRequest) -> Account:
    assert isinstance(request.user, Account)
    return request.user


def _card(request: HttpRequest, post_id: int) -> HttpResponse:
    """The updated card for an inline action; its forms lead back to the page it sits on."""
    view = post_selectors.post_view(request.user, post_id)
    back_to = request.POST.get("next", "").split("#", 1)[0]
    return render(request, "tidings/_post.html", {"view": view, "back_to": back_to})


def _space(request: HttpRequest, organisation_id: int | None, group_id: int | None) -> dict[str, object]:
    """The space a refused internal post was meant for, to show the form again in it (only one
    the person belongs to: the ids come from the form)."""
    from tidings.core.audience import groups_of, insider_of
    from tidings.groups.models import Group
    from tidings.orgs.models import Organisation

    user_id = _account(request).id
    if group_id is not None:
        group = (
            Group.objects.filter(id=group_id, id__in=groups_of(user_id))
            .select_related("organisation")
            .first()
        )
        return {"space_group": group, "space_org": group.organisation} if group else {}
    if organisation_id is not None:
        org = Organisation.objects.filter(id=organisation_id, id__in=insider_of(user_id)).first()
        return {"space_org": org} if org else {}
    return {}


def _images(request: HttpRequest) -> list[bytes]:
    files = request.FILES.getlist("images")
    if len(files) > settings.POST_MAX_IMAGES:
        raise Invalid(_("A post can hold at most %(n)d pictures.") % {"n": settings.POST_MAX_IMAGES})
    return [f.read(settings.IMAGE_MAX_BYTES + 1) for f in files if f.size]


def _poll(request: HttpRequest) -> polls.PollSpec | None:
    """The poll of the compose form, if any of its options is filled in."""
    options = [o for o in request.POST.getlist("poll_option")[: polls.MAX_OPTIONS + 1] if o.strip()]
    if not options:
        return None
    return polls.PollSpec(
        options=options,
        expires_in=number(request.POST.get("poll_duration")) or 0,
        multiple=bool(request.POST.get("poll_multiple")),
        hide_totals=bool(request.POST.get("poll_hide")),
    )


@login_required
def compose(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {"text": "", "audience": Audience.PUBLIC, "error": None}
    if request.method == "POST":
        text = request.POST.get("text", "")
        audience = request.POST.get("audience", Audience.PUBLIC)
        organisation_id, group_id = (
            number(request.POST.get("organisation")),
            number(request.POST.get("group")),
        )
        try:
            poll = _poll(request)
            post = services.publish(
                _account(request),
                text=text,
                audience=audience,
                organisation_id=organisation_id,
                group_id=group_id,
                images_data=_images(request),
                flavour=request.POST.get("flavour", ""),
                poll=poll,
            )
        except DomainError as error:
            if is_inline(request):
                return error_response(request, error)
            context.update(text=text, audience=audience, error=error.message)
            context.update(
                poll_options=request.POST.getlist("poll_option"),
                poll_duration=number(request.POST.get("poll_duration")),
                poll_multiple=bool(request.POST.get("poll_multiple")),
                poll_hide=bool(request.POST.get("poll_hide")),
            )
            context.update(_space(request, organisation_id, group_id))
            return render(request, "tidings/compose.html", context, status=error.status)
        request.acted_on = post.id  # type: ignore[attr-defined]
        if is_inline(request):
            return _card(request, post.id)
        return back(request, reverse("web:home"))
    return render(request, "tidings/compose.html", context)


@login_required
@require_POST
def comment(request: HttpRequest, post_id: int) -> HttpResponse:
    text = request.POST.get("text", "")
    try:
        created = services.comment(_account(request), post_id=post_id, text=text)
    except DomainError as error:
        return error_response(request, error)
    request.acted_on = created.id  # type: ignore[attr-defined]
    if is_inline(request):
        return render(
            request, "tidings/_comment.html", {"c": post_selectors.post_view(request.user, created.id)}
        )
    return redirect(reverse("web:post", args=[created.root_id]) + f"#c{created.id}")


@login_required
def repost(request: HttpRequest, post_id: int) -> HttpResponse:
    view = post_selectors.post_view(request.user, post_id)
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            services.repost(_account(request), post_id=post_id, comment=text)
        except DomainError as error:
            if is_inline(request) or error.status == 404:
                return error_response(request, error)
            return render(
                request,
                "tidings/repost.html",
                {"view": view, "text": text, "error": error.message},
                status=error.status,
            )
        if is_inline(request):
            return _card(request, post_id)
        return back(request, reverse("web:home"))
    return render(request, "tidings/repost.html", {"view": view, "text": "", "error": None})


@login_required
def edit(request: HttpRequest, post_id: int) -> HttpResponse:
    view = post_selectors.post_view(request.user, post_id)
    if view.post.author_id != request.user.id:
        raise NotFound()
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            services.edit(_account(request), post_id=post_id, text=text)
        except DomainError as error:
            return render(
                request,
                "tidings/edit.html",
                {"view": view, "text": text, "error": error.message},
                status=error.status,
            )
        return redirect("web:post", post_id=view.post.root_id or post_id)
    return render(request, "tidings/edit.html", {"view": view, "text": view.post.text, "error": None})


@login_required
@require_POST
def delete(request: HttpRequest, post_id: int) -> HttpResponse:
    services.delete(_account(request), post_id=post_id)
    if is_inline(request):
        return HttpResponse(status=204)
    return back(request, reverse("web:home"))


ACTIONS = {
    "like": services.like,
    "unlike": services.unlike,
    "favourite": services.favourite,
    "unfavourite": services.unfavourite,
}


@login_required
@require_POST
def toggle(request: HttpRequest, post_id: int, action: str) -> HttpResponse:
    service = ACTIONS.get(action)
    if service is None:
        raise NotFound()
    service(_account(request), post_id=post_id)
    if is_inline(request):
        card_id = request.POST.get("card") or post_id
        return _card(request, number(str(card_id)) or post_id)
    return back(request, reverse("web:post", args=[post_id]))


@login_required
@require_POST
def vote(request: HttpRequest, post_id: int) -> HttpResponse:
    """A vote in the poll of a post, from the card's form."""
    choices = [n for raw in request.POST.getlist("choice") if (n := number(raw)) is not None]
    polls.vote_on_post(_account(request), post_id=post_id, choices=choices)
    return back(request, reverse("web:post", args=[post_id]))
