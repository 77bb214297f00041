"""The official accounts' working pages (/ops/): the accounts a person runs and switching to
one, each account's drafts with their reviews, the calendar of what goes out, and its team and
settings. These pages are always the person's own: they never take the acting account."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tidings.accounts.models import Account
from tidings.core.errors import DomainError, Invalid, NotFound
from tidings.ops import drafts, roles, services
from tidings.ops import selectors as ops
from tidings.ops.models import Draft, Review, Role
from tidings.web import acting
from tidings.web.views.common import back, number

Status = Draft.Status


def _person(request: HttpRequest) -> Account:
    assert isinstance(request.user, Account)
    return request.user


def _address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


@login_required
def index(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    runs = [r for r in roles.runs_of(person) if r.role != "self"]
    counts = ops.counts([r.account.id for r in runs])
    rows = [{"run": r, "counts": counts.get(r.account.id, {})} for r in runs]
    current = acting.acting_account(request)
    return render(request, "tidings/ops.html", {"rows": rows, "current": current, "nav": "ops"})


@login_required
@require_POST
def act_as(request: HttpRequest) -> HttpResponse:
    """Switch to an account the person runs, or back to themselves (an empty choice)."""
    wanted = number(request.POST.get("account"))
    account = None
    if wanted is not None:
        account = Account.objects.filter(id=wanted, is_active=True).first()
        if account is None:
            raise NotFound()
    acting.switch(request, account)
    return back(request, reverse("web:home"))


def _local(when: dt.datetime | None, zone: str) -> str:
    return timezone.localtime(when, zoneinfo.ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M") if when else ""


def _account_context(request: HttpRequest, handle: str) -> dict[str, Any]:
    account, role = ops.run_account(_person(request), handle)
    desk = services.desk_of(account)
    run = roles.Run(account, role)
    return {"account": account, "role": role, "run": run, "desk": desk, "nav": "ops"}


@login_required
def account_page(request: HttpRequest, handle: str) -> HttpResponse:
    """An account's posts on their way: a new draft, and the drafts by state."""
    context = _account_context(request, handle)
    account, desk = context["account"], context["desk"]
    form = {"text": "", "audience": "public", "publish_at": ""}
    status = 200
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in form}
        try:
            draft = drafts.write(account, person=_person(request), **form)
            if request.POST.get("then") == "submit":
                drafts.submit(draft, person=_person(request))
            return redirect("web:ops_draft", draft_id=draft.id)
        except DomainError as error:
            context["error"], status = error.message, error.status
    context.update(
        form=form,
        review=ops.drafts(account, [Status.REVIEW]),
        scheduled=ops.drafts(account, [Status.SCHEDULED]),
        open=ops.drafts(account, [Status.DRAFT, Status.FAILED]),
        done=ops.drafts(account, [Status.PUBLISHED, Status.WITHDRAWN], limit=20),
        zone=desk.time_zone,
    )
    return render(request, "tidings/ops_account.html", context, status=status)


def _draft_context(request: HttpRequest, draft: Draft) -> dict[str, Any]:
    person = _person(request)
    role = roles.role_of(person, draft.account) or ""
    run = roles.Run(draft.account, role)
    desk = services.desk_of(draft.account)
    zone = desk.time_zone
    reviews = list(draft.reviews.select_related("reviewer").order_by("id"))
    approvals = sum(1 for r in reviews if r.decision == Review.Decision.APPROVE and r.current)
    return {
        "draft": draft,
        "desk": desk,
        "account": draft.account,
        "run": run,
        "zone": zone,
        "publish_at_local": _local(draft.publish_at, zone),
        "reviews": reviews,
        "approvals": approvals,
        "is_open": draft.status in drafts.OPEN,
        "may_approve": run.can("review") and draft.status == Status.REVIEW and draft.writer_id != person.id,
        "nav": "ops",
    }


