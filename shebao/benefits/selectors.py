"""Reads of the benefit ledgers (Q04–Q06) and work-injury cases (Q17), each given the acting employer or person."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from shebao.core.choices import Insurance
from shebao.core.money import ZERO, from_sum
from shebao.core.period import Period
from shebao.persons.models import Coverage

from .models import InjuryCase, InjuryPayment, MaternityPayment, PensionPayment

# --- Q04–Q06 benefits, Q17 injury cases -----------------------------------------------------------------------


def _benefit_qs(model, *, employer, period: int | None, search: str):
    qs = model.objects.filter(employer=employer).select_related("person")
    if period:
        qs = qs.filter(period=period)
    search = (search or "").strip()
    if search:
        qs = (
            qs.filter(person__id_number=search.upper())
            if search[:1] in "0123456789"
            else qs.filter(person__name__startswith=search)
        )
    return qs


def pension_payments(*, employer, period: int | None = None, search: str = "") -> QuerySet[PensionPayment]:
    """Q04: pension paid to the employer's retirees (components: basic, account, transitional, supplement)."""
    return _benefit_qs(PensionPayment, employer=employer, period=period, search=search).order_by(
        "person__name", "-period"
    )


def maternity_payments(
    *, employer, period: int | None = None, search: str = ""
) -> QuerySet[MaternityPayment]:
    """Q05: maternity payments (allowance, medical costs, total) of the employer's employees."""
    return _benefit_qs(MaternityPayment, employer=employer, period=period, search=search).order_by(
        "-paid_on", "id"
    )


def injury_payments(
    *, employer, period: int | None = None, search: str = "", item: str | None = None
) -> QuerySet[InjuryPayment]:
    """Q06: work-injury payments by cost item, with the case joined (case.case_number, case.accident_date)."""
    qs = _benefit_qs(InjuryPayment, employer=employer, period=period, search=search).select_related("case")
    if item:
        qs = qs.filter(item=item)
    return qs.order_by("-paid_on", "id")


@dataclass(frozen=True)
class BenefitTotals:
    period: int
    count: int
    total: Decimal
    by_component: dict[str, Decimal]  # component field/item → amount


def benefit_totals(*, employer, kind: str, period: int) -> BenefitTotals:
    """Per-period totals for Q04 (kind="pension": basic/account/transitional/supplement), Q05 ("maternity":
    allowance/medical_costs) and Q06 ("injury": per cost item)."""
    if kind == "pension":
        fields = ["basic_amount", "account_amount", "transitional_amount", "supplement_amount", "total"]
        agg = PensionPayment.objects.filter(employer=employer, period=period).aggregate(
            n=Count("id"), **{f: Sum(f) for f in fields}
        )
        return BenefitTotals(
            period, agg["n"], from_sum(agg["total"]), {f: from_sum(agg[f]) for f in fields[:-1]}
        )
    if kind == "maternity":
        fields = ["allowance", "medical_costs", "total"]
        agg = MaternityPayment.objects.filter(employer=employer, period=period).aggregate(
            n=Count("id"), **{f: Sum(f) for f in fields}
        )
        return BenefitTotals(
            period, agg["n"], from_sum(agg["total"]), {f: from_sum(agg[f]) for f in fields[:-1]}
        )
    if kind == "injury":
        rows = (
            InjuryPayment.objects.filter(employer=employer, period=period)
            .values("item")
            .annotate(s=Sum("amount"), n=Count("id"))
        )
        by_item = {r["item"]: from_sum(r["s"]) for r in rows}
        return BenefitTotals(period, sum(r["n"] for r in rows), sum(by_item.values(), ZERO), by_item)
    raise ValueError(kind)


def injury_cases(*, employer, status: str | None = None) -> QuerySet[InjuryCase]:
    """Q17: the employer's work-injury cases with their determination status (newest accident first)."""
    qs = InjuryCase.objects.filter(employer=employer).select_related("person")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-accident_date", "-id")


def injury_case_for(*, employer, case_id: int) -> InjuryCase:
    """One case of this employer (raise InjuryCase.DoesNotExist → 404 in the view for anyone else's)."""
    return InjuryCase.objects.select_related("person").get(employer=employer, pk=case_id)


def injury_covered_on(*, person, employer, day: dt.date) -> bool:
    """Whether `person` was insured for work injury at `employer` in the month of `day` (a coverage started
    by then and not stopped; stop exclusive) — the condition for filing a work-injury case (H13, office)."""
    period = Period.from_date(day).value
    return (
        Coverage.objects.filter(person=person, employer=employer, insurance=Insurance.INJURY)
        .filter(Q(start_period__lte=period), Q(stop_period__isnull=True) | Q(stop_period__gt=period))
        .exists()
    )


def retiree_pension(*, person) -> PensionPayment | None:
    """Q14: the person's most recent monthly pension payment."""
    return PensionPayment.objects.filter(person=person).order_by("-period").first()


