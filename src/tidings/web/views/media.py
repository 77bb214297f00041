"""Media downloads. A post's picture is served only to those who may see the post."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_GET

from tidings.core import storage
from tidings.core.audience import can_see
from tidings.core.errors import NotFound
from tidings.posts.models import Media


@require_GET
def serve(request: HttpRequest, relative: str) -> HttpResponseBase:
    parts = relative.split("/")
    # Only the plain names we store: "avatars/../posts/x.png" would skip the audience check.
    if len(parts) < 2 or any(part in ("", ".", "..") or "\\" in part for part in parts):
        raise NotFound()
    folder = parts[0]
    if folder == "posts":
        media = Media.objects.filter(file=relative).only("post_id", "owner_id").first() or (
            Media.objects.filter(thumbnail=relative).only("post_id", "owner_id").first()
        )
        if media is None:
            raise NotFound()
        if media.post_id is None:
            if media.owner_id != request.user.id:
                raise NotFound()
        elif not can_see(request.user, media.post_id):
            raise NotFound()
        cache = "private, max-age=3600"
    elif folder in ("avatars", "logos"):
        cache = "public, max-age=86400"
    else:
        raise NotFound()
    try:
        path = storage.path_of(relative)
    except ValueError:
        raise NotFound() from None
    if not path.is_file():
        raise NotFound()
    response = FileResponse(path.open("rb"), content_type=storage.content_type(relative))
    # Only our own re-encoding is ever stored, under a name we made, so the type comes from that
    # name. Should a browser still take it for a page, the policy leaves it nothing to run, load
    # or frame, in an origin of its own (sandbox). Inline, so "open picture" shows it.
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = cache
    response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'; sandbox"
    return response
