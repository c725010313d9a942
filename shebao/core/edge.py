"""What every request passes before any view sees it: no control characters anywhere a user can type.

A NUL byte makes PostgreSQL refuse the statement (a 500) and SQLite store it; terminal escapes (``ESC [31m``)
and the C1 block end up in addresses and exports. One middleware, first in the chain, refuses C0 control
characters (except tab, line feed and carriage return, which multi-line fields use and single-line fields fold
into a space), DEL and C1 control characters in the path, every query and form parameter (names and values),
the names of uploaded files and every string of a JSON body (our session and CSRF cookies carrying one are
dropped), with a Chinese 400 page (or a JSON error under /api/) that names the parameter. The REST API's calls
(/api/v1/) are refused by :mod:`shebao.api.middleware` with the same check, as a 422 in the API's error shape.
Uploaded cells are checked by :mod:`shebao.core.csvfiles`.
"""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _

# C0 without \t \n \r, DEL, C1.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
MAX_JSON_DEPTH = 64


def first_control_character(value: str) -> int | None:
    """0-based index of the first refused control character in ``value``, or None."""
    m = CONTROL_CHARACTERS.search(value)
    return m.start() if m else None


def control_character_message(where: str, value: str, index: int) -> str:
    return _(
        "「%(where)s」含有不允许的控制字符（第%(position)d个字符，U+%(code)04X），请删除后重新提交。"
    ) % {
        "where": where[:40],
        "position": index + 1,
        "code": ord(value[index]),
    }


def _json_strings(value, path: str, depth: int = 0):
    """(where, string) for every key and string value of a decoded JSON document."""
    if depth > MAX_JSON_DEPTH:
        return
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield f"{path}.{key}" if path else str(key), str(key)
            yield from _json_strings(item, f"{path}.{key}" if path else str(key), depth + 1)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _json_strings(item, f"{path}[{i}]", depth + 1)


def _inputs(request):
    """(where, value) for every piece of the request a user controls (except uploaded file contents)."""
    yield _("网址"), request.path
    for key, values in request.GET.lists():
        yield key, key
        for value in values:
            yield key, value
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return
    content_type = request.content_type or ""
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, values in request.POST.lists():
            yield key, key
            for value in values:
                yield key, value
        for key, files in request.FILES.lists():
            for upload in files:
                yield key, upload.name or ""
    elif content_type == "application/json" or content_type.endswith("+json"):
        try:
            document = json.loads(request.body or b"null")
        except (ValueError, RecursionError):
            return  # not JSON: the API answers that itself
        yield from _json_strings(document, "")


def first_control_input(request) -> tuple[str, str, str] | None:
    """(where, Chinese message, code) for the first control character in what the user sent (code
    "control_character"), or for a body that cannot be read ("unreadable_body"); None when all is clean."""
    try:
        for where, value in _inputs(request):
            index = first_control_character(value)
            if index is not None:
                return where, control_character_message(where, value, index), "control_character"
    except UnicodeDecodeError:
        return "", _("提交的内容不是有效的 UTF-8 文本。"), "unreadable_body"
    except (
        MultiPartParserError
    ):  # a broken multipart body (no boundary…): refused here, not logged as an error
        return "", _("提交的表单内容格式不正确，无法读取。"), "unreadable_body"
    return None


# The REST API's calls refuse control characters themselves (shebao.api.middleware), in the API's own error
# shape (422) and recorded as calls; its documentation pages are checked here like any page.
API_CALLS = "/api/v1/"
API_NOT_CALLS = ("/api/v1/openapi.json", "/api/v1/docs")


class ControlCharacterMiddleware:
    """First middleware: a request carrying a control character is refused (400) before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Our own cookies (session, CSRF) with a control character are dropped, not refused: the visitor is
        # simply not logged in. Other cookies of the domain are never read.
        for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
            if first_control_character(request.COOKIES.get(name, "")) is not None:
                del request.COOKIES[name]
        if request.path.startswith(API_CALLS) and not request.path.startswith(API_NOT_CALLS):
            return self.get_response(request)
        found = first_control_input(request)
        if found is not None:
            return refuse(request, *found)
        return self.get_response(request)


def refuse(request, where: str, message: str, code: str = "control_character"):
    """The 400 answer: JSON for API calls, the Chinese page otherwise."""
    from shebao.core.views import bad_request_page

    if request.path.startswith("/api/") or (request.content_type or "").endswith("json"):
        return JsonResponse({"detail": [{"loc": [where], "msg": message, "type": code}]}, status=400)
    return bad_request_page(request, message)


class ContentSecurityPolicyMiddleware:
    """Every response carries settings.SHEBAO_CONTENT_SECURITY_POLICY (no 'unsafe-inline': styles and scripts
    come from static files only) unless the view set its own."""

    def __init__(self, get_response):
        from django.conf import settings

        self.policy = settings.SHEBAO_CONTENT_SECURITY_POLICY
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response
