"""Reads of the contributions app.

Parameters: one place answers 'which rate / limit applies to this employer, insurance, period'.
Then the reads the query pages and the office use (payables, arrivals, arrears, accounts, benefits), each given
the acting employer or person so that scoping happens here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet, Sum

from shebao.core.choices import Insurance
from shebao.core.errors import DomainError
from shebao.core.money import ZERO, round_money
from shebao.core.period import Period
from shebao.persons.models import Coverage

from . import rules
from .models import (
    Allocation,
    Arrival,
    AverageWage,
    BaseLimit,
    ContributionLine,
    CreditedInterestRate,
    EmployerPeriod,
    InjuryCase,
    InjuryPayment,
    InsuranceRate,
    InterestClosing,
    MaternityPayment,
    MedicalEntry,
    Payable,
    PensionEntry,
    PensionPayment,
    PensionYear,
    PolicySetting,
    Refund,
    RetirementAgeRule,
    RiskClassRate,
    SettlementRun,
)
from .rules import RetirementRule


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


# ===============================================================================================================
# Reads for the query pages (Q03–Q11, Q17–Q19) and the office. Every function takes the acting employer or
# person explicitly, so scoping is done here; pass `request.user.employer` / `request.user.person`, never an id
# from the URL. Amounts are Decimal; periods int YYYYMM; dates datetime.date.
# ===============================================================================================================


def _dec(value) -> Decimal:
    """A Sum() result as an exact two-place Decimal (SQLite sums REALs)."""
    return round_money(Decimal(value)) if value is not None else ZERO


# --- Q03 payables ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PayableRow:
    insurance: str  # Insurance value; label via Insurance(insurance).label
    employer_amount: Decimal
    individual_amount: Decimal
    headcount: int

    @property
    def total(self) -> Decimal:
        return self.employer_amount + self.individual_amount

    @property
    def label(self) -> str:
        return str(Insurance(self.insurance).label)


@dataclass(frozen=True)
class PayableSummary:
    period: int
    rows: list[PayableRow]  # in Insurance order, only insurances with a payable
    employer_amount: Decimal
    individual_amount: Decimal
    status: EmployerPeriod | None  # due, paid, due_date, paid_on; None if the period was never settled

    @property
    def total(self) -> Decimal:
        return self.employer_amount + self.individual_amount


def payables_for(*, employer, period: int) -> PayableSummary:
    """Q03: the employer's payables of one period, a row per insurance (employer part, individual part, total)
    plus totals and the period's paid state. Reads the stored totals (one small query each)."""
    by_ins = {p.insurance: p for p in Payable.objects.filter(employer=employer, period=period)}
    rows = [
        PayableRow(ins, by_ins[ins].employer_amount, by_ins[ins].individual_amount, by_ins[ins].headcount)
        for ins in Insurance.values
        if ins in by_ins
    ]
    return PayableSummary(
        period=period,
        rows=rows,
        employer_amount=sum((r.employer_amount for r in rows), ZERO),
        individual_amount=sum((r.individual_amount for r in rows), ZERO),
        status=EmployerPeriod.objects.filter(employer=employer, period=period).first(),
    )


def payable_lines(
    *, employer, period: int, insurance: str | None = None, search: str = ""
) -> QuerySet[ContributionLine]:
    """Q03 drill-down: the per-person lines behind a payable (regular and adjustment), with `person` joined.
    Filter by insurance; `search` matches the ID number exactly or the name by prefix. Order: person name.
    Paginate in the view; `.aggregate(Sum(...))` on it gives the figure the row showed."""
    qs = ContributionLine.objects.filter(employer=employer, period=period).select_related("person")
    if insurance:
        qs = qs.filter(insurance=insurance)
    search = (search or "").strip()
    if search:
        qs = (
            qs.filter(person__id_number=search.upper())
            if search[:1].isdigit()
            else qs.filter(person__name__startswith=search)
        )
    return qs.order_by("person__name", "person_id", "insurance", "id")


def employer_periods(
    *, employer, start: int | None = None, end: int | None = None
) -> QuerySet[EmployerPeriod]:
    """Every settled period of the employer with amount_due / amount_paid / due_date / paid_on (newest first)."""
    qs = EmployerPeriod.objects.filter(employer=employer)
    if start:
        qs = qs.filter(period__gte=start)
    if end:
        qs = qs.filter(period__lte=end)
    return qs.order_by("-period")


