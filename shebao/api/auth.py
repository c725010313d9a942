"""Who is calling: a bearer token (Authorization: Bearer sbk_…), resolved by accounts.services, and what it may
do: an item on its scope that its user may still use (employer tokens), or an office role (staff tokens)."""

from __future__ import annotations

from django.conf import settings
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from shebao.accounts.permissions import token_refusal, token_role_refusal
from shebao.accounts.services import api_token_resolve
from shebao.catalogue.items import get_item

from .errors import forbidden


class TokenRefused(AuthenticationError):
    def __init__(self, reason: str):
        super().__init__()
        self.reason = reason


class TokenAuth(HttpBearer):
    """A valid (not expired, not revoked) token whose user is active; 401 with the reason otherwise."""

    openapi_description = "单位管理员或系统管理员创建的接口令牌：Authorization: Bearer sbk_…"

    def __call__(self, request):
        header = request.headers.get("Authorization") or ""
        scheme, _space, secret = header.partition(" ")
        if not header:
            raise TokenRefused("token_missing")
        if scheme.lower() != "bearer":
            raise TokenRefused("token_invalid")
        return self.authenticate(request, secret)

    def authenticate(self, request, token):
        found, reason = api_token_resolve(token)
        request.api_token = found
        if reason:
            raise TokenRefused(reason)
        return found


def require_item(request, code: str):
    """The calling employer token may use item `code` (403 otherwise); returns the item."""
    item = get_item(code)
    request.api_item = item.code
    refusal = token_refusal(request.auth, item)
    if refusal:
        raise forbidden(refusal, "not_in_scope")
    return item


def require_role(request, *roles: str) -> None:
    refusal = token_role_refusal(request.auth, roles)
    if refusal:
        raise forbidden(refusal, "role_missing")


class TokenThrottle(SimpleRateThrottle):
    """At most SHEBAO_API_RATE calls (e.g. "120/min") per token, counted in the default cache."""

    scope = "token"

    def __init__(self):  # the rate is read per call, so a changed setting applies at once
        self.rate = None
        self.num_requests, self.duration = None, None

    def allow_request(self, request) -> bool:
        self.rate = settings.SHEBAO_API_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request):
        token = getattr(request, "auth", None)
        if token is None or not self.num_requests:
            return None
        return f"shebao-api-rate:{token.digest[:24]}"

    def wait(self) -> float:
        if self.history:
            return max(self.duration - (self.now - self.history[-1]), 1)
        return self.duration
