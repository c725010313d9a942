"""Reads of contributions: payables, a person's contributions, arrivals, arrears, statements, settlement runs.

Each is given the acting employer or person so that scoping happens here. Which parameter applies is answered by
``shebao.parameters.selectors``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Max, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from shebao.core.choices import Insurance
from shebao.core.money import ZERO, format_money, from_sum, round_money
from shebao.core.period import Period
from shebao.individual_accounts.models import InterestClosing
from shebao.parameters.models import PolicySetting
from shebao.parameters.selectors import policy_decimal, rate_table, rounding_rule, row_is_used

from . import rules
from .models import (
    Allocation,
    Arrival,
    ContributionLine,
    EmployerPeriod,
    Payable,
    Refund,
    SettlementMark,
    SettlementRun,
    SurchargeWaiver,
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
    pending_recalc: bool = False  # an approved record change waits to be carried into this period

    @property
    def total(self) -> Decimal:
        return self.employer_amount + self.individual_amount

    @property
    def outstanding(self) -> Decimal:
        """What is still owed for the period (after a 补差 on a paid period: only the difference)."""
        if self.status is None:
            return ZERO
        return max(self.status.amount_due - self.status.amount_paid, ZERO)


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
        pending_recalc=SettlementMark.objects.filter(
            employer=employer, period=period, run__isnull=True
        ).exists(),
    )


@dataclass(frozen=True)
class MarkedPeriod:
    period: int
    employers: list  # [(employer number, name, reason, marked at)]


def settlement_marks_pending(*, limit: int = 200) -> list[MarkedPeriod]:
    """The office settlement page: employer × periods whose settled money waits for a record change to be
    carried in (the next run re-settles them), by period, the first `limit` employers of each."""
    by_period: dict[int, list] = {}
    for mark in (
        SettlementMark.objects.filter(run__isnull=True)
        .select_related("employer")
        .order_by("period", "employer__number")
    ):
        rows = by_period.setdefault(mark.period, [])
        if len(rows) < limit:
            rows.append((mark.employer.number, mark.employer.name, mark.reason, mark.created_at))
    return [MarkedPeriod(period, rows) for period, rows in sorted(by_period.items())]


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
    # After a 补差 on a paid period: the difference still owed for this person-month (the rest was paid).
    outstanding: Decimal = ZERO
    back_payment: bool = False  # declared late for this month (H11 补缴)

    @property
    def state(self) -> str:
        if self.paid:
            return _("已到账")
        if self.outstanding:
            return _("已到账，补差 %(amount)s 未缴") % {"amount": format_money(self.outstanding)}
        return _("未到账")


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
    # Employer periods paid before a 补差: what the adjustments added is what is still owed.
    adjusted = {
        (row["employer_id"], row["period"]): row["total"]
        for row in ContributionLine.objects.filter(
            kind="adjustment",
            employer_id__in={k[1] for k in grouped},
            period__gte=start,
            period__lte=end,
        )
        .values("employer_id", "period")
        .annotate(total=Sum(F("employer_amount") + F("individual_amount")))
    }

    def outstanding(ep, lines) -> Decimal | None:
        """None unless the period was paid before a 补差 (then: this person-month's difference still owed)."""
        if ep is None or ep.paid_on or not ep.amount_paid:
            return None
        adjustments = from_sum(adjusted.get((ep.employer_id, ep.period)))
        if adjustments <= 0 or ep.amount_paid < ep.amount_due - adjustments:
            return None  # not a paid period with a difference, but a part payment
        return max(sum((ln.total for ln in lines if ln.kind == "adjustment"), ZERO), ZERO)

    result = []
    for (period, employer_id, insurance), lines in grouped.items():
        ep = status.get((employer_id, period))
        owed = outstanding(ep, lines)
        result.append(
            PersonMonth(
                period=period,
                employer_id=employer_id,
                insurance=insurance,
                base=lines[-1].base if lines[-1].base else lines[0].base,
                employer_amount=sum((ln.employer_amount for ln in lines), ZERO),
                individual_amount=sum((ln.individual_amount for ln in lines), ZERO),
                paid=bool(ep and ep.paid_on) or owed == ZERO,
                paid_on=ep.paid_on if ep else None,
                outstanding=owed or ZERO,
                back_payment=any(ln.kind == "back_payment" for ln in lines),
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
    unallocated = from_sum(agg["a"]) - from_sum(agg["b"])
    refunded = from_sum(Refund.objects.filter(employer=employer).aggregate(s=Sum("amount"))["s"])
    return Credit(unallocated, refunded, unallocated - refunded)


def employer_credit(*, employer) -> Decimal:
    """The overpayment kept as credit (溢缴): money received and not allocated, less what was refunded."""
    return employer_credit_summary(employer=employer).credit


def overpaid_in_periods(*, employer, start: int, end: int) -> Decimal:
    """The overpayment of the periods [start, end] (H18): what arrivals received in those months, or naming one
    of those periods, left unallocated, less the refunds already made for periods overlapping them."""
    first, last = Period(start).first_day(), Period(end).last_day()
    agg = (
        Arrival.objects.filter(employer=employer)
        .filter(Q(received_on__gte=first, received_on__lte=last) | Q(period__gte=start, period__lte=end))
        .aggregate(a=Sum("amount"), b=Sum("allocated"))
    )
    refunded = Refund.objects.filter(employer=employer, period_from__lte=end, period_to__gte=start).aggregate(
        s=Sum("amount")
    )["s"]
    return from_sum(agg["a"]) - from_sum(agg["b"]) - from_sum(refunded)


def refunds_for(*, employer) -> QuerySet[Refund]:
    """The employer's refunds, newest first (Q10)."""
    return Refund.objects.filter(employer=employer).order_by("-refunded_on", "-id")


# --- Q11 arrears and late surcharge ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ArrearsRow:
    period: int
    amount_due: Decimal
    paid: Decimal  # contributions allocated up to as_of
    owed: Decimal
    due_date: dt.date
    days_overdue: int  # for the amount still owed, as of the date
    surcharge_paid_late: Decimal  # assessed on parts paid after the due date (up to as_of)
    surcharge_outstanding: Decimal  # accruing on what is still owed, from the day after due to as_of
    surcharge_paid: Decimal = ZERO  # assessed surcharge paid (up to as_of)
    surcharge_waived: Decimal = ZERO  # assessed surcharge waived by the office (up to as_of)

    @property
    def surcharge_assessed_owed(self) -> Decimal:
        """Assessed and neither paid nor waived."""
        return max(self.surcharge_paid_late - self.surcharge_paid - self.surcharge_waived, ZERO)

    @property
    def surcharge(self) -> Decimal:
        """Surcharge owed as of the date: assessed and unpaid, plus what accrues on the contributions owed."""
        return self.surcharge_assessed_owed + self.surcharge_outstanding


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

    @property
    def surcharge_paid(self) -> Decimal:
        return sum((r.surcharge_paid for r in self.rows), ZERO)

    @property
    def surcharge_waived(self) -> Decimal:
        return sum((r.surcharge_waived for r in self.rows), ZERO)


def arrears_for(*, employer, as_of: dt.date, include_paid_late: bool = False) -> Arrears:
    """Q11: periods due before `as_of` with contributions or assessed late surcharge still owed on `as_of`: the
    contributions owed and the surcharge accruing on them (0.05 %/day by default) from the day after the due date
    to `as_of`, the surcharge assessed on parts paid late, what of it was paid or waived (money.md's surcharge
    ledger). include_paid_late=True also lists periods settled in full, surcharge included (paid late).
    Only arrivals and waivers on or before `as_of` count, so any past date can be asked."""
    eps = list(
        EmployerPeriod.objects.filter(employer=employer, due_date__lt=as_of, amount_due__gt=0).order_by(
            "period"
        )
    )
    periods = [e.period for e in eps]
    paid: dict[int, list[Allocation]] = {}
    for a in Allocation.objects.filter(employer=employer, applied_on__lte=as_of, period__in=periods):
        paid.setdefault(a.period, []).append(a)
    waived: dict[int, Decimal] = {}
    for w in SurchargeWaiver.objects.filter(employer=employer, waived_on__lte=as_of, period__in=periods):
        waived[w.period] = waived.get(w.period, ZERO) + w.amount
    rows = []
    for ep in eps:
        allocations = paid.get(ep.period, [])
        contributions = [a for a in allocations if a.kind == Allocation.Kind.CONTRIBUTIONS]
        paid_amount = sum((a.amount for a in contributions), ZERO)
        owed = ep.amount_due - paid_amount
        late = sum((a.surcharge for a in contributions), ZERO)
        surcharge_paid = sum((a.amount for a in allocations if a.kind == Allocation.Kind.SURCHARGE), ZERO)
        surcharge_waived = waived.get(ep.period, ZERO)
        assessed_owed = late - surcharge_paid - surcharge_waived
        if owed <= 0 and assessed_owed <= 0 and not (include_paid_late and late > 0):
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
                ep.period,
                ep.amount_due,
                paid_amount,
                max(owed, ZERO),
                ep.due_date,
                days,
                late,
                outstanding,
                surcharge_paid,
                surcharge_waived,
            )
        )
    return Arrears(as_of=as_of, rows=rows)


def surcharge_owing() -> QuerySet[EmployerPeriod]:
    """Office: employer periods whose assessed late surcharge is not yet paid or waived, largest first."""
    return (
        EmployerPeriod.objects.filter(surcharge_assessed__gt=F("surcharge_paid") + F("surcharge_waived"))
        .select_related("employer")
        .annotate(surcharge_owed=F("surcharge_assessed") - F("surcharge_paid") - F("surcharge_waived"))
        .order_by("-surcharge_owed", "employer__number", "period")
    )


def surcharge_waivers() -> QuerySet[SurchargeWaiver]:
    """Office: the waivers, newest first, with who waived them."""
    return SurchargeWaiver.objects.select_related("employer", "waived_by").order_by("-created_at", "-id")


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
    surcharge_assessed: Decimal = ZERO
    surcharge_paid: Decimal = ZERO
    surcharge_waived: Decimal = ZERO


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
                p,
                ep.amount_due,
                ep.amount_paid,
                ep.amount_due - ep.amount_paid,
                heads.get(p, 0),
                ep.paid_on,
                ep.surcharge_assessed,
                ep.surcharge_paid,
                ep.surcharge_waived,
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


# --- policy parameters as settlement used them (the office's parameter pages) ---------------------------------
# A parameter row a finished settlement has used is never edited in place: a change is a new row from a later
# period (the rule: parameters.selectors.row_is_used).


def last_settled_period() -> int | None:
    """The latest period with a finished settlement run (None before the first one)."""
    return SettlementRun.objects.filter(status=SettlementRun.Status.DONE).aggregate(p=Max("period"))["p"]


def parameter_is_used(row, *, last_settled: int | None) -> bool:
    """parameters.selectors.row_is_used with what settlement and the interest closings know."""
    closed = set(InterestClosing.objects.values_list("year", flat=True))
    return row_is_used(row, last_settled=last_settled, closed_interest_years=closed)


@dataclass(frozen=True)
class CityTotal:
    insurance: str
    base_total: Decimal
    employer_amount: Decimal
    individual_amount: Decimal

    @property
    def total(self) -> Decimal:
        return self.employer_amount + self.individual_amount

    @property
    def label(self) -> str:
        return str(Insurance(self.insurance).label)


def city_totals_estimate(*, period: int) -> list[CityTotal]:
    """What `period` would cost the city per insurance: the latest settled period's bases (the stored payables'
    base totals per employer type × risk class × insurance) times the rates settlement would use in `period`
    (``parameters.selectors.rate_table``). Rounded per group, where settlement rounds per line, so the settled
    figures differ by cents."""
    latest = Payable.objects.aggregate(p=Max("period"))["p"]
    if latest is None:
        return []
    rates = {
        (r["insurance"], r["employer_type"], r["risk_class"]): (r["employer_rate"], r["individual_rate"])
        for r in rate_table(period)
    }
    sums: dict[str, list[Decimal]] = {}
    groups = (
        Payable.objects.filter(period=latest)
        .values_list("employer__employer_type", "employer__risk_class", "insurance")
        .annotate(bases=Sum("base_total"))
    )
    for employer_type, risk_class, insurance, bases in groups:
        employer_rate, individual_rate = rates[(insurance, employer_type, risk_class)]
        bases = from_sum(bases)
        row = sums.setdefault(insurance, [ZERO, ZERO, ZERO])
        row[0] += bases
        row[1] += round_money(bases * employer_rate)
        row[2] += round_money(bases * individual_rate)
    return [CityTotal(ins, *sums[ins]) for ins in Insurance.values if ins in sums]


# --- H11 back payment ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackPaymentLine:
    insurance: str
    base: Decimal
    employer_rate: Decimal
    individual_rate: Decimal
    employer_amount: Decimal
    individual_amount: Decimal


@dataclass(frozen=True)
class BackPaymentPeriod:
    period: int
    lines: tuple[BackPaymentLine, ...]
    due_date: dt.date  # the period's own due date
    days_late: int  # from the day after it to `as_of`
    surcharge: Decimal  # on the period's contributions, as of `as_of`

    @property
    def employer_amount(self) -> Decimal:
        return sum((li.employer_amount for li in self.lines), ZERO)

    @property
    def individual_amount(self) -> Decimal:
        return sum((li.individual_amount for li in self.lines), ZERO)

    @property
    def amount(self) -> Decimal:
        return self.employer_amount + self.individual_amount


@dataclass(frozen=True)
class BackPaymentQuote:
    as_of: dt.date
    periods: tuple[BackPaymentPeriod, ...]

    @property
    def amount(self) -> Decimal:
        return sum((p.amount for p in self.periods), ZERO)

    @property
    def surcharge(self) -> Decimal:
        return sum((p.surcharge for p in self.periods), ZERO)


def back_payment_quote(
    *, employer, periods: list[tuple[int, Decimal, tuple[str, ...]]], as_of: dt.date
) -> BackPaymentQuote:
    """What a back payment (H11) costs, per period: for each (period, declared wage, insurances) the base used
    (the wage clamped to that period's base-year limits, persons.services.clamped_bases), the rates of the period
    for this employer (parameters.selectors.rates_for) and both parts rounded by the settlement's rule
    (rules.contribution); the late surcharge on the period's total from the day after its own due date
    (rules.due_date, rules.days_late, rules.late_surcharge — what Q11 accrues) to `as_of`. The operator is shown
    it before submitting and back_payment_create writes exactly these lines. Raises ParameterMissing."""
    from shebao.parameters.selectors import base_year_of, policy_int, rates_for
    from shebao.persons.services import clamped_bases

    out = []
    for period, wage, insurances in periods:
        rule = rounding_rule(period)
        bases = clamped_bases(base_year=base_year_of(period), declared_wage=wage)
        lines = []
        for insurance in Insurance.values:
            if insurance not in insurances:
                continue
            employer_rate, individual_rate = rates_for(employer=employer, insurance=insurance, period=period)
            base = bases[insurance]
            lines.append(
                BackPaymentLine(
                    insurance, base, employer_rate, individual_rate,
                    rules.contribution(base, employer_rate, rule), rules.contribution(base, individual_rate, rule),
                )
            )  # fmt: skip
        due = rules.due_date(period, policy_int(PolicySetting.Key.DUE_MONTHS_AFTER, period=period))
        days = rules.days_late(due, as_of)
        total = sum((li.employer_amount + li.individual_amount for li in lines), ZERO)
        daily = policy_decimal(PolicySetting.Key.LATE_SURCHARGE_DAILY_RATE, period=period)
        out.append(
            BackPaymentPeriod(period, tuple(lines), due, days, rules.late_surcharge(total, days, daily, rule))
        )
    return BackPaymentQuote(as_of, tuple(out))