# --- Q09 a person's contributions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonMonth:
    period: int
    employer_id: int
    insurance: str
    base: Decimal
    employer_amount: Decimal
    individual_amount: Decimal
    paid: bool  # the employer period is fully paid
    paid_on: dt.date | None


def person_contributions(*, person, start: int, end: int, employer=None) -> list[PersonMonth]:
    """Q09: one person's contributions month by month and per insurance over [start, end], with the arrival
    state of the employer period. Give `employer` when an employer operator asks (only its own lines)."""
    qs = ContributionLine.objects.filter(person=person, period__gte=start, period__lte=end)
    if employer is not None:
        qs = qs.filter(employer=employer)
    grouped: dict[tuple[int, int, str], list[ContributionLine]] = {}
    for line in qs.order_by("period", "insurance", "id"):
        grouped.setdefault((line.period, line.employer_id, line.insurance), []).append(line)
    status = {
        (ep.employer_id, ep.period): ep
        for ep in EmployerPeriod.objects.filter(
            employer_id__in={k[1] for k in grouped}, period__gte=start, period__lte=end
        )
    }
    result = []
    for (period, employer_id, insurance), lines in grouped.items():
        ep = status.get((employer_id, period))
        result.append(
            PersonMonth(
                period=period,
                employer_id=employer_id,
                insurance=insurance,
                base=lines[-1].base if lines[-1].base else lines[0].base,
                employer_amount=sum((ln.employer_amount for ln in lines), ZERO),
                individual_amount=sum((ln.individual_amount for ln in lines), ZERO),
                paid=bool(ep and ep.paid_on),
                paid_on=ep.paid_on if ep else None,
            )
        )
    return result


# --- Q10 arrivals ---------------------------------------------------------------------------------------------


def arrivals_for(*, employer, start: dt.date | None = None, end: dt.date | None = None) -> QuerySet[Arrival]:
    """Q10: the employer's arrivals (newest first) with their allocations prefetched
    (`arrival.allocations.all()` → period, amount, days_late, surcharge); `arrival.credit` is what is left."""
    qs = Arrival.objects.filter(employer=employer)
    if start:
        qs = qs.filter(received_on__gte=start)
    if end:
        qs = qs.filter(received_on__lte=end)
    return qs.prefetch_related("allocations").order_by("-received_on", "-id")


def arrivals_for_periods(*, employer, start: int, end: int) -> QuerySet[Allocation]:
    """Q10 by period: allocations to periods in [start, end] with their arrival (date, reference)."""
    return (
        Allocation.objects.filter(employer=employer, period__gte=start, period__lte=end)
        .select_related("arrival")
        .order_by("-period", "applied_on", "id")
    )


@dataclass(frozen=True)
class Credit:
    unallocated: Decimal  # what the employer's arrivals left unallocated
    refunded: Decimal  # paid back (退费)
    credit: Decimal  # the overpayment still held: unallocated − refunded


def employer_credit_summary(*, employer) -> Credit:
    agg = Arrival.objects.filter(employer=employer).aggregate(a=Sum("amount"), b=Sum("allocated"))
    unallocated = _dec(agg["a"]) - _dec(agg["b"])
    refunded = _dec(Refund.objects.filter(employer=employer).aggregate(s=Sum("amount"))["s"])
    return Credit(unallocated, refunded, unallocated - refunded)


def employer_credit(*, employer) -> Decimal:
    """The overpayment kept as credit (溢缴): money received and not allocated, less what was refunded."""
    return employer_credit_summary(employer=employer).credit


def unallocated_in_periods(*, employer, start: int, end: int) -> Decimal:
    """What arrivals received in the months [start, end], or naming a period in it, left unallocated."""
    first, last = Period(start).first_day(), Period(end).last_day()
    agg = (
        Arrival.objects.filter(employer=employer)
        .filter(Q(received_on__gte=first, received_on__lte=last) | Q(period__gte=start, period__lte=end))
        .aggregate(a=Sum("amount"), b=Sum("allocated"))
    )
    return _dec(agg["a"]) - _dec(agg["b"])


def refunds_for(*, employer) -> QuerySet[Refund]:
    """The employer's refunds, newest first (Q10)."""
    return Refund.objects.filter(employer=employer).order_by("-refunded_on", "-id")


