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
from tidings.ops import ambassadors, answers, desk, drafts, roles, services
from tidings.ops import selectors as ops
from tidings.ops.models import Draft, Level, Review, Role
from tidings.web import acting
from tidings.web.views.common import back, number
from tidings.web.views.common import max_id as max_id_of

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
    ids = [r.account.id for r in runs]
    counts, categories = ops.counts(ids), ops.categories(ids)
    rows = [
        {"run": r, "counts": counts.get(r.account.id, {}), "category": categories.get(r.account.id, "")}
        for r in runs
    ]
    # By the categories the organisation named (brand, support, outlet ...), then by handle.
    rows.sort(key=lambda row: (row["category"] == "", row["category"]))
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
        if not 2000 <= year <= 2100:
            raise ValueError(year)
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


# --- the response desk --------------------------------------------------------------------------


def _excerpts(account: Account, cases: list[Any]) -> dict[int, Any]:
    """The post that opened each case, read as the account (the audience check)."""
    from tidings.ops.models import CaseEvent
    from tidings.posts.selectors import posts_by_ids

    first: dict[int, int] = {}
    rows = CaseEvent.objects.filter(case__in=[c.id for c in cases], kind=CaseEvent.Kind.INCOMING)
    for case_id, post_id in rows.order_by("id").values_list("case_id", "post_id"):
        if post_id:
            first.setdefault(case_id, post_id)
    posts = {p.id: p for p in posts_by_ids(account, first.values())}
    return {case_id: posts.get(post_id) for case_id, post_id in first.items()}


@login_required
def inbox(request: HttpRequest, handle: str) -> HttpResponse:
    """The account's cases: open or resolved, by level, or the person's own."""
    context = _account_context(request, handle)
    account = context["account"]
    context["run"].require("reply")
    state = "resolved" if request.GET.get("state") == "resolved" else "open"
    level = request.GET.get("level", "")
    mine = request.GET.get("mine") == "1"
    cases, more = ops.inbox(
        account,
        state=state,
        level=level,
        assignee_id=_person(request).id if mine else None,
        max_id=max_id_of(request),
    )
    excerpts = _excerpts(account, cases)
    now = timezone.now()
    context.update(
        rows=[
            {
                "case": c,
                "post": excerpts.get(c.id),
                "late": c.response_breached(now) or c.resolution_breached(now),
            }
            for c in cases
        ],
        more=more,
        state=state,
        level=level,
        mine=mine,
        levels=Level.choices,
        on_duty=desk.on_duty(account),
    )
    return render(request, "tidings/ops_inbox.html", context)


def _case_context(request: HttpRequest, case: Any) -> dict[str, Any]:
    from tidings.ops.models import CaseEvent

    now = timezone.now()
    seen = ops.case_context(case)
    for event in seen.events:
        event.view = seen.posts.get(event.post_id or 0)  # type: ignore[attr-defined]
    zone = services.desk_of(case.account).time_zone
    return {
        "case": case,
        "account": case.account,
        "run": roles.Run(case.account, roles.role_of(_person(request), case.account) or ""),
        "context": seen,
        "zone": zone,
        "levels": Level.choices,
        "team": ops.responders(case.account),
        "response_late": case.response_breached(now),
        "resolution_late": case.resolution_breached(now),
        "acknowledged": any(e.kind == CaseEvent.Kind.ACK for e in seen.events),
        "answers": answers.suggest(case),
        "remit": answers.remit_text(case.account),
        "nav": "ops",
    }


@login_required
def case_page(request: HttpRequest, case_id: int) -> HttpResponse:
    case = desk.access_case(_person(request), case_id)
    return render(request, "tidings/ops_case.html", _case_context(request, case))


CASE_ACTIONS = {"ack", "reply", "progress", "note", "level", "assign", "resolve", "reopen", "remit", "answer"}


