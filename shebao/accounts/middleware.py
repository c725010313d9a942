"""Session rules that apply to every page: idle sessions end, and a first or reset password must be changed
before anything else can be used."""

from __future__ import annotations

import ipaddress
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

LAST_ACTIVITY = "shebao_last_activity"
ADMIN_LOGIN_PATH = "/office/admin/login/"
API_PATH = "/api/"


def client_ip(request) -> str | None:
    """The address the request came from. Behind SHEBAO_TRUSTED_PROXIES reverse proxies, the address the
    outermost trusted proxy saw (taken from the right of X-Forwarded-For, so clients cannot forge it)."""
    proxies = getattr(settings, "SHEBAO_TRUSTED_PROXIES", 0)
    if proxies > 0:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= proxies:
            candidate = hops[-proxies]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR") or None


def idle_seconds() -> int:
    return settings.SESSION_COOKIE_AGE


def _go(request, response):
    """A redirect; for an htmx request, a full-page one (HX-Redirect) rather than a swapped-in login form."""
    if request.headers.get("HX-Request") == "true":
        return HttpResponse(status=204, headers={"HX-Redirect": response["Location"]})
    return response


class AccountSessionMiddleware:
    """After AuthenticationMiddleware and MessageMiddleware.

    - A session unused for longer than SESSION_COOKIE_AGE (SHEBAO_SESSION_IDLE_SECONDS, 30 minutes) is ended
      and the user is told why on the login page.
    - A user whose password is a first or reset one is sent to the password change page for every page except
      that one, logout and static files.
    - The Django admin's login page sends to the one login page (lockout, account events, TOTP).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PATH):  # the REST API authenticates by token, never by the session
            return self.get_response(request)
        if request.path == ADMIN_LOGIN_PATH:
            # The Django admin's own login would bypass lockout, events and TOTP: use ours.
            return redirect_to_login(request.GET.get("next") or "/office/admin/", reverse("accounts:login"))
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY)
            if last is not None and now - int(last) > idle_seconds():
                from .services import event_record  # services import models; keep module import light

                event_record(user=user, kind="session_expired", ip=client_ip(request))
                logout(request)
                messages.info(
                    request,
                    _("您已超过 %(minutes)d 分钟未操作，为保护帐户安全已自动退出，请重新登录。")
                    % {"minutes": idle_seconds() // 60},
                )
                target = request.get_full_path() if request.method == "GET" else None
                return _go(request, redirect_to_login(target) if target else redirect("accounts:login"))
            request.session[LAST_ACTIVITY] = now
            if user.must_change_password and not self._exempt(request.path):
                change = reverse("accounts:password_change")
                if request.method == "GET":
                    change += "?" + urlencode({"next": request.get_full_path()})
                return _go(request, redirect(change))
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        exempt = (
            reverse("accounts:password_change"),
            reverse("accounts:logout"),
            reverse("accounts:login"),
            settings.STATIC_URL,
            "/healthz",
        )
        return any(path.startswith(prefix) for prefix in exempt)