# --- Q11 arrears and late surcharge ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ArrearsRow:
    period: int
    amount_due: Decimal
    paid: Decimal  # allocated up to as_of
    owed: Decimal
    due_date: dt.date
    days_overdue: int  # for the amount still owed, as of the date
    surcharge_paid_late: Decimal  # on parts paid after the due date (up to as_of)
    surcharge_outstanding: Decimal  # on what is still owed, from the day after due to as_of

    @property
    def surcharge(self) -> Decimal:
        return self.surcharge_paid_late + self.surcharge_outstanding


@dataclass
class Arrears:
    as_of: dt.date
    rows: list[ArrearsRow] = field(default_factory=list)

    @property
    def owed(self) -> Decimal:
        return sum((r.owed for r in self.rows), ZERO)

    @property
    def surcharge(self) -> Decimal:
        return sum((r.surcharge for r in self.rows), ZERO)


def arrears_for(*, employer, as_of: dt.date, include_paid_late: bool = False) -> Arrears:
    """Q11: periods due before `as_of` that were not fully paid by `as_of`, with the amount owed and the late
    surcharge (0.05 %/day by default) on it counted from the day after the due date to `as_of`, plus the surcharge
    on parts paid late. include_paid_late=True also lists periods paid in full but late (surcharge only).
    Only arrivals received on or before `as_of` count, so any past date can be asked."""
    eps = list(
        EmployerPeriod.objects.filter(employer=employer, due_date__lt=as_of, amount_due__gt=0).order_by(
            "period"
        )
    )
    paid: dict[int, list[Allocation]] = {}
    for a in Allocation.objects.filter(
        employer=employer, applied_on__lte=as_of, period__in=[e.period for e in eps]
    ):
        paid.setdefault(a.period, []).append(a)
    rows = []
    for ep in eps:
        allocations = paid.get(ep.period, [])
        paid_amount = sum((a.amount for a in allocations), ZERO)
        owed = ep.amount_due - paid_amount
        late = sum((a.surcharge for a in allocations), ZERO)
        if owed <= 0 and not (include_paid_late and late > 0):
            continue
        days = rules.days_late(ep.due_date, as_of) if owed > 0 else 0
        outstanding = ZERO
        if owed > 0:
            outstanding = rules.late_surcharge(
                owed,
                days,
                policy_decimal(PolicySetting.Key.LATE_SURCHARGE_DAILY_RATE, period=ep.period),
                _rule(ep.period),
            )
        rows.append(
            ArrearsRow(
                ep.period, ep.amount_due, paid_amount, max(owed, ZERO), ep.due_date, days, late, outstanding
            )
        )
    return Arrears(as_of=as_of, rows=rows)


def _rule(period: int) -> str:
    try:
        return policy_value(PolicySetting.Key.ROUNDING_RULE, period=period)
    except ParameterMissing:
        return "half_up"


def employers_in_arrears(*, as_of: dt.date) -> QuerySet[EmployerPeriod]:
    """Office: every employer period overdue and not fully paid (employer joined)."""
    return (
        EmployerPeriod.objects.filter(due_date__lt=as_of, paid_on__isnull=True, amount_due__gt=0)
        .select_related("employer")
        .order_by("employer__number", "period")
    )


# --- Q07 pension account --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PensionAccountYear:
    year: int
    opening: Decimal
    months_credited: int
    credits: Decimal
    interest: Decimal | None  # None while the year is not closed
    closing: Decimal | None
    rate: Decimal | None
    closed: bool
    monthly: list[tuple[int, Decimal]]  # (month 1–12, credited amount) — credits only, summed per month
    entries: list[PensionEntry]


def pension_account_year(*, person, year: int) -> PensionAccountYear:
    """Q07: one person's pension account in `year`. A closed year shows the stored closing; an open year shows
    the opening (last closing plus balances brought in) and the credits so far, without interest."""
    entries = list(PensionEntry.objects.filter(person=person, year=year).order_by("month", "id"))
    monthly: dict[int, Decimal] = {}
    for e in entries:
        if e.kind == PensionEntry.Kind.CREDIT:
            monthly[e.month] = monthly.get(e.month, ZERO) + e.amount
    closed = PensionYear.objects.filter(person=person, year=year).first()
    if closed:
        return PensionAccountYear(
            year, closed.opening, closed.months_credited, closed.credits, closed.interest, closed.closing,
            closed.rate, True, sorted(monthly.items()), entries,
        )  # fmt: skip
    previous = PensionYear.objects.filter(person=person, year__lt=year).order_by("-year").first()
    opening = (previous.closing if previous else ZERO) + sum(
        (e.amount for e in entries if e.kind == PensionEntry.Kind.OPENING), ZERO
    )
    if previous is None:  # never closed: everything credited before this year is part of the opening
        before = PensionEntry.objects.filter(person=person, year__lt=year).aggregate(s=Sum("amount"))["s"]
        opening += _dec(before)
    credits = sum(monthly.values(), ZERO)
    return PensionAccountYear(
        year, opening, len(monthly), credits, None, None, None, False, sorted(monthly.items()), entries
    )


