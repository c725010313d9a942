"""接口令牌 (beside H19): the employer administrator makes tokens for the employer's payroll or HR software —
named, scoped to some of their own items, with an expiry — sees each secret once, and revokes them. The token
rules are accounts.services' (api_token_create_employer, api_token_revoke)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from shebao.accounts import services
from shebao.accounts.middleware import client_ip
from shebao.accounts.permissions import item_required
from shebao.accounts.selectors import (
    api_calls_of,
    api_token_of_employer,
    api_tokens_of_employer,
    grant_choices,
)
from shebao.core.errors import FieldErrors
from shebao.declarations import clock

DEFAULT_DAYS = 90


@item_required("H19")
def api_tokens(request):
    admin = request.user
    if not admin.is_employer_admin:
        raise PermissionDenied(_("接口令牌仅限单位管理员管理。"))
    allowed = services.api_token_items_for(admin)
    errors: dict[str, list[str]] = {}
    issued = None
    values = {"name": "", "expires_on": (clock.today() + dt.timedelta(days=DEFAULT_DAYS)).isoformat()}
    checked = list(allowed)
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            token = api_token_of_employer(admin=admin, pk=request.POST.get("token", ""))
            services.api_token_revoke(token=token, actor=admin, ip=client_ip(request))
            messages.success(request, _("令牌「%(name)s」已吊销，立即失效。") % {"name": token.name})
            return redirect("portal:api_tokens")
        values = {
            "name": request.POST.get("name", "")[:100],
            "expires_on": request.POST.get("expires_on", "")[:20],
        }
        checked = request.POST.getlist("items")
        try:
            token, secret = services.api_token_create_employer(
                admin=admin,
                name=values["name"],
                item_codes=checked,
                expires_on=values["expires_on"],
                today=clock.today(),
                ip=client_ip(request),
            )
            issued = {"token": token, "secret": secret}
            values = {"name": "", "expires_on": values["expires_on"]}
        except FieldErrors as exc:
            errors = exc.errors
    shown = request.GET.get("calls")
    calls_of = api_token_of_employer(admin=admin, pk=shown) if shown else None
    context = {
        "tokens": api_tokens_of_employer(admin=admin),
        "issued": issued,
        "errors": errors,
        "values": values,
        "choices": grant_choices(allowed, checked),
        "now": timezone.now(),
        "calls_of": calls_of,
        "calls": api_calls_of(token=calls_of) if calls_of else [],
        "max_date": (clock.today() + dt.timedelta(days=services.API_TOKEN_MAX_DAYS)).isoformat(),
        "min_date": (clock.today() + dt.timedelta(days=1)).isoformat(),
    }
    return render(request, "portal/h19/api_tokens.html", context, status=400 if errors else 200)