@login_required
def draft_page(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = drafts.access_draft(_person(request), draft_id)
    return render(request, "tidings/ops_draft.html", _draft_context(request, draft))


DRAFT_ACTIONS = {"edit", "submit", "review", "withdraw"}


@login_required
@require_POST
def draft_action(request: HttpRequest, draft_id: int, action: str) -> HttpResponse:
    if action not in DRAFT_ACTIONS:
        raise NotFound()
    person = _person(request)
    draft = drafts.access_draft(person, draft_id)
    data = request.POST
    try:
        if action == "edit":
            drafts.edit(
                draft,
                person=person,
                text=data.get("text", ""),
                audience=data.get("audience", "public"),
                publish_at=data.get("publish_at", ""),
            )
        elif action == "submit":
            drafts.submit(draft, person=person)
        elif action == "review":
            drafts.review(
                draft, person=person, decision=data.get("decision", ""), comment=data.get("comment", "")
            )
        else:
            drafts.withdraw(draft, person=person)
    except DomainError as error:
        context = _draft_context(request, draft)
        context.update(error=error.message, failed_action=action)
        if action == "edit":
            context["draft"].text = data.get("text", "")
            context["publish_at_local"] = data.get("publish_at", "")
        return render(request, "tidings/ops_draft.html", context, status=error.status)
    return redirect("web:ops_draft", draft_id=draft.id)


def _month(raw: str, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    today = timezone.localtime(timezone.now(), zone)
    if not raw:
        return dt.datetime(today.year, today.month, 1, tzinfo=zone)
    try:
        year, month = (int(x) for x in raw.split("-", 1))
        return dt.datetime(year, month, 1, tzinfo=zone)
    except ValueError:
        raise Invalid(_("Give the month as 2026-12.")) from None


@login_required
def calendar(request: HttpRequest, handle: str) -> HttpResponse:
    """A month of what goes out, day by day, in the account's time zone."""
    context = _account_context(request, handle)
    zone = zoneinfo.ZoneInfo(context["desk"].time_zone)
    start = _month(request.GET.get("month", ""), zone)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    days: dict[dt.date, list[dict[str, Any]]] = {}
    for draft in ops.calendar(context["account"], start, end):
        when = draft.post.created_at if draft.post_id and draft.post else draft.publish_at
        if when is None:
            continue
        local = timezone.localtime(when, zone)
        days.setdefault(local.date(), []).append({"draft": draft, "time": local.strftime("%H:%M")})
    for items in days.values():
        items.sort(key=lambda i: i["time"])
    context.update(
        days=sorted(days.items()),
        month=start,
        previous=(start - dt.timedelta(days=1)).strftime("%Y-%m"),
        next=end.strftime("%Y-%m"),
    )
    return render(request, "tidings/ops_calendar.html", context)


@login_required
def team(request: HttpRequest, handle: str) -> HttpResponse:
    """Who holds which role on the account, its settings, and what was done as it."""
    context = _account_context(request, handle)
    account = context["account"]
    status = 200
    if request.method == "POST":
        person, data, address = _person(request), request.POST, _address(request)
        try:
            action = data.get("action")
            if action == "grant":
                services.grant(
                    account,
                    actor=person,
                    handle=data.get("handle", ""),
                    role=data.get("role", ""),
                    address=address,
                )
            elif action == "revoke":
                services.revoke(
                    account, actor=person, person_id=number(data.get("person")) or 0, address=address
                )
            elif action == "settings":
                services.update_desk(
                    account,
                    actor=person,
                    category=data.get("category", ""),
                    time_zone=data.get("time_zone", ""),
                    approvals_required=data.get("approvals_required", ""),
                    address=address,
                )
            else:
                raise NotFound()
            return redirect("web:ops_team", handle=account.handle)
        except DomainError as error:
            context.update(error=error.message, form=dict(data.items()))
            status = error.status
    context.update(
        grants=ops.team(account),
        roles=Role.choices,
        deeds=ops.deeds(account),
        may_manage=context["run"].can("manage"),
    )
    return render(request, "tidings/ops_team.html", context, status=status)