# --- the initial pension (H12, the demo) ------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexYear:
    """One base year of the contribution index: its paid months, their bases and that year's average wage."""

    year: int
    months: int
    base_total: Decimal
    average_wage_year: int  # the year whose average wage was used (the earliest published one before it)
    average_wage: Decimal
    ratio_total: Decimal  # Σ base ÷ average wage over the year's months (unrounded)


@dataclass(frozen=True)
class PensionComputation:
    """The initial pension with every input and intermediate figure (money.md 'Initial pension')."""

    person_id: int
    birth_date: dt.date
    retirement_date: dt.date
    start_period: int  # the first month paid: the month after the retirement date
    age_months: int
    average_wage_year: int  # A's year: the year before retirement
    average_wage: Decimal  # A
    paid_months: int
    index_years: tuple[IndexYear, ...]
    contribution_index: Decimal  # I, 4 decimals
    basic: Decimal  # (A + A × I) / 2 × N × 1 %
    balance_at: object  # individual_accounts.selectors.PensionBalanceAt
    divisor: Decimal
    account: Decimal  # balance ÷ divisor
    rounding: str

    @property
    def contribution_years(self) -> Decimal:
        """N = paid months ÷ 12 (shown to 2 decimals; the basic pension uses the exact months)."""
        return (Decimal(self.paid_months) / 12).quantize(Decimal("0.01"))

    @property
    def age_label(self) -> str:
        years, months = divmod(self.age_months, 12)
        return f"{years}岁{months}个月" if months else f"{years}岁"

    @property
    def balance(self) -> Decimal:
        return self.balance_at.balance

    @property
    def total(self) -> Decimal:
        return self.basic + self.account


def age_in_months(birth_date: dt.date, day: dt.date) -> int:
    """Whole months of age on `day` (a month is complete on the birth day's date)."""
    months = (day.year - birth_date.year) * 12 + (day.month - birth_date.month)
    return months - (1 if day.day < birth_date.day else 0)


def pension_paid_months(*, person) -> dict[int, Decimal]:
    """Period → the month's pension base, over every month credited to the person's pension account (a paid
    month, any employer). The base of a month is its latest pension line at each employer (an adjustment line
    carries the new base, a back-payment line its own), summed over employers."""
    from shebao.contributions.models import ContributionLine
    from shebao.individual_accounts.models import PensionEntry

    credited = set(
        PensionEntry.objects.filter(person=person, kind=PensionEntry.Kind.CREDIT).values_list(
            "employer_id", "period"
        )
    )
    latest: dict[tuple[int, int], Decimal] = {}
    lines = ContributionLine.objects.filter(person=person, insurance=Insurance.PENSION).order_by("id")
    for employer_id, period, base in lines.values_list("employer_id", "period", "base"):
        if (employer_id, period) in credited:
            latest[(employer_id, period)] = base
    months: dict[int, Decimal] = {}
    for (_employer, period), base in latest.items():
        months[period] = months.get(period, ZERO) + base
    return months


def pension_computation(*, person, retirement_date: dt.date) -> PensionComputation:
    """The one computation of the initial pension (H12's check shows it, its approval records it, the demo
    uses it): A = the average wage of the year before retirement; I = the mean over paid months of base ÷ the
    average wage of the month's base year (the earliest published one for months before it), 4 decimals;
    N = paid months ÷ 12; basic = (A + A × I) / 2 × N × 1 %; the account part = the balance at the retirement
    date (individual_accounts.selectors.pension_balance_at: this year's interest so far included) ÷ the
    divisor of the age in years and months (the parameter table, interpolated). Raises ParameterMissing."""
    from shebao.individual_accounts.selectors import pension_balance_at
    from shebao.parameters.models import AverageWage, PolicySetting
    from shebao.parameters.selectors import (
        ParameterMissing,
        account_pension_divisor_for,
        average_wage_for,
        policy_int,
        rounding_rule,
    )

    from . import rules

    retire_period = Period.from_date(retirement_date).value
    rule = rounding_rule(retire_period)
    a_year = retirement_date.year - 1
    a = average_wage_for(year=a_year)
    wages = dict(AverageWage.objects.values_list("year", "monthly_amount"))
    earliest = min(wages)
    try:
        first_month = policy_int(PolicySetting.Key.BASE_YEAR_FIRST_MONTH, period=retire_period)
    except ParameterMissing:
        first_month = 1
    by_year: dict[int, list[Decimal]] = {}
    for period, base in pension_paid_months(person=person).items():
        year, month = divmod(period, 100)
        by_year.setdefault(year if month >= first_month else year - 1, []).append(base)
    index_years = []
    for year in sorted(by_year):
        used = year if year in wages else max([y for y in wages if y <= year], default=earliest)
        bases = by_year[year]
        total = sum(bases, ZERO)
        index_years.append(IndexYear(year, len(bases), total, used, wages[used], total / wages[used]))
    months = sum(y.months for y in index_years)
    index = (
        rules.contribution_index(sum((y.ratio_total for y in index_years), ZERO), months) if months else ZERO
    )
    basic = rules.basic_pension_for_months(a, index, months, rule)
    balance_at = pension_balance_at(person=person, day=retirement_date)
    age = age_in_months(person.birth_date, retirement_date)
    divisor = account_pension_divisor_for(age_months=age, period=retire_period)
    account = rules.account_pension(balance_at.balance, divisor, rule)
    return PensionComputation(
        person.pk, person.birth_date, retirement_date, (Period(retire_period) + 1).value, age, a_year, a,
        months, tuple(index_years), index, basic, balance_at, divisor, account, rule,
    )  # fmt: skip


