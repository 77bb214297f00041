"""A readable page of the native API, made from its own OpenAPI document (so it cannot drift)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tidings.api.native.api import api


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for path, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            security = op.get("security") or []
            out.append(
                {
                    "method": method.upper(),
                    "path": "/api/tidings/v1" + path if not path.startswith("/api/") else path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "tag": (op.get("tags") or ["other"])[0],
                    "params": [p["name"] for p in op.get("parameters", [])],
                    "body": "requestBody" in op,
                    "responses": sorted(op.get("responses", {})),
                    "needs_token": bool(security),
                }
            )
    return sorted(out, key=lambda o: (o["tag"], o["path"], o["method"]))


def page(request: HttpRequest) -> HttpResponse:
    schema = api.get_openapi_schema()
    context = {
        "operations": _operations(schema),
        "title": schema["info"]["title"],
        "description": schema["info"].get("description", ""),
        "openapi_url": "/api/tidings/v1/openapi.json",
    }
    return render(request, "tidings/api_reference.html", context)