@login_required
@require_POST
def case_action(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    if action not in CASE_ACTIONS:
        raise NotFound()
    person = _person(request)
    case = desk.access_case(person, case_id)
    data = request.POST
    text = data.get("text", "")
    try:
        if action == "ack":
            desk.acknowledge(case, person=person)
        elif action == "reply":
            desk.reply(case, person=person, text=text)
        elif action == "progress":
            desk.progress(case, person=person, text=text)
        elif action == "note":
            desk.note(case, person=person, text=text)
        elif action == "level":
            desk.set_level(case, person=person, level=data.get("level", ""))
        elif action == "assign":
            desk.assign(case, person=person, assignee_id=number(data.get("assignee")))
        elif action == "resolve":
            desk.resolve(case, person=person, text=text)
        elif action == "remit":
            desk.resolve(case, person=person, text=answers.remit_text(case.account))
        elif action == "answer":
            answer = answers.access_answer(person, case.account, number(data.get("answer")) or 0)
            desk.reply(case, person=person, text=answers.fill(answer, case))
        else:
            desk.reopen(case, person=person)
    except DomainError as error:
        case.refresh_from_db()
        context = _case_context(request, case)
        context.update(error=error.message, failed_action=action, text=text)
        return render(request, "tidings/ops_case.html", context, status=error.status)
    return redirect("web:ops_case", case_id=case.id)


@login_required
def case_rating(request: HttpRequest, case_id: int) -> HttpResponse:
    """The customer rates a resolved case from 1 to 5 (the survey sent when it closed)."""
    case = desk.rateable_case(request.user, case_id)
    context: dict[str, Any] = {"case": case, "scale": range(1, 6)}
    if request.method == "POST":
        try:
            desk.rate(case, customer=_person(request), rating=request.POST.get("rating", ""))
        except DomainError as error:
            context["error"] = error.message
            return render(request, "tidings/case_rating.html", context, status=error.status)
        return redirect("web:case_rating", case_id=case.id)
    return render(request, "tidings/case_rating.html", context)


@login_required
def desk_settings(request: HttpRequest, handle: str) -> HttpResponse:
    """The desk's rota, triage rules, escalation list, service levels and acknowledgement."""
    context = _account_context(request, handle)
    account = context["account"]
    person = _person(request)
    context["run"].require("reply")
    status = 200
    if request.method == "POST":
        data = request.POST
        action = data.get("action", "")
        try:
            if action == "shift":
                desk.add_shift(
                    account,
                    person=person,
                    handle=data.get("handle", ""),
                    starts_at=data.get("starts_at", ""),
                    ends_at=data.get("ends_at", ""),
                )
            elif action == "shift-remove":
                desk.remove_shift(account, person=person, shift_id=number(data.get("shift")) or 0)
            elif action == "handover":
                desk.hand_over(
                    account,
                    person=person,
                    shift_id=number(data.get("shift")) or 0,
                    text=data.get("handover", ""),
                )
            elif action == "rule":
                desk.add_rule(
                    account,
                    person=person,
                    level=data.get("level", ""),
                    words=data.get("words", ""),
                    negative=data.get("negative") == "on",
                    min_followers=data.get("min_followers", ""),
                    assignee=data.get("assignee", ""),
                )
            elif action == "rule-remove":
                desk.remove_rule(account, person=person, rule_id=number(data.get("rule")) or 0)
            elif action == "escalation":
                desk.set_escalation(account, person=person, handles=data.get("escalation", ""))
            elif action == "service":
                desk.set_service(
                    account,
                    person=person,
                    ack_text=data.get("ack_text", ""),
                    minutes={
                        lv: (data.get(f"{lv}-first", ""), data.get(f"{lv}-resolve", ""))
                        for lv in Level.values
                    },
                )
            else:
                raise NotFound()
            return redirect(reverse("web:ops_desk", args=[account.handle]) + f"#{action.split('-')[0]}")
        except DomainError as error:
            context.update(error=error.message, form=dict(data.items()))
            status = error.status
    zone = zoneinfo.ZoneInfo(context["desk"].time_zone)
    shifts = ops.shifts(account)
    context.update(
        shifts=[
            {
                "shift": s,
                "start": timezone.localtime(s.starts_at, zone),
                "end": timezone.localtime(s.ends_at, zone),
            }
            for s in shifts
        ],
        on_duty=desk.on_duty(account),
        rules=ops.rules(account),
        default_rules=desk.DEFAULT_RULES,
        escalation=" ".join("@" + s.person.handle for s in ops.escalation(account)),
        levels=Level.choices,
        service=[(lv, label, context["desk"].service_levels.get(lv, [0, 0])) for lv, label in Level.choices],
        ack_default=desk.DEFAULT_ACK,
    )
    return render(request, "tidings/ops_desk.html", context, status=status)


@login_required
def desk_figures(request: HttpRequest, handle: str) -> HttpResponse:
    context = _account_context(request, handle)
    context["run"].require("analyse", "reply")
    context["figures"] = ops.figures(context["account"])
    return render(request, "tidings/ops_figures.html", context)


@login_required
def library(request: HttpRequest, handle: str) -> HttpResponse:
    """The Q&A library: search as you type, write and change answers, word the remit answer."""
    context = _account_context(request, handle)
    account, person = context["account"], _person(request)
    context["run"].require("reply")
    status = 200
    if request.method == "POST":
        data = request.POST
        action = data.get("action", "")
        try:
            if action == "write":
                answers.write(
                    account,
                    person=person,
                    title=data.get("title", ""),
                    body=data.get("body", ""),
                    tags=data.get("tags", ""),
                    public=data.get("public") == "on",
                    shared=data.get("shared") == "on",
                    answer_id=number(data.get("answer")),
                )
            elif action == "remove":
                answers.remove(account, person=person, answer_id=number(data.get("answer")) or 0)
            elif action == "remit":
                answers.set_remit(account, person=person, body=data.get("body", ""))
            else:
                raise NotFound()
            return redirect("web:ops_answers", handle=account.handle)
        except DomainError as error:
            context.update(error=error.message, form=dict(data.items()), failed_action=action)
            status = error.status
    query = request.GET.get("q", "")[:100]
    context.update(
        answers=answers.search(account, query),
        q=query,
        variables=answers.VARIABLES,
        remit=answers.remit_text(account),
        may_word_remit=context["role"] == roles.STAFF,
    )
    if request.GET.get("fragment") == "1":
        case_id = number(request.GET.get("case"))
        if case_id is not None:
            context["case"] = desk.access_case(person, case_id)
        return render(request, "tidings/_answer_list.html", context)
    return render(request, "tidings/ops_answers.html", context, status=status)


def faq(request: HttpRequest, handle: str) -> HttpResponse:
    """An official account's public answers, for anyone."""
    from tidings.accounts.selectors import account_by_handle

    account = account_by_handle(handle)
    if not roles.is_official(account):
        raise NotFound()
    items = [(a, answers.faq_text(a, account)) for a in answers.faq(account)]
    return render(request, "tidings/faq.html", {"account": account, "items": items})


@login_required
def share(request: HttpRequest, handle: str) -> HttpResponse:
    """Employees as ambassadors: suggest the account's posts to share, and see what they bring."""
    context = _account_context(request, handle)
    account, person = context["account"], _person(request)
    context["run"].require("analyse", "post")
    status = 200
    if request.method == "POST":
        data = request.POST
        try:
            if data.get("action") == "suggest":
                ambassadors.suggest(
                    account, person=person, post_id=number(data.get("post")) or 0, note=data.get("note", "")
                )
            elif data.get("action") == "withdraw":
                ambassadors.withdraw(
                    account, person=person, suggestion_id=number(data.get("suggestion")) or 0
                )
            else:
                raise NotFound()
            return redirect("web:ops_share", handle=account.handle)
        except DomainError as error:
            context["error"], status = error.message, error.status
    from tidings.posts.selectors import profile_posts

    rows = ambassadors.reach(account)
    suggested = {r.suggestion.post_id for r in rows}
    recent = [v for v in profile_posts(person, account.id, limit=20).items if v.post.audience == "public"]
    context.update(rows=rows, recent=[v for v in recent if v.post.id not in suggested][:10])
    return render(request, "tidings/ops_share.html", context, status=status)
