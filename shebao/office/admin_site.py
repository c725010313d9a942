"""The policy-parameter editor: Django's admin, opened to office administrators (is_office_admin) only.

Until dedicated office pages exist, an office administrator edits the effective-dated parameter tables here.
Every change is kept in the admin's change log (django_admin_log: who, when, what).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from shebao.parameters.models import (
    AccountPensionDivisor,
    AverageWage,
    BaseLimit,
    CreditedInterestRate,
    DisabilityGrantMonths,
    InsuranceRate,
    MaternityRule,
    PolicySetting,
    RetirementAgeRule,
    RiskClassRate,
)


def is_office_admin(request) -> bool:
    user = request.user
    return bool(user.is_active and user.is_authenticated and getattr(user, "is_office_admin", False))


class OfficeAdminSite(admin.AdminSite):
    site_header = _("社会保险经办系统 · 政策参数维护")
    site_title = _("政策参数维护")
    index_title = _("政策参数")
    site_url = "/office/"

    def has_permission(self, request):
        return is_office_admin(request)


class ParameterAdmin(admin.ModelAdmin):
    """Office administrators may view, add, change and delete parameter rows (no Django model permissions)."""

    def has_module_permission(self, request):
        return is_office_admin(request)

    def has_view_permission(self, request, obj=None):
        return is_office_admin(request)

    def has_add_permission(self, request):
        return is_office_admin(request)

    def has_change_permission(self, request, obj=None):
        return is_office_admin(request)

    def has_delete_permission(self, request, obj=None):
        return is_office_admin(request)


office_admin_site = OfficeAdminSite(name="admin")


@admin.register(InsuranceRate, site=office_admin_site)
class InsuranceRateAdmin(ParameterAdmin):
    list_display = ("insurance", "employer_type", "effective_from", "employer_rate", "individual_rate")
    list_filter = ("insurance", "employer_type")


@admin.register(RiskClassRate, site=office_admin_site)
class RiskClassRateAdmin(ParameterAdmin):
    list_display = ("risk_class", "effective_from", "rate")


@admin.register(AverageWage, site=office_admin_site)
class AverageWageAdmin(ParameterAdmin):
    list_display = ("year", "monthly_amount")


@admin.register(BaseLimit, site=office_admin_site)
class BaseLimitAdmin(ParameterAdmin):
    list_display = ("base_year", "insurance", "floor", "ceiling")
    list_filter = ("base_year", "insurance")


@admin.register(CreditedInterestRate, site=office_admin_site)
class CreditedInterestRateAdmin(ParameterAdmin):
    list_display = ("year", "rate")


@admin.register(PolicySetting, site=office_admin_site)
class PolicySettingAdmin(ParameterAdmin):
    list_display = ("key", "effective_from", "value")
    list_filter = ("key",)


@admin.register(RetirementAgeRule, site=office_admin_site)
class RetirementAgeRuleAdmin(ParameterAdmin):
    list_display = (
        "group",
        "gender",
        "pivot_birth_month",
        "base_age_months",
        "step_birth_months",
        "target_age_months",
    )


@admin.register(AccountPensionDivisor, site=office_admin_site)
class AccountPensionDivisorAdmin(ParameterAdmin):
    list_display = ("effective_from", "age_years", "months")
    list_filter = ("effective_from",)


@admin.register(DisabilityGrantMonths, site=office_admin_site)
class DisabilityGrantMonthsAdmin(ParameterAdmin):
    list_display = ("effective_from", "grade", "months")


@admin.register(MaternityRule, site=office_admin_site)
class MaternityRuleAdmin(ParameterAdmin):
    list_display = ("effective_from", "kind", "leave_days", "cost_limit")
