"""The native API (/api/tidings/v1): what Mastodon's API has no place for (organisations, their
internal spaces, groups, leak-prevention policy, the audit log), described by an OpenAPI 3
document at /api/tidings/v1/openapi.json. The same tokens, scopes and audience checks as the
Mastodon routes; errors as {"error": ...}."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from tidings.api.native.project_routes import router as project_router
from tidings.api.native.routes import router
from tidings.api.native.search_routes import router as search_router
from tidings.api.native.task_routes import router as task_router
from tidings.core.errors import DomainError

STATUS_OF = {400: 422, 403: 403, 404: 404, 409: 409, 413: 413, 429: 429}


class NativeApi(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        """As ninja writes it, but an operation whose token is optional (public reads) says so:
        its security also lists the empty requirement, as OpenAPI spells "or no token"."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        optional = {
            self.get_openapi_operation_id(operation)
            for each in (router, search_router, task_router, project_router)
            for view in each.path_operations.values()
            for operation in view.operations
            if any(getattr(auth, "optional", False) for auth in operation.auth_callbacks)
        }
        for methods in schema["paths"].values():
            for operation in methods.values():
                if operation.get("operationId") in optional and {} not in operation.get("security", []):
                    operation["security"] = [*operation.get("security", []), {}]
        return schema


api = NativeApi(
    title="Tidings native API",
    version="1.0.0",
    description=(
        "What the Mastodon-compatible API has no place for: organisations, their internal spaces, "
        "groups, leak-prevention policy, the audit log, full search and brand monitors. Authenticate "
        "with the same OAuth 2 tokens (`Authorization: Bearer ...`); each operation names the "
        "scope it needs. What you may not see is answered 404, exactly as what does not exist."
    ),
    urls_namespace="native",
    docs_url=None,
)


def _error(request: HttpRequest, status: int, message: str) -> HttpResponse:
    return api.create_response(request, {"error": message}, status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, STATUS_OF.get(exc.status, 422), str(exc.message))


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = str(exc.message)
    if exc.status_code == 401 and message == "Unauthorized":
        message = "The access token is invalid"
    return _error(request, exc.status_code, message)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e.get('loc', [])[1:]) or 'body'}: {e.get('msg', '')}"
        for e in exc.errors[:5]
    )
    return _error(request, 422, f"Validation failed: {problems}")


api.add_router("", router)
api.add_router("", search_router)
api.add_router("", task_router)
api.add_router("", project_router)