def pension_balance(*, person) -> Decimal:
    """The account balance now: the last closing plus everything credited after it (interest not yet due)."""
    last = PensionYear.objects.filter(person=person).order_by("-year").first()
    qs = PensionEntry.objects.filter(person=person)
    if last:
        qs = qs.filter(year__gt=last.year)
    return (last.closing if last else ZERO) + _dec(qs.aggregate(s=Sum("amount"))["s"])


def latest_interest_rate(*, up_to_year: int) -> tuple[int, Decimal]:
    """The latest published credited interest rate of a year ≤ `up_to_year`: (its year, rate)."""
    row = CreditedInterestRate.objects.filter(year__lte=up_to_year).order_by("-year").first()
    if row is None:
        raise ParameterMissing(f"{up_to_year} 年及以前的记账利率未设置")
    return row.year, row.rate


@dataclass(frozen=True)
class PensionBalanceAt:
    """A pension account's balance at a date, with every figure of its computation (for a certificate)."""

    day: dt.date
    closed_year: int | None  # the person's last closed year before the day's year
    closed_balance: Decimal  # its closing balance (0 without one)
    carried: Decimal  # credits and balances brought in after it, booked in earlier years
    opening: Decimal  # closed_balance + carried + this year's balances brought in
    credits: tuple[tuple[int, Decimal], ...]  # this year's credits by month (1–12), up to the day
    credits_total: Decimal
    months: int  # k: the months of this year up to the day
    rate_year: int
    rate: Decimal  # the latest credited rate r
    interest: Decimal  # this year's interest so far
    balance: Decimal


def pension_balance_at(*, person, day: dt.date) -> PensionBalanceAt:
    """The balance at a date (money.md 'balance at retirement': H12's retirement, H17's transfer out): the closing
    balance of the last closed year plus the credits since, plus this year's interest so far at the latest
    credited rate r: opening × r × k/12 + Σ credit_m × r × (k + 1 − m)/12 over the months m ≤ k credited this
    year, k = the day's month; rounded to 0.01 by the period's rounding rule. Only entries credited by the day
    count."""
    year, k = day.year, day.month
    closed = PensionYear.objects.filter(person=person, year__lt=year).order_by("-year").first()
    entries = PensionEntry.objects.filter(person=person, year__lte=year, credited_on__lte=day)
    if closed is not None:
        entries = entries.filter(year__gt=closed.year)
    closed_balance = closed.closing if closed is not None else ZERO
    carried, brought_in = ZERO, ZERO
    monthly: dict[int, Decimal] = {}
    for entry_year, month, kind, amount in entries.values_list("year", "month", "kind", "amount"):
        if entry_year < year:
            carried += amount
        elif kind == PensionEntry.Kind.OPENING:
            brought_in += amount
        else:
            monthly[month] = monthly.get(month, ZERO) + amount
    opening = closed_balance + carried + brought_in
    credits = tuple(sorted(monthly.items()))
    credits_total = sum(monthly.values(), ZERO)
    rate_year, rate = latest_interest_rate(up_to_year=year)
    interest = rules.interest_to_month(opening, list(credits), rate, k, _rule(year * 100 + k))
    return PensionBalanceAt(
        day, closed.year if closed else None, closed_balance, carried, opening, credits, credits_total, k,
        rate_year, rate, interest, opening + credits_total + interest,
    )  # fmt: skip


def interest_closings() -> QuerySet[InterestClosing]:
    return InterestClosing.objects.order_by("-year")


# --- Q08 medical account --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MedicalAccountYear:
    year: int
    opening: Decimal
    credits: Decimal
    debits: Decimal  # positive figure of spending
    closing: Decimal
    entries: list[MedicalEntry]


