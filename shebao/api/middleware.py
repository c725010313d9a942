"""Every call to /api/v1/ is recorded (accounts.ApiCall): the token, the item, the object, the outcome and
the client address — refusals included. The documentation pages are not calls and are not recorded.

A NUL character anywhere in a call (path, query or body, raw or as the JSON escape \u0000) is refused with
422 before anything reads it: PostgreSQL cannot store or even compare text containing one."""

from __future__ import annotations

import json
from urllib.parse import unquote_to_bytes

from django.http import HttpResponse

from shebao.accounts.middleware import client_ip
from shebao.accounts.services import api_call_record

PREFIX = "/api/v1/"
NOT_CALLS = ("/api/v1/openapi.json", "/api/v1/docs")

OUTCOMES = {200: "ok", 201: "ok", 204: "ok"}


class ApiCallMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(PREFIX) or request.path.startswith(NOT_CALLS):
            return self.get_response(request)
        response = _refuse_nul(request) or self.get_response(request)
        outcome = getattr(request, "api_outcome", None) or OUTCOMES.get(response.status_code, "error")
        api_call_record(
            token=getattr(request, "api_token", None),
            method=request.method or "",
            path=request.path,
            item_code=getattr(request, "api_item", "") or "",
            object_ref=getattr(request, "api_object", "") or "",
            status=response.status_code,
            outcome=outcome,
            ip=client_ip(request),
        )
        return response


def _has_nul(request) -> bool:
    if b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")) or "\x00" in request.path:
        return True
    if request.method in ("POST", "PUT", "PATCH"):
        body = request.body
        return b"\x00" in body or b"\\u0000" in body.lower()
    return False


def _refuse_nul(request) -> HttpResponse | None:
    if not _has_nul(request):
        return None
    request.api_outcome = "nul_byte"
    message = "请求中含有 NUL 字符（\\u0000），不能处理"
    body = {
        "code": "invalid",
        "message": message,
        "errors": [{"field": "__all__", "code": "nul_byte", "message": message}],
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=422, content_type="application/json; charset=utf-8"
    )
