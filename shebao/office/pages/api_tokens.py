"""接口令牌 (office): a system administrator issues REST API tokens acting as a staff member with some of
that member's roles (the review queue, the counter), sees each secret once, and revokes them."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from shebao.accounts import services
from shebao.accounts.middleware import client_ip
from shebao.accounts.models import OFFICE_ROLE_LABELS, User, UserKind
from shebao.accounts.permissions import office_role_required
from shebao.accounts.selectors import api_calls_of, api_token_staff, api_tokens_staff
from shebao.core.errors import FieldErrors, ValidationFailed
from shebao.core.validators import parse_integer
from shebao.declarations import clock


@office_role_required("is_office_admin")
def api_tokens(request):
    errors: dict[str, list[str]] = {}
    issued = None
    values = {
        "name": "",
        "user": "",
        "roles": [],
        "expires_on": (clock.today() + dt.timedelta(days=90)).isoformat(),
    }
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            token = api_token_staff(pk=request.POST.get("token", ""))
            services.api_token_revoke(token=token, actor=request.user, ip=client_ip(request))
            messages.success(request, _("令牌「%(name)s」已吊销，立即失效。") % {"name": token.name})
            return redirect("office:api_tokens")
        values = {
            "name": request.POST.get("name", "")[:100],
            "user": request.POST.get("user", "")[:20],
            "roles": request.POST.getlist("roles"),
            "expires_on": request.POST.get("expires_on", "")[:20],
        }
        try:  # the one integer parser: str.isdigit() let 「²」 through to the query (a 500, found by the sweep)
            member_pk = parse_integer(values["user"], field="user", min_value=1, max_value=2**62)
        except ValidationFailed:
            member_pk = 0
        member = User.objects.filter(kind=UserKind.STAFF, pk=member_pk).first()
        try:
            if member is None:
                raise FieldErrors({"user": [_("请选择工作人员")]})
            token, secret = services.api_token_create_staff(
                actor=request.user,
                user=member,
                name=values["name"],
                roles=values["roles"],
                expires_on=values["expires_on"],
                today=clock.today(),
                ip=client_ip(request),
            )
            issued = {"token": token, "secret": secret}
        except FieldErrors as exc:
            errors = exc.errors
    shown = request.GET.get("calls")
    calls_of = api_token_staff(pk=shown) if shown else None
    context = {
        "tokens": api_tokens_staff(),
        "staff": User.objects.filter(kind=UserKind.STAFF, is_active=True).order_by("username"),
        "roles": [(key, str(label)) for key, label in OFFICE_ROLE_LABELS.items() if key != "is_office_admin"],
        "issued": issued,
        "errors": errors,
        "values": values,
        "now": timezone.now(),
        "calls_of": calls_of,
        "calls": api_calls_of(token=calls_of) if calls_of else [],
    }
    return render(request, "office/accounts/api_tokens.html", context, status=400 if errors else 200)


urlpatterns = [path("api-tokens/", api_tokens, name="api_tokens")]
