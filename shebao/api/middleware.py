"""Every call to /api/v1/ is recorded (accounts.ApiCall): the token, the item, the object, the outcome and
the client address — refusals included. The documentation pages are not calls and are not recorded.

A NUL character anywhere in a call (path, query or body, raw or as the JSON escape \u0000) is refused with
422 before anything reads it: PostgreSQL cannot store or even compare text containing one. So is any other
control character the pages refuse at the edge (shebao.core.edge, which leaves API calls to this middleware
so that the refusal keeps the API's error shape and is recorded as a call). An uploaded file (multipart, batch
import) is binary: its form fields and file name are checked, its content is left to the spreadsheet reader,
which drops NULs from cells."""

from __future__ import annotations

import json
from urllib.parse import unquote_to_bytes

from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _

from shebao.accounts.middleware import client_ip
from shebao.accounts.services import api_call_record
from shebao.core.edge import first_control_input

PREFIX = "/api/v1/"
NOT_CALLS = ("/api/v1/openapi.json", "/api/v1/docs")

OUTCOMES = {200: "ok", 201: "ok", 204: "ok"}


class ApiCallMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(PREFIX) or request.path.startswith(NOT_CALLS):
            return self.get_response(request)
        response = _refuse_control(request) or self.get_response(request)
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
        if request.content_type == "multipart/form-data":
            # An uploaded file is binary (its reader drops NULs): its fields and name are checked, not its content.
            try:
                texts = [*request.POST.keys(), *(v for vs in request.POST.lists() for v in vs[1])]
                texts += [f.name or "" for f in request.FILES.values()] + list(request.FILES)
            except MultiPartParserError:  # a broken body reads as empty from now on: refused as unreadable
                request.api_unreadable = True
                return False
            return any("\x00" in t for t in texts)
        body = request.body
        return b"\x00" in body or b"\\u0000" in body.lower()
    return False


def _refuse_control(request) -> HttpResponse | None:
    if _has_nul(request):
        request.api_outcome = "nul_byte"
        message = "请求中含有 NUL 字符（\\u0000），不能处理"
        field, code = "__all__", "nul_byte"
    elif getattr(request, "api_unreadable", False):
        request.api_outcome = "unreadable_body"
        message = _("提交的表单内容格式不正确，无法读取。")
        field, code = "__all__", "unreadable_body"
    else:
        # Any other control character (C0 but tab and line breaks, DEL, C1) in the path, a parameter or a
        # JSON string: refused like the pages refuse it (shebao.core.edge), in the API's shape.
        found = first_control_input(request)
        if found is None:
            return None
        field, message, code = found
        request.api_outcome = code
        field = field or "__all__"
    body = {
        "code": "invalid",
        "message": message,
        "errors": [{"field": field, "code": code, "message": message}],
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=422, content_type="application/json; charset=utf-8"
    )
