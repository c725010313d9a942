"""Which policy value applies (money.md): one place answers 'which rate / limit / setting applies to this
employer, insurance, period'. Every module that needs a parameter asks here; the record (persons) may too."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from shebao.core.choices import EmployerType, Insurance
from shebao.core.errors import DomainError
from shebao.core.period import Period

from . import rules
from .models import (
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
from .rules import RetirementRule

RISK_CLASSES = range(1, 9)


class ParameterMissing(DomainError):
    pass


def rates_for(*, employer, insurance: str, period: int) -> tuple[Decimal, Decimal]:
    """(employer rate, individual rate) for this employer, insurance and period.

    A row for the employer's own type wins over the row for every type; work injury without an employer
    rate takes the employer's risk-class rate."""
    row = (
        InsuranceRate.objects.filter(
            Q(employer_type=employer.employer_type) | Q(employer_type=""),
            insurance=insurance,
            effective_from__lte=period,
        )
        .order_by("-employer_type", "-effective_from")
        .first()
    )
    if row is None:
        raise ParameterMissing(f"{Period(period)} 期 {insurance} 险种缴费比例未设置")
    employer_rate = row.employer_rate
    if employer_rate is None:
        employer_rate = risk_class_rate(risk_class=employer.risk_class, period=period)
    return employer_rate, row.individual_rate


def risk_class_rate(*, risk_class: int, period: int) -> Decimal:
    row = (
        RiskClassRate.objects.filter(risk_class=risk_class, effective_from__lte=period)
        .order_by("-effective_from")
        .first()
    )
    if row is None:
        raise ParameterMissing(f"{Period(period)} 期工伤风险类别 {risk_class} 的费率未设置")
    return row.rate


def base_limits_for(*, base_year: int, insurance: str) -> tuple[Decimal, Decimal]:
    """(floor, ceiling) of the contribution base for a base year and insurance."""
    row = BaseLimit.objects.filter(base_year=base_year, insurance=insurance).first()
    if row is None:
        raise ParameterMissing(f"{base_year} 年度{insurance}缴费基数上下限未设置")
    return row.floor, row.ceiling


def average_wage_for(*, year: int) -> Decimal:
    row = AverageWage.objects.filter(year=year).first()
    if row is None:
        raise ParameterMissing(f"{year} 年度社会平均工资未设置")
    return row.monthly_amount


def interest_rate_for(*, year: int) -> Decimal:
    row = CreditedInterestRate.objects.filter(year=year).first()
    if row is None:
        raise ParameterMissing(f"{year} 年度记账利率未设置")
    return row.rate


def latest_interest_rate(*, up_to_year: int) -> tuple[int, Decimal]:
    """The latest published credited interest rate of a year ≤ `up_to_year`: (its year, rate)."""
    row = CreditedInterestRate.objects.filter(year__lte=up_to_year).order_by("-year").first()
    if row is None:
        raise ParameterMissing(f"{up_to_year} 年及以前的记账利率未设置")
    return row.year, row.rate


def policy_value(key: str, *, period: int) -> str:
    row = (
        PolicySetting.objects.filter(key=key, effective_from__lte=period).order_by("-effective_from").first()
    )
    if row is None:
        raise ParameterMissing(f"政策参数 {key} 在 {Period(period)} 期未设置")
    return row.value


def policy_decimal(key: str, *, period: int) -> Decimal:
    return Decimal(policy_value(key, period=period))


def policy_int(key: str, *, period: int) -> int:
    return int(policy_value(key, period=period))


def retirement_rule_for(group: str) -> RetirementRule:
    row = RetirementAgeRule.objects.filter(group=group).first()
    if row is None:
        raise ParameterMissing(f"退休年龄规则 {group} 未设置")
    return RetirementRule(
        row.pivot_birth_month, row.base_age_months, row.step_birth_months, row.target_age_months
    )


def _latest_rows(model, period: int):
    """The rows of an effective-dated table in force in `period`: those of the latest effective_from ≤ it."""
    start = (
        model.objects.filter(effective_from__lte=period)
        .order_by("-effective_from")
        .values_list("effective_from", flat=True)
        .first()
    )
    return model.objects.filter(effective_from=start) if start is not None else model.objects.none()


def divisor_table(*, period: int) -> dict[int, Decimal]:
    """Age in whole years → 计发月数, the table in force in `period`."""
    return dict(_latest_rows(AccountPensionDivisor, period).values_list("age_years", "months"))


def account_pension_divisor_for(*, age_months: int, period: int) -> Decimal:
    """The divisor for a retirement at `age_months` in `period` (interpolated by month unless the office set
    divisor_interpolation = whole_years). Raises ParameterMissing naming the age that has no row."""
    table = divisor_table(period=period)
    try:
        interpolation = policy_value(PolicySetting.Key.DIVISOR_INTERPOLATION, period=period)
    except ParameterMissing:
        interpolation = "linear"
    try:
        return rules.account_pension_divisor(table, age_months, interpolation=interpolation)
    except KeyError as exc:
        raise ParameterMissing(
            _("%(period)s 期退休年龄 %(age)s 周岁的计发月数未设置")
            % {"period": Period(period).label(), "age": exc.args[0]}
        ) from None


