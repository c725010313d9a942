"""Login (password, then TOTP if turned on), logout, password change and the account security page."""

from __future__ import annotations

import time
from base64 import b32encode
from urllib.parse import quote

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shebao.catalogue.items import get_item
from shebao.core.errors import DomainError, FieldErrors

from . import services
from .middleware import LAST_ACTIVITY, client_ip
from .models import UserKind
from .rules import login_kind_hint
from .selectors import user_events, user_has_totp

PENDING = "shebao_pending_login"
PENDING_TTL_SECONDS = 300
TOTP_ISSUER = "社保网上办事"


def _next_url(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _staff_site_served() -> bool:
    return settings.SHEBAO_SITES in ("office", "all")


def _portal_site_served() -> bool:
    return settings.SHEBAO_SITES in ("portal", "all")


def _login_mode(request, next_url: str | None) -> str:
    """'staff' shows the office login, 'portal' the 单位用户 / 个人用户 choice."""
    if not _portal_site_served():
        return "staff"
    if not _staff_site_served():
        return "portal"
    asked = request.POST.get("kind") or request.GET.get("kind")
    if asked == UserKind.STAFF or (next_url or "").startswith("/office/"):
        return "staff"
    return "portal"


def _item_for(next_url: str | None):
    """The item a visitor picked on the home page before being asked to log in (shown on the login page)."""
    prefix = "/portal/items/"
    if next_url and next_url.startswith(prefix):
        return get_item(next_url[len(prefix) :].split("/", 1)[0])
    return None


def _finish_login(request, user, next_url: str | None):
    login(request, user)
    request.session[LAST_ACTIVITY] = int(time.time())
    if user.must_change_password:
        target = reverse("accounts:password_change")
        if next_url:
            target += "?" + urlencode({"next": next_url})
        return redirect(target)
    return redirect(next_url or "home")


def login_view(request):
    next_url = _next_url(request)
    mode = _login_mode(request, next_url)
    error = hint = None
    status = 200
    kind = request.POST.get("kind") or request.GET.get("kind") or UserKind.EMPLOYER
    if mode == "staff":
        kind = UserKind.STAFF
    elif kind not in (UserKind.EMPLOYER, UserKind.INDIVIDUAL):
        kind = UserKind.EMPLOYER
    if request.method == "POST":
        identifier = request.POST.get("username", "")
        password = request.POST.get("password", "")
        posted_kind = request.POST.get("kind", "")
        allowed_kinds = (UserKind.STAFF,) if mode == "staff" else (UserKind.EMPLOYER, UserKind.INDIVIDUAL)
        if posted_kind not in allowed_kinds:
            error, status = _("请选择「单位用户」或「个人用户」后再登录。"), 400
        elif not identifier.strip() or not password:
            error, status = _("请输入用户名和密码。"), 400
        else:
            result = services.login_attempt(
                kind=posted_kind, identifier=identifier, password=password, ip=client_ip(request)
            )
            if result.ok:
                return _finish_login(request, result.user, next_url)
            if result.reason == "totp_required":
                request.session.cycle_key()
                request.session[PENDING] = {
                    "user_id": result.user.pk,
                    "at": int(time.time()),
                    "next": next_url,
                }
                return redirect("accounts:login_totp")
            error = result.message
            status = 401
            if result.reason in ("bad_credentials", "locked"):  # the same answer for both (issue 14)
                hint = login_kind_hint(kind=posted_kind, identifier=identifier)
    return render(
        request,
        "accounts/login.html",
        {
            "error": error,
            "hint": hint,
            "next": next_url or "",
            "kind": kind,
            "mode": mode,
            "picked_item": _item_for(next_url),
            "staff_login": _staff_site_served() and mode == "portal",
            "username": request.POST.get("username", "") if request.method == "POST" else "",
        },
        status=status,
    )


def login_totp_view(request):
    """Second step: the 6-digit code from the user's authenticator app."""
    from .models import User

    pending = request.session.get(PENDING)
    if not pending or int(time.time()) - pending["at"] > PENDING_TTL_SECONDS:
        request.session.pop(PENDING, None)
        messages.info(request, _("登录已超时，请重新输入用户名和密码。"))
        return redirect("accounts:login")
    user = User.objects.filter(pk=pending["user_id"]).first()
    if user is None:
        return redirect("accounts:login")
    error = None
    status = 200
    if request.method == "POST":
        result = services.login_totp_verify(
            user=user, token=request.POST.get("token", ""), ip=client_ip(request)
        )
        if result.ok:
            request.session.pop(PENDING, None)
            return _finish_login(request, result.user, pending.get("next"))
        if result.reason == "locked":
            request.session.pop(PENDING, None)
        error, status = result.message, 401
    return render(request, "accounts/login_totp.html", {"error": error}, status=status)


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        services.event_record(user=request.user, kind="logout", ip=client_ip(request))
    logout(request)
    return redirect("home")


@login_required
def password_change_view(request):
    user = request.user
    errors: dict[str, list[str]] = {}
    next_url = _next_url(request)
    if request.method == "POST":
        try:
            services.password_change(
                user=user,
                old_password=request.POST.get("old_password", ""),
                new_password=request.POST.get("new_password", ""),
                new_password_again=request.POST.get("new_password_again", ""),
                ip=client_ip(request),
            )
        except FieldErrors as exc:
            errors = exc.errors
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("密码已修改，请牢记新密码。"))
            return redirect(next_url or "home")
    return render(
        request,
        "accounts/password_change.html",
        {"errors": errors, "next": next_url or "", "forced": user.must_change_password},
        status=400 if errors else 200,
    )


def _otpauth_url(user, device) -> str:
    secret = b32encode(device.bin_key).decode().rstrip("=")
    label = quote(f"{TOTP_ISSUER}:{user.username}")
    return f"otpauth://totp/{label}?" + urlencode(
        {
            "secret": secret,
            "issuer": TOTP_ISSUER,
            "algorithm": "SHA1",
            "digits": device.digits,
            "period": device.step,
        }
    )


@login_required
def security_view(request):
    """The user's own account: TOTP on/off, and the recent events of the account."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = request.user
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "totp_start":
                services.totp_setup_start(user=user)
            elif action == "totp_confirm":
                services.totp_setup_confirm(
                    user=user, token=request.POST.get("token", ""), ip=client_ip(request)
                )
                messages.success(request, _("动态口令已启用，今后登录时需输入身份验证器上的 6 位数字。"))
                return redirect("accounts:security")
            elif action == "totp_disable":
                services.totp_disable(
                    user=user, password=request.POST.get("password", ""), ip=client_ip(request)
                )
                messages.success(request, _("动态口令已停用。"))
                return redirect("accounts:security")
        except FieldErrors as exc:
            errors = exc.errors
        except DomainError as exc:
            errors = {"general": [exc.message]}
        if not errors:
            return redirect("accounts:security")
    enabled = user_has_totp(user)
    pending = (
        None if enabled else TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    )
    setup = None
    if pending is not None:
        url = _otpauth_url(user, pending)
        secret = b32encode(pending.bin_key).decode().rstrip("=")
        setup = {
            "qr_svg": mark_safe(segno.make(url, error="m").svg_inline(scale=4)),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        }
    return render(
        request,
        "accounts/security.html",
        {
            "totp_enabled": enabled,
            "setup": setup,
            "errors": errors,
            "events": user_events(user=user, limit=20),
        },
        status=400 if errors else 200,
    )
