"""Reads of contributions: payables, a person's contributions, arrivals, arrears, statements, settlement runs.

Each is given the acting employer or person so that scoping happens here. Which parameter applies is answered by
``shebao.parameters.selectors``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, QuerySet, Sum

from shebao.core.choices import Insurance
from shebao.core.money import ZERO, from_sum
from shebao.parameters.models import PolicySetting
from shebao.parameters.selectors import policy_decimal, rounding_rule

from . import rules
from .models import (
    Allocation,
    Arrival,
    ContributionLine,
    EmployerPeriod,
    Payable,
    SettlementRun,
)

# ===============================================================================================================
# Reads for the query pages (Q03–Q11, Q17–Q19) and the office. Every function takes the acting employer or
# person explicitly, so scoping is done here; pass `request.user.employer` / `request.user.person`, never an id
# from the URL. Amounts are Decimal; periods int YYYYMM; dates datetime.date.
# ===============================================================================================================


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
            if search[:1] in "0123456789"
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


def employer_credit(*, employer) -> Decimal:
    """Money received but not yet allocated (overpayment kept as credit)."""
    agg = Arrival.objects.filter(employer=employer).aggregate(a=Sum("amount"), b=Sum("allocated"))
    return from_sum(agg["a"]) - from_sum(agg["b"])


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
                rounding_rule(ep.period),
            )
        rows.append(
            ArrearsRow(
                ep.period, ep.amount_due, paid_amount, max(owed, ZERO), ep.due_date, days, late, outstanding
            )
        )
    return Arrears(as_of=as_of, rows=rows)


def employers_in_arrears(*, as_of: dt.date) -> QuerySet[EmployerPeriod]:
    """Office: every employer period overdue and not fully paid (employer joined)."""
    return (
        EmployerPeriod.objects.filter(due_date__lt=as_of, paid_on__isnull=True, amount_due__gt=0)
        .select_related("employer")
        .order_by("employer__number", "period")
    )


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
