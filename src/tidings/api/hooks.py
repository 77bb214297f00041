"""Incoming webhooks: POST /hooks/<bot id>/<token> (the address a chat tool is given), or
POST /hooks/<bot id> with `Authorization: Bearer <token>`. The body is JSON `{"text": "..."}`
(as chat tools send it) or a form field `text`. The post goes to the bot's one audience."""

from __future__ import annotations

import json

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tidings.core.errors import DomainError, RateLimited
from tidings.extensions import bots

MOST_BYTES = 16 * 1024


@csrf_exempt  # no cookies: the token is the credential
@require_POST
def incoming(request: HttpRequest, bot_id: str, token: str = "") -> JsonResponse:
    if not token:
        scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
        token = token.strip() if scheme.lower() == "bearer" else ""
    try:
        bot = bots.bot_for(bot_id, token)
        if len(request.body) > MOST_BYTES:
            return JsonResponse({"error": "The body is larger than 16 KB."}, status=413)
        text = request.POST.get("text")
        if request.content_type == "application/json":
            try:
                data = json.loads(request.body)
            except (ValueError, UnicodeDecodeError):
                return JsonResponse({"error": "The body is not JSON."}, status=400)
            text = data.get("text") if isinstance(data, dict) else None
        post = bots.post(bot, text)
    except RateLimited as limited:
        return JsonResponse({"error": str(limited.message)}, status=429)
    except DomainError as error:
        status = 422 if error.status == 400 else error.status
        return JsonResponse({"error": str(error.message)}, status=status)
    return JsonResponse({"id": str(post.id), "url": request.build_absolute_uri(f"/p/{post.id}/")}, status=201)
