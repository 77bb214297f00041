from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tidings.core.render import render_text
from tidings.extensions.manifest import localised

register = template.Library()


@register.filter
def richtext(text: str) -> SafeString:
    """A post's text: escaped, with links, @mentions and #topics# made clickable."""
    return render_text(text or "")


@register.filter
def media_url(relative: str) -> str:
    return reverse("web:media", args=[relative]) if relative else ""


@register.filter
def ago(when: dt.datetime) -> str:
    """A short, human time: 剛剛 / 5 分鐘前 / 3 小時前, then the date."""
    seconds = int((timezone.now() - when).total_seconds())
    if seconds < 60:
        return _("just now")
    if seconds < 3600:
        minutes = seconds // 60
        return ngettext("%(n)d minute ago", "%(n)d minutes ago", minutes) % {"n": minutes}
    if seconds < 86400:
        hours = seconds // 3600
        return ngettext("%(n)d hour ago", "%(n)d hours ago", hours) % {"n": hours}
    local = timezone.localtime(when)
    if local.year == timezone.localtime().year:
        return local.strftime("%m-%d %H:%M")
    return local.strftime("%Y-%m-%d")


@register.filter
def initial(name: str) -> str:
    return (name or "?")[:1].upper()


@register.filter
def highlight(rendered: str, needles: list[str]) -> SafeString:
    """Search results: the words found, marked."""
    from tidings.search.highlight import highlight as mark

    return mark(rendered, needles)


@register.filter
def slots(values: list[str] | None, n: int) -> list[str]:
    """The form's values padded with empty ones to n inputs (a poll's options)."""
    values = list(values or [])[:n]
    return values + [""] * (n - len(values))


@register.simple_tag
def poll_durations() -> list[tuple[int, str]]:
    """How long a poll made on the web may run, as (seconds, label)."""
    return [
        (5 * 60, _("5 minutes")),
        (3600, _("1 hour")),
        (6 * 3600, _("6 hours")),
        (86400, _("1 day")),
        (3 * 86400, _("3 days")),
        (7 * 86400, _("7 days")),
    ]


@register.simple_tag(takes_context=True)
def app_links(context: Any, kind: str, subject: Any = None) -> list[dict[str, str]]:
    """The links installed apps put in one place: the navigation, a settings page, a post's
    actions (`subject` the post) or a group's panel (`subject` the group)."""
    from urllib.parse import urlencode

    reach = context.get("app_reach")
    if not reach:
        return []
    if kind == "post_action":
        keys, query = reach.on_for_post(subject), {"post": subject.id}
    elif kind == "group_panel":
        keys, query = reach.on_for_group(subject), {"group": subject.id}
    else:
        keys, query = reach.everywhere(), {}
    links = []
    for app, place in reach.places(kind, keys):
        if app.base_url:  # an external app: its own site
            url = f"{app.base_url}/{place.path}"
        else:
            url = reverse("web:app", args=[app.key]) + place.path
        links.append(
            {
                "key": app.key,
                "icon": app.manifest.icon,
                "label": localised(place.label),
                "url": f"{url}?{urlencode(query)}" if query else url,
            }
        )
    return links


@register.filter
def app_card(post: Any) -> Any:
    """The app's card of a post, when the page's query brought it along (never a query here)."""
    return post._state.fields_cache.get("app_card") if post is not None else None
