"""政策参数 (/office/parameters/): the effective-dated policy parameters, replacing Django's admin for office
administrators. A row a finished settlement used is never edited: the change is a new row from a later period;
a rate change shows its effect on next period's city totals before it is saved (contributions.services)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.accounts.permissions import office_role_required
from shebao.contributions import selectors as money_reads
from shebao.contributions import services as money
from shebao.core.choices import EmployerType, Insurance
from shebao.core.errors import DomainError, FieldErrors
from shebao.parameters import selectors as parameter_reads
from shebao.parameters.models import PolicySetting

READERS = ("is_office_admin", "is_settlement", "is_finance", "is_auditor")
KINDS = {
    "insurance_rate": gettext_lazy("缴费比例"),
    "risk_rate": gettext_lazy("工伤行业费率"),
    "setting": gettext_lazy("其他政策参数(滞纳金、缴费期限、舍入规则等)"),
    "base_limit": gettext_lazy("缴费基数上下限"),
    "average_wage": gettext_lazy("社会平均工资"),
    "interest_rate": gettext_lazy("记账利率"),
}
FIELDS = {
    "insurance_rate": ("insurance", "employer_type", "effective_from", "employer_rate", "individual_rate"),
    "risk_rate": ("risk_class", "effective_from", "rate"),
    "setting": ("key", "effective_from", "value"),
    "base_limit": ("year", "insurance", "floor", "ceiling"),
    "average_wage": ("year", "monthly_amount"),
    "interest_rate": ("year", "rate"),
}


def _tables(last_settled):
    tables = []
    for kind, title in KINDS.items():
        rows = parameter_reads.parameter_rows(kind)
        for row in rows:
            row.used = money_reads.parameter_is_used(row, last_settled=last_settled)
        tables.append({"kind": kind, "title": title, "rows": rows})
    return tables


@office_role_required(*READERS)
def parameters(request):
    last_settled = money_reads.last_settled_period()
    may_edit = request.user.is_office_admin
    kind = request.POST.get("kind") or request.GET.get("kind") or "insurance_rate"
    if kind not in KINDS:
        raise Http404
    values = {f: "" for f in FIELDS[kind]}
    errors: dict = {}
    preview = None
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(_("仅系统管理员可以修改政策参数。"))
        action = request.POST.get("action")
        if action == "delete":
            row = parameter_reads.parameter_row(kind, request.POST.get("pk"))
            if row is None:
                raise Http404
            try:
                money.parameter_delete(row=row, actor=request.user)
                messages.success(request, _("已删除"))
            except DomainError as exc:
                messages.error(request, exc.message)
            return redirect(f"{request.path}?kind={kind}")
        values = {f: (request.POST.get(f) or "")[:40] for f in FIELDS[kind]}
        try:
            row = money.parameter_row_build(kind=kind, data=values)
            if action == "save":
                money.parameter_save(row=row, actor=request.user)
                messages.success(request, _("已保存：%(title)s") % {"title": KINDS[kind]})
                return redirect(f"{request.path}?kind={kind}")
            preview = money.parameter_preview(row=row) or "none"
        except FieldErrors as exc:
            errors = exc.errors
        except DomainError as exc:
            errors = {"all": [exc.message]}
    return render(
        request,
        "office/parameters.html",
        {
            "tables": _tables(last_settled),
            "last_settled": last_settled,
            "may_edit": may_edit,
            "kind": kind,
            "kinds": list(KINDS.items()),
            "values": values,
            "errors": errors,
            "preview": preview,
            "insurances": Insurance.choices,
            "employer_types": EmployerType.choices,
            "setting_keys": PolicySetting.Key.choices,
            "retirement_rules": parameter_reads.retirement_rules(),
            "benefit_tables": parameter_reads.benefit_tables(),
        },
        status=400 if errors else 200,
    )


urlpatterns = [path("parameters/", parameters, name="parameters")]
