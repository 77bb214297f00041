from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language

from tidings.extensions import sdk

WORDS = {
    "en": {
        "title": "Cite this post",
        "plain": "Plain text",
        "markdown": "Markdown",
        "back": "Back to the post",
    },
    "zh-hant": {"title": "引用這則貼文", "plain": "純文字", "markdown": "Markdown", "back": "回到貼文"},
    "zh-hans": {"title": "引用这则帖子", "plain": "纯文本", "markdown": "Markdown", "back": "回到帖子"},
}


def cite(request: HttpRequest) -> HttpResponse:
    view = sdk.post(request)  # the audience check, and the app's permission
    post = view.subject
    url = f"{settings.SITE_URL}/p/{post.id}/"
    day = timezone.localtime(post.created_at).strftime("%Y-%m-%d")
    who = f"{post.author.display_name} (@{post.author.handle})"
    plain = f"{who}, {day}: “{post.text}” {url}"
    quoted = "\n".join(f"> {line}" for line in post.text.splitlines() or [""])
    markdown = f"{quoted}\n>\n> — [{who}]({url}), {day}"
    words = WORDS.get(get_language() or "en", WORDS["en"])
    context = {"post": post, "plain": plain, "markdown": markdown, "words": words}
    return sdk.render(request, "tidings_cite", "cite.html", context)
