"""H19 经办人授权: the employer administrator opens operator sub-accounts and sets which of their own items
each operator may use. Effective at once, every change in the account trail; not a declaration."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from shebao.accounts import services
from shebao.accounts.middleware import client_ip
from shebao.accounts.receipts import OPERATOR, RESET, receipt_for, receipt_issued, receipt_pdf
from shebao.accounts.rules import ADMIN_ONLY_ITEMS
from shebao.accounts.selectors import grant_choices, grants_of, operator_get, operators_of, user_events
from shebao.core.errors import DomainError, FieldErrors, ValidationFailed
from shebao.core.pdf import pdf_response
from shebao.portal.registry import portal_item


def _page_url(**params) -> str:
    url = reverse("portal:item", args=["H19"])
    return url + ("?" + urlencode(params) if params else "")


def _admin_codes(admin) -> list[str]:
    return [c for c in grants_of(admin) if c not in ADMIN_ONLY_ITEMS]


def _receipt(request, admin, operator):
    """The receipt PDF, posted from the page that showed the new password (see accounts.receipts)."""
    entry = receipt_for(user=operator, password=request.POST.get("password", ""), issuer=admin)
    if entry is None:
        raise Http404
    data = receipt_pdf(
        user=entry["user"], password=entry["password"], purpose=entry["purpose"], issued_by=admin
    )
    response = pdf_response(data, f"回执单-{entry['user'].username}.pdf")
    response["Cache-Control"] = "no-store"
    return response


def _act(request, admin, operator):
    """Run the POSTed action; returns the redirect target, or (operator, password, purpose) when a password
    was issued (shown on the answer itself, never stored)."""
    action = request.POST.get("action")
    ip = client_ip(request)
    if action == "create":
        user, password = services.operator_create(
            admin=admin,
            display_name=request.POST.get("display_name", ""),
            id_number=request.POST.get("id_number", ""),
            phone=request.POST.get("phone", ""),
            item_codes=request.POST.getlist("items"),
            ip=ip,
            today=timezone.localdate(),
        )
        return user, password, OPERATOR
    if operator is None:
        raise Http404
    if action == "grants":
        change = services.user_grants_change(
            user=operator, item_codes=request.POST.getlist("items"), actor=admin, ip=ip
        )
        if change["added"] or change["removed"]:
            messages.success(request, _("%(name)s 的事项权限已变更，立即生效。") % {"name": operator.label})
        else:
            messages.info(request, _("事项权限没有变化。"))
    elif action == "reset":
        password = services.password_reset(user=operator, actor=admin, ip=ip)
        return operator, password, RESET
    elif action == "disable":
        services.user_disable(user=operator, actor=admin, ip=ip)
        messages.success(request, _("已停用 %(name)s 的帐户。") % {"name": operator.label})
    elif action == "enable":
        services.user_enable(user=operator, actor=admin, ip=ip)
        messages.success(request, _("已启用 %(name)s 的帐户。") % {"name": operator.label})
    else:
        raise Http404
    return _page_url(operator=operator.pk)


@portal_item("H19")
def h19_operators(request):
    admin = request.user
    if not admin.is_employer_admin:  # can_use_item already refuses; kept so the rule is visible here
        raise PermissionDenied(_("「经办人授权」仅限单位管理员办理。"))
    raw = request.POST.get("operator") or request.GET.get("operator")
    operator = operator_get(admin=admin, pk=raw) if raw else None
    if request.method == "POST" and request.POST.get("action") == "receipt":
        return _receipt(request, admin, operator)
    errors: dict[str, list[str]] = {}
    issued = None
    if request.method == "POST":
        try:
            outcome = _act(request, admin, operator)
            if isinstance(outcome, str):
                return redirect(outcome)
            operator, password, purpose = outcome
            issued = receipt_issued(user=operator, password=password, purpose=purpose, pdf_url=_page_url())
        except FieldErrors as exc:
            errors = exc.errors
        except ValidationFailed as exc:
            errors = {exc.field or "general": [exc.message]}
        except DomainError as exc:
            errors = {"general": [exc.message]}

    allowed = _admin_codes(admin)
    creating = request.method == "POST" and request.POST.get("action") == "create" and issued is None
    context = {
        "operators": operators_of(admin=admin).prefetch_related("grants"),
        "operator": operator,
        "errors": errors,
        "issued": issued,
        "values": request.POST if creating else {},
        "new_choices": grant_choices(allowed, request.POST.getlist("items") if creating else []),
        "admin_item_count": len(allowed),
    }
    if operator is not None:
        checked = request.POST.getlist("items") if errors and not creating else grants_of(operator)
        context.update(
            {
                "operator_choices": grant_choices(allowed, checked),
                "operator_extra": sorted(set(grants_of(operator)) - set(allowed)),
                "events": user_events(user=operator, limit=50),
                "locked": operator.is_locked(timezone.now()),
            }
        )
    response = render(request, "portal/h19/operators.html", context, status=400 if errors else 200)
    if issued:
        response["Cache-Control"] = "no-store"
    return response