def pension_award_of(*, person):
    from .models import PensionAward

    return PensionAward.objects.filter(person=person).first()


# --- maternity (H14, the office, the demo) -------------------------------------------------------------------


def employer_average_base(*, employer, birth_month: int) -> Decimal:
    """The employer's average monthly maternity base over the 12 periods before the birth month, adjustments
    included: each person-month counts with the base of its latest maternity line (a 补差 line carries the new
    base, a 补缴 line its own), months whose latest base is 0 (a coverage removed) not at all."""
    from django.db import connection
    from django.utils.translation import gettext as _

    from shebao.contributions.models import ContributionLine
    from shebao.core.errors import DomainError
    from shebao.core.money import round_money

    start, end = (Period(birth_month) - 12).value, (Period(birth_month) - 1).value
    line = ContributionLine._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"""SELECT SUM(l.base), COUNT(*) FROM {line} l
            WHERE l.employer_id = %s AND l.insurance = 'maternity' AND l.period BETWEEN %s AND %s AND l.base > 0
              AND l.id = (SELECT MAX(l2.id) FROM {line} l2 WHERE l2.person_id = l.person_id
                          AND l2.period = l.period AND l2.employer_id = l.employer_id
                          AND l2.insurance = 'maternity')""",
            [employer.pk, start, end],
        )
        total, heads = cur.fetchone()
    if not heads:
        raise DomainError(
            _("该单位生育前12个月没有生育保险缴费记录，无法计算生育津贴"), field="delivery_date"
        )
    return round_money(Decimal(str(total)) / heads)


@dataclass(frozen=True)
class MaternityQuote:
    leave_days: int
    cost_limit: Decimal
    average_base: Decimal
    allowance: Decimal


def maternity_quote(
    *,
    employer,
    delivery_date: dt.date,
    delivery_type: str,
    babies: int = 1,
    pregnancy_months: int = 0,
    leave_days: int | None = None,
    average_base: Decimal | None = None,
) -> MaternityQuote:
    """The maternity allowance (money.md): leave days from the leave-days table by delivery type, the employer's
    average base of the 12 months before the birth month, allowance = average ÷ 30 × days. H14 shows it before
    submitting and its approval records it through maternity_payment_record, which calls this."""
    from shebao.parameters.selectors import maternity_entitlement_for, rounding_rule

    from . import rules

    birth_month = Period.from_date(delivery_date).value
    entitlement = maternity_entitlement_for(
        delivery_type=delivery_type, period=birth_month, babies=babies, pregnancy_months=pregnancy_months
    )
    days = entitlement.leave_days if leave_days is None else leave_days
    if average_base is None:
        average_base = employer_average_base(employer=employer, birth_month=birth_month)
    allowance = rules.maternity_allowance(average_base, days, rounding_rule(birth_month))
    return MaternityQuote(days, entitlement.cost_limit, average_base, allowance)


# --- work-injury disability grant (H15, the demo) -----------------------------------------------------------


@dataclass(frozen=True)
class DisabilityGrantQuote:
    grade: int
    months: int  # from the parameter table, by grade
    wage: Decimal  # the injured person's work-injury base at the accident month
    amount: Decimal


def disability_grant_quote(*, case: InjuryCase) -> DisabilityGrantQuote | None:
    """一次性伤残补助金 of a determined case with a disability grade: months of wage by grade (the parameter table
    in force at the determination) × the person's work-injury base in the accident's month; None without a grade
    or a base."""
    from shebao.parameters.selectors import disability_grant_months_for, rounding_rule
    from shebao.persons.models import ContributionBase

    from . import rules

    if not case.disability_grade:
        return None
    accident = Period.from_date(case.accident_date).value
    base = (
        ContributionBase.objects.filter(
            person_id=case.person_id, employer_id=case.employer_id, start_period__lte=accident
        )
        .order_by("-start_period")
        .values_list("base_injury", flat=True)
        .first()
    )
    if base is None:
        return None
    period = Period.from_date(case.determined_on or case.accident_date).value
    months = disability_grant_months_for(grade=case.disability_grade, period=period)
    return DisabilityGrantQuote(
        case.disability_grade, months, base, rules.disability_grant(base, months, rounding_rule(period))
    )
