from __future__ import annotations

import datetime as dt

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tidings.core.render import render_text

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
