"""The API answers JSON whatever goes wrong, before or after its views run.

DRF's exception handler (api.errors) covers what happens inside a view. This covers the rest under
/api/v1/: an address that matches no route (Django's HTML 404), a body over DATA_UPLOAD_MAX_MEMORY_SIZE
(Django's HTML 400; here a 413), a NUL byte in the address (which PostgreSQL would refuse with a server
error), and any other error page (a 500 included, already logged by Django) in the same
{"errors": [{"field", "rule", "message"}]} shape.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework.response import Response

API_PREFIX = "/api/v1/"
RULES = {400: "bad_request", 401: "not_authenticated", 403: "permission_denied", 404: "not_found",
         405: "method_not_allowed", 406: "not_acceptable", 413: "too_large", 415: "unsupported_media_type",
         429: "throttled"}
MESSAGES = {404: "No such address in the API: see /api/docs/", 405: "This method is not allowed here",
            500: "The server failed to answer; the error has been logged"}


def error(status: int, message: str, *, field: str | None = None, rule: str | None = None) -> JsonResponse:
    rule = rule or RULES.get(status, "server_error" if status >= 500 else "invalid")
    return JsonResponse({"errors": [{"field": field, "rule": rule, "message": message}]}, status=status)


class JsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        if "\x00" in request.path_info:
            return error(400, "The address holds a NUL character, which no id or code has", field="path",
                         rule="null_characters_not_allowed")
        response = self.get_response(request)
        # DRF's own responses are already the errors shape (JSON, or the browsable API's page of it).
        if response.status_code < 400 or _is_json(response) or isinstance(response, Response):
            return response
        return _as_json(response)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not request.path_info.startswith(API_PREFIX):
            return None
        if isinstance(exception, RequestDataTooBig):
            return error(413, "The request body is too large for the API: send one case per request",
                         rule="too_large")
        if isinstance(exception, SuspiciousOperation):
            return error(400, "The request was refused as malformed")
        return None  # anything else: Django logs it and makes its 500, which __call__ turns into JSON


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


def _as_json(response: HttpResponse) -> JsonResponse:
    status = response.status_code
    replaced = error(status, MESSAGES.get(status, f"The request was refused ({status})"))
    for header in ("Allow", "WWW-Authenticate", "Retry-After"):
        if header in response:
            replaced[header] = response[header]
    return replaced


__all__ = ["JsonErrorsMiddleware", "error"]
