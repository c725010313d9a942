"""One JSON error shape for every refusal, in Chinese, with a machine code:

    {"code": "invalid", "message": "…", "errors": [{"field": "wage", "code": "required", "message": "…"}]}

401 the token is missing, unknown, expired or revoked; 403 the token (or its user) may not do this; 404 no such
object for this token's employer (another employer's object is 404, never 403); 409 the object's state does
not allow the move; 422 bad input (every bad field at once); 429 too many calls (Retry-After)."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from shebao.core.errors import DomainError, FieldErrors
from shebao.declarations.items import definition_for
from shebao.declarations.workflow import TransitionRefused

AUTH_MESSAGES = {
    "token_missing": "缺少接口令牌：请在请求头中提供 Authorization: Bearer <令牌>。",
    "token_invalid": "接口令牌无效：令牌不存在或格式不正确。",
    "token_expired": "接口令牌已过期，请联系管理员重新创建。",
    "token_revoked": "接口令牌已被吊销。",
    "token_user_disabled": "接口令牌所代表的帐户已停用。",
}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, errors: list[dict] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors or []


def not_found(message: str | None = None) -> ApiError:
    return ApiError(404, "not_found", message or _("对象不存在，或不属于本令牌所代表的单位。"))


def forbidden(message: str, code: str = "forbidden") -> ApiError:
    return ApiError(403, code, message)


def invalid(errors: list[dict], message: str | None = None) -> ApiError:
    return ApiError(
        422, "invalid", message or "；".join(e["message"] for e in errors) or _("输入有误"), errors=errors
    )


def field_error(field: str, code: str, message: str) -> dict:
    return {"field": field, "code": code, "message": str(message)}


# --- pydantic's errors in Chinese --------------------------------------------------------------------------

_PYDANTIC_MESSAGES = {
    "missing": "不能为空",
    "string_type": "应为字符串",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为数组",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "extra_forbidden": "是未知字段",
    "string_too_long": "过长",
    "string_too_short": "过短",
    "too_long": "条目过多",
    "literal_error": "不在可选范围内",
    "enum": "不在可选范围内",
    "greater_than_equal": "过小",
    "less_than_equal": "过大",
    "json_invalid": "不是有效的 JSON",
    "date_from_datetime_parsing": "不是有效日期，应为 YYYY-MM-DD",
    "date_parsing": "不是有效日期，应为 YYYY-MM-DD",
    "date_type": "不是有效日期，应为 YYYY-MM-DD",
    "string_pattern_mismatch": "格式不正确",
    "string_unicode": "不是有效的文本",
}
_SOURCES = {"body", "query", "path", "header", "form", "cookie"}


def _path(loc) -> str:
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
    # ninja nests a body/query schema under its parameter name ("body", "params"): drop that too.
    if parts and parts[0] in ("body", "params", "payload", "data_in"):
        parts = parts[1:]
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "__all__"


_ITEM_PATH = re.compile(r"/handling/([A-Z][0-9]{2})/")


def _labels(request) -> dict[str, str]:
    """The Chinese labels of the item fields a handling endpoint takes (from the item's definition)."""
    match = _ITEM_PATH.search(getattr(request, "path", "") or "")
    definition = definition_for(match.group(1)) if match else None
    if definition is None:
        return {}
    labels = {}
    for f in definition.fields:
        labels[f.name] = str(f.label)
        for c in f.columns:
            labels[c.name] = str(c.label)
    return labels


def pydantic_errors(errors: list[dict], request=None) -> list[dict]:
    labels = _labels(request) if request is not None else {}
    found = []
    for error in errors:
        kind = str(error.get("type", "invalid"))
        field = _path(error.get("loc", ()))
        name = labels.get(re.split(r"[.\[]", field)[-1], field)
        message = _PYDANTIC_MESSAGES.get(kind, "不正确")
        found.append(field_error(field, kind, f"{name}{message}" if field != "__all__" else f"请求{message}"))
    return found


# --- handlers ---------------------------------------------------------------------------------------------


def _respond(api, request, status: int, code: str, message: str, errors=None, headers=None):
    request.api_outcome = code
    response = api.create_response(
        request, {"code": code, "message": str(message), "errors": errors or []}, status=status
    )
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def install(api) -> None:
    @api.exception_handler(ApiError)
    def _api_error(request, exc: ApiError):
        return _respond(api, request, exc.status, exc.code, exc.message, exc.errors)

    @api.exception_handler(NinjaValidationError)
    def _validation(request, exc: NinjaValidationError):
        errors = pydantic_errors(exc.errors, request)
        return _respond(api, request, 422, "invalid", "；".join(e["message"] for e in errors), errors)

    @api.exception_handler(FieldErrors)
    def _field_errors(request, exc: FieldErrors):
        errors = [field_error(path, code, message) for path, code, message in exc.issues]
        return _respond(api, request, 422, "invalid", exc.message, errors)

    @api.exception_handler(TransitionRefused)
    def _refused(request, exc: TransitionRefused):
        return _respond(api, request, 409, exc.code or "state", exc.message)

    @api.exception_handler(DomainError)
    def _domain(request, exc: DomainError):
        code = exc.code or "refused"
        if code == "checks_failed":  # approval refused: the record changed since submission
            return _respond(api, request, 409, code, exc.message)
        errors = [field_error(exc.field or "__all__", code, exc.message)]
        return _respond(api, request, 422, code, exc.message, errors)

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        error = not_found()
        return _respond(api, request, 404, error.code, error.message)

    @api.exception_handler(PermissionDenied)
    def _denied(request, exc: PermissionDenied):
        return _respond(api, request, 403, "forbidden", str(exc) or _("无权执行此操作。"))

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request, exc):
        reason = getattr(exc, "reason", "token_invalid")
        return _respond(
            api,
            request,
            401,
            reason,
            AUTH_MESSAGES.get(reason, AUTH_MESSAGES["token_invalid"]),
            headers={"WWW-Authenticate": 'Bearer realm="shebao"'},
        )

    @api.exception_handler(Throttled)
    def _throttled(request, exc: Throttled):
        return _respond(api, request, 429, "rate_limited", _("调用过于频繁，请稍后再试（见 Retry-After）。"))

    @api.exception_handler(HttpError)
    def _http_error(request, exc: HttpError):
        if exc.status_code == 400:
            errors = [field_error("__all__", "malformed", _("请求体不是有效的 JSON"))]
            return _respond(api, request, 422, "invalid", errors[0]["message"], errors)
        return _respond(api, request, exc.status_code, "error", str(exc.message))