def medical_account_year(*, person, year: int) -> MedicalAccountYear:
    """Q08: one person's medical account in `year`: opening, credits, spending, closing, and the entries."""
    first, last = year * 100 + 1, year * 100 + 12
    opening = _dec(
        MedicalEntry.objects.filter(person=person, period__lt=first).aggregate(s=Sum("amount"))["s"]
    )
    entries = list(
        MedicalEntry.objects.filter(person=person, period__gte=first, period__lte=last).order_by(
            "entry_date", "id"
        )
    )
    credits = sum((e.amount for e in entries if e.amount > 0), ZERO)
    debits = -sum((e.amount for e in entries if e.amount < 0), ZERO)
    return MedicalAccountYear(year, opening, credits, debits, opening + credits - debits, entries)


def medical_balance(*, person, as_of: dt.date | None = None) -> Decimal:
    qs = MedicalEntry.objects.filter(person=person)
    if as_of is not None:
        qs = qs.filter(entry_date__lte=as_of)
    return _dec(qs.aggregate(s=Sum("amount"))["s"])


# --- Q04–Q06 benefits, Q17 injury cases -----------------------------------------------------------------------


def _benefit_qs(model, *, employer, period: int | None, search: str):
    qs = model.objects.filter(employer=employer).select_related("person")
    if period:
        qs = qs.filter(period=period)
    search = (search or "").strip()
    if search:
        qs = (
            qs.filter(person__id_number=search.upper())
            if search[:1].isdigit()
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
        return BenefitTotals(period, agg["n"], _dec(agg["total"]), {f: _dec(agg[f]) for f in fields[:-1]})
    if kind == "maternity":
        fields = ["allowance", "medical_costs", "total"]
        agg = MaternityPayment.objects.filter(employer=employer, period=period).aggregate(
            n=Count("id"), **{f: Sum(f) for f in fields}
        )
        return BenefitTotals(period, agg["n"], _dec(agg["total"]), {f: _dec(agg[f]) for f in fields[:-1]})
    if kind == "injury":
        rows = (
            InjuryPayment.objects.filter(employer=employer, period=period)
            .values("item")
            .annotate(s=Sum("amount"), n=Count("id"))
        )
        by_item = {r["item"]: _dec(r["s"]) for r in rows}
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


# --- Q18 annual statement, Q19 trends -------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementMonth:
    period: int
    amount_due: Decimal
    arrived: Decimal  # allocated to this period
    owed: Decimal
    headcount: int  # persons with a pension (else any) regular line
    paid_on: dt.date | None


def annual_statement(*, employer, year: int) -> list[StatementMonth]:
    """Q18: per month of `year`: payables, money allocated, still owed, headcount. Three queries."""
    first, last = year * 100 + 1, year * 100 + 12
    eps = {
        e.period: e
        for e in EmployerPeriod.objects.filter(employer=employer, period__gte=first, period__lte=last)
    }
    heads: dict[int, int] = {}
    for row in (
        Payable.objects.filter(employer=employer, period__gte=first, period__lte=last)
        .values("period")
        .annotate(h=Max("headcount"))
    ):
        heads[row["period"]] = row["h"]
    result = []
    for month in range(1, 13):
        p = year * 100 + month
        ep = eps.get(p)
        if ep is None:
            continue
        result.append(
            StatementMonth(
                p, ep.amount_due, ep.amount_paid, ep.amount_due - ep.amount_paid, heads.get(p, 0), ep.paid_on
            )
        )
    return result


@dataclass(frozen=True)
class TrendPoint:
    period: int
    headcount: int
    base_total: Decimal  # pension base total (the widest insurance)
    by_insurance: dict[str, Decimal]  # insurance → employer + individual amount


def payable_trend(*, employer, start: int, end: int) -> list[TrendPoint]:
    """Q19: per period in [start, end]: headcount, total base and payables per insurance (one query)."""
    points: dict[int, dict] = {}
    for p in Payable.objects.filter(employer=employer, period__gte=start, period__lte=end).order_by("period"):
        point = points.setdefault(p.period, {"headcount": 0, "base": ZERO, "by": {}})
        point["headcount"] = max(point["headcount"], p.headcount)
        if p.insurance == Insurance.PENSION or not point["base"]:
            point["base"] = max(point["base"], p.base_total)
        point["by"][p.insurance] = p.employer_amount + p.individual_amount
    return [TrendPoint(k, v["headcount"], v["base"], v["by"]) for k, v in sorted(points.items())]


# --- Office ---------------------------------------------------------------------------------------------------


def settlement_runs(*, limit: int = 50) -> QuerySet[SettlementRun]:
    return SettlementRun.objects.select_related("started_by").order_by("-created_at", "-id")[:limit]
