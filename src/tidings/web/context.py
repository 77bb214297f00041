from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    return {"post_max_length": settings.POST_MAX_LENGTH, "post_max_images": settings.POST_MAX_IMAGES}