def disability_grant_months_for(*, grade: int, period: int) -> int:
    row = _latest_rows(DisabilityGrantMonths, period).filter(grade=grade).first()
    if row is None:
        raise ParameterMissing(
            _("%(period)s 期伤残等级 %(grade)s 级的一次性伤残补助金月数未设置")
            % {"period": Period(period).label(), "grade": grade}
        )
    return row.months


def maternity_entitlement_for(
    *, delivery_type: str, period: int, babies: int = 1, pregnancy_months: int = 0
) -> rules.MaternityEntitlement:
    """Leave days and the medical-cost limit for a delivery in `period`, from the leave-days table."""
    table = {
        kind: (days, limit)
        for kind, days, limit in _latest_rows(MaternityRule, period).values_list(
            "kind", "leave_days", "cost_limit"
        )
    }
    try:
        return rules.maternity_entitlement(
            table, delivery_type, babies=babies, pregnancy_months=pregnancy_months
        )
    except KeyError as exc:
        raise ParameterMissing(
            _("%(period)s 期产假天数表缺少「%(kind)s」")
            % {"period": Period(period).label(), "kind": MaternityRule.Kind(exc.args[0]).label}
        ) from None


def min_contribution_years_for(*, period: int) -> Decimal:
    """Minimum contribution years for a retirement in `period` (15, rising from 2030: data)."""
    return policy_decimal(PolicySetting.Key.MIN_CONTRIBUTION_YEARS, period=period)


# ===============================================================================================================
# Reads for the query pages (Q03–Q11, Q17–Q19) and the office. Every function takes the acting employer or
# person explicitly, so scoping is done here; pass `request.user.employer` / `request.user.person`, never an id
# from the URL. Amounts are Decimal; periods int YYYYMM; dates datetime.date.


def rounding_rule(period: int) -> str:
    """The rounding rule in force in `period` (half_up when none is set)."""
    try:
        return policy_value(PolicySetting.Key.ROUNDING_RULE, period=period)
    except ParameterMissing:
        return "half_up"


def base_year_of(period: Period | int) -> int:
    """The base year a period belongs to (the base year's first month is a parameter, January by default)."""
    period = Period(int(period))
    try:
        first_month = policy_int(PolicySetting.Key.BASE_YEAR_FIRST_MONTH, period=int(period))
    except ParameterMissing:
        first_month = 1
    return period.year if period.month >= first_month else period.year - 1


def settlement_parameters_missing(period: int) -> list[str]:
    """What a settlement of `period` needs and does not find, each named in Chinese with where to set it (money.md
    'When the record changes': a period may only be settled when every parameter for its date exists; never
    borrow another year's values). Empty when everything is there."""
    missing: list[str] = []
    label = Period(int(period)).label()
    year = base_year_of(period)
    try:
        rate_table(int(period))
    except ParameterMissing as exc:
        missing.append(_("%(what)s（参数维护·缴费比例）") % {"what": exc.message})
    if not AverageWage.objects.filter(year=year).exists():
        missing.append(
            _("%(year)d 年度社会平均工资未设置（参数维护·社会平均工资，%(period)s 属于 %(year)d 基数年度）")
            % {"year": year, "period": label}
        )
    have = set(BaseLimit.objects.filter(base_year=year).values_list("insurance", flat=True))
    for insurance in Insurance:
        if insurance.value not in have:
            missing.append(
                _("%(year)d 年度%(insurance)s缴费基数上下限未设置（参数维护·缴费基数上下限）")
                % {"year": year, "insurance": insurance.label}
            )
    return missing


def rate_table(period: int) -> list[dict]:
    """Every rate in force in `period`, expanded per insurance × employer type × risk class.

    A row for the employer's own type beats the row for every type; a work-injury row without an employer rate
    takes the risk-class rate. Raises ParameterMissing naming what is missing."""
    rows: dict[tuple[str, str], InsuranceRate] = {}
    for row in InsuranceRate.objects.filter(effective_from__lte=period).order_by("effective_from"):
        rows[(row.insurance, row.employer_type)] = row  # later effective_from wins
    risk: dict[int, Decimal] = {}
    for row in RiskClassRate.objects.filter(effective_from__lte=period).order_by("effective_from"):
        risk[row.risk_class] = row.rate
    table = []
    for insurance in Insurance.values:
        for employer_type in EmployerType.values:
            row = rows.get((insurance, employer_type)) or rows.get((insurance, ""))
            if row is None:
                raise ParameterMissing(
                    _("%(period)s 期%(insurance)s险种缴费比例未设置")
                    % {"period": Period(period).label(), "insurance": Insurance(insurance).label}
                )
            for risk_class in RISK_CLASSES:
                employer_rate = row.employer_rate
                if employer_rate is None:
                    if risk_class not in risk:
                        raise ParameterMissing(
                            _("%(period)s 期工伤风险类别 %(cls)s 的费率未设置")
                            % {"period": Period(period).label(), "cls": risk_class}
                        )
                    employer_rate = risk[risk_class]
                table.append(
                    {
                        "insurance": insurance,
                        "employer_type": employer_type,
                        "risk_class": risk_class,
                        "employer_rate": employer_rate,
                        "individual_rate": row.individual_rate,
                    }
                )
    return table
