"""Writing contributions (money.md): settlement, arrivals and their allocation, pension and medical accounts,
benefit payments and work-injury cases. Views, the console commands, the background task, the demo and the
declaration effects all write through these functions.

Large tables (contribution lines, payables, account entries, yearly closings) are written set-based with
INSERT … SELECT in integer cents (see ``sql.py``); allocation and benefit recording touch few rows per call.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shebao.core.choices import EmployerType, Insurance
from shebao.core.errors import DomainError
from shebao.core.money import ZERO, format_money
from shebao.core.numbering import create_numbered
from shebao.core.period import Period
from shebao.persons.models import Employment

from . import rules
from .models import (
    Allocation,
    Arrival,
    ContributionLine,
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
    PensionTransfer,
    PensionYear,
    PolicySetting,
    Refund,
    RiskClassRate,
    SettlementRate,
    SettlementRun,
)
from .selectors import (
    ParameterMissing,
    employer_credit,
    injury_covered_on,
    interest_rate_for,
    medical_balance,
    pension_balance_at,
    policy_decimal,
    policy_int,
    policy_value,
)
from .sql import cents, from_cents, money_sum, round_div

log = logging.getLogger(__name__)

Key = PolicySetting.Key
RISK_CLASSES = range(1, 9)
STALE_RUN = dt.timedelta(hours=2)
LINE = ContributionLine._meta.db_table
PAYABLE = Payable._meta.db_table
EMPLOYER_PERIOD = EmployerPeriod._meta.db_table
RATE_TABLE = SettlementRate._meta.db_table


def rounding_rule(period: int) -> str:
    try:
        return policy_value(Key.ROUNDING_RULE, period=period)
    except ParameterMissing:
        return "half_up"


# ---------------------------------------------------------------------------------------------------------------
# Settlement.
# ---------------------------------------------------------------------------------------------------------------


def _micro(rate: Decimal) -> int:
    value = rate * 1_000_000
    if value != value.to_integral_value():
        raise DomainError(_("费率 %(rate)s 超过六位小数") % {"rate": rate})
    return int(value)


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


def _fresh_sql(run_id: int, period: int, rule: str, employer_filter: str) -> str:
    """SELECT of the lines period P should have: employer_id, person_id, insurance, base_cents, the rates, and
    e_c / i_c, the rounded parts in cents. `employer_filter` restricts c.employer_id."""
    base_case = (
        "CASE c.insurance " + " ".join(f"WHEN '{i}' THEN b.base_{i}" for i in Insurance.values) + " END"
    )
    p = int(period)
    return f"""
        SELECT x.employer_id, x.person_id, x.insurance, x.base_cents, x.employer_rate, x.individual_rate,
               {round_div("x.base_cents * x.em", 1_000_000, rule)} AS e_c,
               {round_div("x.base_cents * x.im", 1_000_000, rule)} AS i_c
        FROM (
            SELECT c.employer_id, c.person_id, c.insurance, {cents(base_case)} AS base_cents,
                   r.employer_rate, r.individual_rate, r.employer_micro AS em, r.individual_micro AS im
            FROM persons_coverage c
            JOIN employers_employer e ON e.id = c.employer_id
            JOIN {RATE_TABLE} r ON r.run_id = {int(run_id)} AND r.insurance = c.insurance
                 AND r.employer_type = e.employer_type AND r.risk_class = e.risk_class
            JOIN (SELECT person_id, employer_id, MAX(start_period) AS start_period
                  FROM persons_contributionbase WHERE start_period <= {p}
                  GROUP BY person_id, employer_id) m
                 ON m.person_id = c.person_id AND m.employer_id = c.employer_id
            JOIN persons_contributionbase b ON b.person_id = m.person_id AND b.employer_id = m.employer_id
                 AND b.start_period = m.start_period
            WHERE c.start_period <= {p} AND (c.stop_period IS NULL OR c.stop_period > {p})
              AND {employer_filter}
        ) x
    """


LINE_COLUMNS = (
    "period, employer_id, person_id, insurance, kind, base, employer_rate, individual_rate, "
    "employer_amount, individual_amount, run_id"
)


# A period's settlement reads whole tables: hash joins, not nested loops driven by the planner's (badly
# correlated) row estimates; on SQLite a page cache the line indexes fit in. Transaction-local on PostgreSQL.
SESSION_TUNING = {
    "postgresql": "SET LOCAL enable_nestloop = off; SET LOCAL work_mem = '256MB'",
    "sqlite": "PRAGMA cache_size = -262144",
}


def _locked_sql(period: int) -> str:
    return f"SELECT employer_id FROM {EMPLOYER_PERIOD} WHERE period = {int(period)} AND amount_paid <> 0"


def settlement_start(*, period: int, user=None, source: str = "office") -> SettlementRun:
    """Queue a settlement run of `period`. Refused while another run of the same period is queued or running."""
    try:
        Period(int(period))
    except (TypeError, ValueError):
        raise DomainError(
            _("结算期「%(p)s」格式不正确，应为6位年月，如 202401") % {"p": period}, field="period"
        ) from None
    with transaction.atomic():
        SettlementRun.objects.filter(
            period=period, status__in=["pending", "running"], created_at__lt=timezone.now() - STALE_RUN
        ).update(
            status=SettlementRun.Status.FAILED, finished_at=timezone.now(), message=_("超时未完成，已作废")
        )
        try:
            with transaction.atomic():
                return SettlementRun.objects.create(period=period, started_by=user, source=source)
        except IntegrityError:
            raise DomainError(
                _("%(period)s 的结算正在进行，请等待其完成后再试") % {"period": Period(period).label()},
                field="period",
            ) from None


def settlement_execute(*, run: SettlementRun) -> SettlementRun:
    """Do a queued run: mark it running, settle in one transaction, record the result (or the failure).

    Not atomic as a whole on purpose: the run's status is committed before and after, so the office page
    can show it while the work runs."""
    now = timezone.now()
    if not SettlementRun.objects.filter(pk=run.pk, status=SettlementRun.Status.PENDING).update(
        status=SettlementRun.Status.RUNNING, started_at=now
    ):
        raise DomainError(_("该结算批次不在排队状态，不能重复执行"))
    try:
        started = time.perf_counter()
        _rates_write(run)
        rates_seconds = round(time.perf_counter() - started, 3)
        with transaction.atomic():
            result = _settle(run)
        result["steps"].insert(0, {"step": "rates", "seconds": rates_seconds})
    except Exception as exc:  # recorded on the run; DomainErrors are the user's to read
        message = exc.message if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, DomainError):
            log.exception("settlement run %s failed", run.pk)
        SettlementRun.objects.filter(pk=run.pk).update(
            status=SettlementRun.Status.FAILED, finished_at=timezone.now(), message=message
        )
    else:
        SettlementRun.objects.filter(pk=run.pk).update(
            status=SettlementRun.Status.DONE, finished_at=timezone.now(), **result
        )
    run.refresh_from_db()
    return run


def settlement_run(*, period: int, user=None, source: str = "console") -> SettlementRun:
    """Queue and execute a run at once (console, demo, tests)."""
    run = settlement_start(period=period, user=user, source=source)
    return settlement_execute(run=run)


def _rates_write(run: SettlementRun) -> None:
    """The rates the run uses (per insurance × employer type × risk class), written and committed before the
    settlement's own transaction: a run that fails afterwards keeps them, harmlessly, with its failed status.

    On PostgreSQL the new rows are analysed at once: without statistics for the new run the planner takes them
    for one row and builds its hash tables from the 4-million-row side, which also scatters the insert order
    (lines 47 s instead of 29 s at 1,000,000 persons). ANALYZE takes milliseconds, but holds a lock that a second
    ANALYZE waits for until the first one's transaction ends: done here, outside the settlement's transaction,
    two settlements of different periods do not wait for each other."""
    SettlementRate.objects.bulk_create(
        SettlementRate(
            run=run,
            employer_micro=_micro(r["employer_rate"]),
            individual_micro=_micro(r["individual_rate"]),
            **r,
        )
        for r in rate_table(int(run.period))
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {RATE_TABLE}")


def _settle(run: SettlementRun) -> dict:
    period = int(run.period)
    rule = rounding_rule(period)
    due_months = policy_int(Key.DUE_MONTHS_AFTER, period=period)
    steps: list[dict] = []
    clock = time.perf_counter()

    def step(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        steps.append({"step": name, "seconds": round(now - clock, 3)})
        clock = now

    locked = _locked_sql(period)
    with connection.cursor() as cur:
        cur.execute(SESSION_TUNING[connection.vendor])
        # 1. Open periods: their lines are replaced.
        #    (Tried: writing the totals from the same statement with INSERT … RETURNING on PostgreSQL. It made
        #    the statement 1.7× slower at 4 million lines, more than the second pass it saved.)
        cur.execute(f"DELETE FROM {LINE} WHERE period = {period} AND employer_id NOT IN ({locked})")
        fresh = _fresh_sql(run.pk, period, rule, f"c.employer_id NOT IN ({locked})")
        cur.execute(
            f"""INSERT INTO {LINE} ({LINE_COLUMNS})
            SELECT {period}, f.employer_id, f.person_id, f.insurance, 'regular', {from_cents("f.base_cents")},
                   f.employer_rate, f.individual_rate, {from_cents("f.e_c")}, {from_cents("f.i_c")}, {run.pk}
            FROM ({fresh}) f"""
        )
        lines_written = max(cur.rowcount, 0)
        step("lines")

        # 2. Paid (locked) periods: differences become adjustment lines.
        cur.execute(f"SELECT COUNT(*) FROM ({locked}) l")
        adjustment_lines = 0
        if cur.fetchone()[0]:
            fresh_locked = _fresh_sql(run.pk, period, rule, f"c.employer_id IN ({locked})")
            cur.execute(
                f"""WITH f AS ({fresh_locked}),
                o AS (
                    SELECT employer_id, person_id, insurance,
                           SUM({cents("employer_amount")}) AS e_c, SUM({cents("individual_amount")}) AS i_c
                    FROM {LINE} WHERE period = {period} AND employer_id IN ({locked})
                    GROUP BY employer_id, person_id, insurance)
                INSERT INTO {LINE} ({LINE_COLUMNS})
                SELECT {period}, f.employer_id, f.person_id, f.insurance, 'adjustment',
                       {from_cents("f.base_cents")}, f.employer_rate, f.individual_rate,
                       {from_cents("f.e_c - COALESCE(o.e_c, 0)")}, {from_cents("f.i_c - COALESCE(o.i_c, 0)")},
                       {run.pk}
                FROM f LEFT JOIN o ON o.employer_id = f.employer_id AND o.person_id = f.person_id
                                  AND o.insurance = f.insurance
                WHERE f.e_c <> COALESCE(o.e_c, 0) OR f.i_c <> COALESCE(o.i_c, 0)
                UNION ALL
                SELECT {period}, o.employer_id, o.person_id, o.insurance, 'adjustment', 0, 0, 0,
                       {from_cents("-o.e_c")}, {from_cents("-o.i_c")}, {run.pk}
                FROM o
                WHERE (o.e_c <> 0 OR o.i_c <> 0) AND NOT EXISTS (
                    SELECT 1 FROM f WHERE f.employer_id = o.employer_id AND f.person_id = o.person_id
                                      AND f.insurance = o.insurance)"""
            )
            # (rowcount after WITH … INSERT is not reliable on SQLite: count what the run wrote)
            cur.execute(f"SELECT COUNT(*) FROM {LINE} WHERE run_id = {run.pk} AND kind = 'adjustment'")
            adjustment_lines = cur.fetchone()[0]
        step("adjustments")

        # 3. Totals per employer × insurance (both parts), adjustments included.
        cur.execute(f"DELETE FROM {PAYABLE} WHERE period = {period}")
        cur.execute(
            f"""INSERT INTO {PAYABLE}
                (employer_id, period, insurance, employer_amount, individual_amount, headcount, base_total)
            SELECT employer_id, {period}, insurance, {money_sum("employer_amount")},
                   {money_sum("individual_amount")}, SUM(CASE WHEN kind = 'regular' THEN 1 ELSE 0 END),
                   {money_sum("CASE WHEN kind = 'regular' THEN base ELSE 0 END")}
            FROM {LINE} WHERE period = {period}
            GROUP BY employer_id, insurance"""
        )
        step("payables")

        # 4. What each employer owes for the period.
        due = connection.ops.adapt_datefield_value(rules.due_date(period, due_months))
        cur.execute(
            f"""INSERT INTO {EMPLOYER_PERIOD} (employer_id, period, employer_amount, individual_amount,
                   amount_due, amount_paid, due_date, paid_on, credited_through_line)
            SELECT employer_id, {period}, {money_sum("employer_amount")}, {money_sum("individual_amount")},
                   {money_sum("employer_amount + individual_amount")}, 0, %s, NULL, 0
            FROM {PAYABLE} WHERE period = {period}
            GROUP BY employer_id
            ON CONFLICT (employer_id, period) DO UPDATE SET employer_amount = excluded.employer_amount,
                individual_amount = excluded.individual_amount, amount_due = excluded.amount_due,
                due_date = excluded.due_date""",
            [due],
        )
        cur.execute(
            f"""UPDATE {EMPLOYER_PERIOD} SET employer_amount = 0, individual_amount = 0, amount_due = 0
            WHERE period = {period}
              AND employer_id NOT IN (SELECT employer_id FROM {PAYABLE} WHERE period = {period})"""
        )
        step("employer_periods")

        # 5. Coverages that could not be settled for want of a base (reported, not fatal).
        cur.execute(
            f"""SELECT COUNT(*) FROM persons_coverage c
            WHERE c.start_period <= {period} AND (c.stop_period IS NULL OR c.stop_period > {period})
              AND NOT EXISTS (SELECT 1 FROM persons_contributionbase b WHERE b.person_id = c.person_id
                              AND b.employer_id = c.employer_id AND b.start_period <= {period})"""
        )
        missing_base = cur.fetchone()[0]
        step("missing_base")

    # 6. Locked periods whose due changed: paid state and accounts; credits kept by employers are applied.
    changed = list(
        EmployerPeriod.objects.filter(period=period)
        .exclude(amount_paid=0)
        .values_list("employer_id", flat=True)
    )
    if changed:
        _refresh_paid_state(employer_ids=changed, period=period)
    with_credit = list(
        Arrival.objects.filter(allocated__lt=F("amount")).values_list("employer_id", flat=True).distinct()
    )
    if with_credit:
        _allocate(employer_ids=with_credit)
    step("allocation")

    totals = Payable.objects.filter(period=period).aggregate(
        e=Sum("employer_amount"), i=Sum("individual_amount")
    )
    employers = EmployerPeriod.objects.filter(period=period, amount_due__gt=0).count()
    step("totals")
    return {
        "rounding_rule": rule,
        "lines_written": lines_written,
        "adjustment_lines": adjustment_lines,
        "missing_base": missing_base,
        "employers_settled": employers,
        "employer_total": rules.round_money(Decimal(totals["e"] or 0)),
        "individual_total": rules.round_money(Decimal(totals["i"] or 0)),
        "steps": steps,
    }


def _refresh_paid_state(*, employer_ids: list[int], period: int) -> None:
    """After a rerun changed what a paid period owes: fully paid again or not, and credit the accounts."""
    rows = list(
        EmployerPeriod.objects.select_for_update().filter(employer_id__in=employer_ids, period=period)
    )
    last_paid = dict(
        Allocation.objects.filter(employer_id__in=employer_ids, period=period)
        .values_list("employer_id")
        .annotate(last=Max("applied_on"))
    )
    for ep in rows:
        if ep.amount_paid >= ep.amount_due:
            ep.paid_on = ep.paid_on or last_paid.get(ep.employer_id)
        else:
            ep.paid_on = None
    EmployerPeriod.objects.bulk_update(rows, ["paid_on"])
    accounts_credit_paid(employer_ids=employer_ids)


# ---------------------------------------------------------------------------------------------------------------
# Arrivals and allocation.
# ---------------------------------------------------------------------------------------------------------------


class _PolicyCache:
    def __init__(self):
        self._rates: dict[int, Decimal] = {}
        self._rules: dict[int, str] = {}

    def daily_rate(self, period: int) -> Decimal:
        if period not in self._rates:
            self._rates[period] = policy_decimal(Key.LATE_SURCHARGE_DAILY_RATE, period=period)
        return self._rates[period]

    def rule(self, period: int) -> str:
        if period not in self._rules:
            self._rules[period] = rounding_rule(period)
        return self._rules[period]


def _allocate(*, employer_ids: list[int] | None = None) -> list[Allocation]:
    """Apply every arrival's unallocated money (its named period first, then the oldest unpaid periods).

    One pass for any number of employers: two reads, bulk writes, then one set-based account credit."""
    arrivals_qs = Arrival.objects.select_for_update().filter(allocated__lt=F("amount"))
    periods_qs = EmployerPeriod.objects.select_for_update().filter(amount_paid__lt=F("amount_due"))
    if employer_ids is not None:
        arrivals_qs = arrivals_qs.filter(employer_id__in=employer_ids)
        periods_qs = periods_qs.filter(employer_id__in=employer_ids)
    arrivals = list(arrivals_qs.order_by("employer_id", "received_on", "id"))
    if not arrivals:
        return []
    # Money refunded (退费) came out of the arrivals' unallocated remainders: hold that much back, oldest
    # arrivals first, so a refunded amount is never also applied to a period.
    refunds = (
        Refund.objects.all() if employer_ids is None else Refund.objects.filter(employer_id__in=employer_ids)
    )
    held = {
        row["employer_id"]: row["total"]
        for row in refunds.values("employer_id").annotate(total=Sum("amount"))
    }
    by_employer: dict[int, list[EmployerPeriod]] = defaultdict(list)
    for ep in periods_qs.filter(employer_id__in={a.employer_id for a in arrivals}).order_by("period"):
        by_employer[ep.employer_id].append(ep)
    policies = _PolicyCache()
    allocations: list[Allocation] = []
    touched_arrivals: list[Arrival] = []
    touched_periods: dict[int, EmployerPeriod] = {}
    paid_employers: set[int] = set()
    for arrival in arrivals:
        eps = {
            ep.period: ep for ep in by_employer.get(arrival.employer_id, []) if ep.amount_paid < ep.amount_due
        }
        hold = min(arrival.credit, held.get(arrival.employer_id, ZERO))
        held[arrival.employer_id] = held.get(arrival.employer_id, ZERO) - hold
        if not eps or arrival.credit - hold <= 0:
            continue
        parts = rules.allocate(
            arrival.credit - hold,
            [rules.Owed(p, ep.amount_due - ep.amount_paid) for p, ep in eps.items()],
            named_period=arrival.period,
        )
        for period, amount in parts:
            ep = eps[period]
            days = rules.days_late(ep.due_date, arrival.received_on)
            surcharge = rules.late_surcharge(amount, days, policies.daily_rate(period), policies.rule(period))
            allocations.append(
                Allocation(
                    arrival=arrival,
                    employer_id=arrival.employer_id,
                    period=period,
                    amount=amount,
                    applied_on=arrival.received_on,
                    days_late=days,
                    surcharge=surcharge,
                )
            )
            ep.amount_paid += amount
            if ep.amount_paid >= ep.amount_due:
                ep.paid_on = arrival.received_on
                paid_employers.add(ep.employer_id)
            touched_periods[ep.pk] = ep
            arrival.allocated += amount
        if parts:
            touched_arrivals.append(arrival)
    Allocation.objects.bulk_create(allocations, batch_size=2000)
    ops = connection.ops
    with connection.cursor() as cur:  # executemany: Django's bulk_update is far slower for thousands of rows
        cur.executemany(
            f"UPDATE {Arrival._meta.db_table} SET allocated = %s WHERE id = %s",
            [(ops.adapt_decimalfield_value(a.allocated, 14, 2), a.pk) for a in touched_arrivals],
        )
        cur.executemany(
            f"UPDATE {EMPLOYER_PERIOD} SET amount_paid = %s, paid_on = %s WHERE id = %s",
            [
                (
                    ops.adapt_decimalfield_value(ep.amount_paid, 14, 2),
                    ops.adapt_datefield_value(ep.paid_on),
                    ep.pk,
                )
                for ep in touched_periods.values()
            ],
        )
    if paid_employers:
        accounts_credit_paid(employer_ids=None if employer_ids is None else sorted(paid_employers))
    return allocations


@transaction.atomic
def arrivals_allocate(*, employer_ids: list[int] | None = None) -> list[Allocation]:
    """Allocate every unallocated arrival (of these employers, or of all): see ``_allocate``."""
    return _allocate(employer_ids=employer_ids)


@transaction.atomic
def arrival_record(
    *,
    employer,
    received_on: dt.date,
    amount: Decimal,
    period: int | None = None,
    reference: str = "",
    user=None,
    source: str = Arrival.Source.MANUAL,
) -> Arrival:
    """Record money received from an employer and allocate it at once."""
    if amount <= 0:
        raise DomainError(_("到账金额必须大于0"), field="amount")
    if reference and Arrival.objects.filter(employer=employer, reference=reference).exists():
        raise DomainError(_("银行流水号 %(ref)s 已登记过") % {"ref": reference}, field="reference")
    arrival = Arrival.objects.create(
        employer=employer,
        received_on=received_on,
        amount=amount,
        period=period,
        reference=reference,
        recorded_by=user,
        source=source,
    )
    _allocate(employer_ids=[employer.pk])
    arrival.refresh_from_db()
    return arrival


@transaction.atomic
def refund_record(
    *,
    employer,
    amount: Decimal,
    refunded_on: dt.date,
    period_from: int,
    period_to: int,
    reason: str,
    bank_account: str,
    bank_name: str = "",
    declaration_number: str = "",
    user=None,
) -> Refund:
    """Pay overpaid money back (退费, H18's effect): a Refund row that reduces the employer's credit; arrivals are
    not edited. Never more than the credit: the arrivals holding it are locked first (the rows an allocation
    locks), so a refund and an allocation, or two refunds, cannot both spend the same money."""
    if amount <= 0:
        raise DomainError(_("退费金额必须大于0"), field="amount")
    list(
        Arrival.objects.select_for_update()
        .filter(employer=employer, allocated__lt=F("amount"))
        .values_list("id", flat=True)
    )
    credit = employer_credit(employer=employer)
    if amount > credit:
        raise DomainError(
            _("退费金额 %(amount)s 元超过本单位可退的溢缴余额 %(credit)s 元")
            % {"amount": format_money(amount), "credit": format_money(credit)},
            field="amount",
        )
    return Refund.objects.create(
        employer=employer,
        amount=amount,
        refunded_on=refunded_on,
        period_from=period_from,
        period_to=period_to,
        reason=reason[:200],
        bank_name=bank_name[:60],
        bank_account=bank_account,
        declaration_number=declaration_number,
        recorded_by=user,
    )


@dataclass
class ImportResult:
    created: int = 0
    errors: list[str] = field(default_factory=list)


class ImportRejected(DomainError):
    """A file with bad rows: nothing was written; `errors` names each bad row and why (Chinese)."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(
            _("文件有 %(n)d 行错误，未导入任何数据：") % {"n": len(errors)} + "；".join(errors[:20])
        )


@transaction.atomic
def arrivals_import(*, rows: list[dict], user=None) -> ImportResult:
    """Import parsed bank-file rows ({employer, received_on, amount, reference, period}) — all or nothing.
    Use ``imports.parse_arrivals_csv`` to read the file: it raises ImportRejected on any bad row."""
    seen = set()
    errors = []
    for row in rows:
        key = (row["employer"].pk, row["reference"])
        if row["reference"] and (
            key in seen
            or Arrival.objects.filter(employer=row["employer"], reference=row["reference"]).exists()
        ):
            errors.append(
                _("第 %(line)d 行：银行流水号 %(ref)s 已登记过")
                % {"line": row["line"], "ref": row["reference"]}
            )
        seen.add(key)
    if errors:
        raise ImportRejected(errors)
    Arrival.objects.bulk_create(
        Arrival(
            employer=row["employer"],
            received_on=row["received_on"],
            amount=row["amount"],
            period=row.get("period"),
            reference=row["reference"],
            recorded_by=user,
            source=Arrival.Source.IMPORT,
        )
        for row in rows
    )
    _allocate(employer_ids=sorted({row["employer"].pk for row in rows}))
    return ImportResult(created=len(rows))


# ---------------------------------------------------------------------------------------------------------------
# Accounts.
# ---------------------------------------------------------------------------------------------------------------


def accounts_credit_paid(*, employer_ids: list[int] | None = None) -> tuple[int, int]:
    """Credit pension (individual pension part) and medical (individual medical part) accounts from the lines of
    every fully paid employer period not yet credited. Set-based; returns (pension entries, medical entries)."""
    filt = (
        ""
        if employer_ids is None
        else f" AND ep.employer_id IN ({','.join(str(int(i)) for i in employer_ids)})"
    )
    last_closed = InterestClosing.objects.aggregate(y=Max("year"))["y"] or 0
    with connection.cursor() as cur:
        cur.execute(f"SELECT MAX(id) FROM {LINE}")
        max_id = cur.fetchone()[0] or 0
        written = []
        for insurance, table, columns in (
            ("pension", PensionEntry._meta.db_table, "year, month, kind"),
            ("medical", MedicalEntry._meta.db_table, "kind, place, reference"),
        ):
            if insurance == "pension":
                booked = (
                    f"CASE WHEN l.period / 100 <= {last_closed} THEN {last_closed + 1} ELSE l.period / 100 END, "
                    f"CASE WHEN l.period / 100 <= {last_closed} THEN 1 ELSE l.period - (l.period / 100) * 100 END, "
                    "'credit'"
                )
                date_col = "credited_on"
            else:
                booked = "'credit', '', ''"
                date_col = "entry_date"
            cur.execute(
                f"""INSERT INTO {table} (person_id, employer_id, period, {columns}, amount, {date_col})
                SELECT l.person_id, l.employer_id, l.period, {booked}, {money_sum("l.individual_amount")},
                       ep.paid_on
                FROM {EMPLOYER_PERIOD} ep CROSS JOIN {LINE} l
                WHERE l.period = ep.period AND l.employer_id = ep.employer_id AND l.insurance = '{insurance}'
                  AND l.id > ep.credited_through_line AND l.id <= {max_id}
                  AND ep.paid_on IS NOT NULL{filt}
                GROUP BY l.person_id, l.employer_id, l.period, ep.paid_on
                HAVING SUM({cents("l.individual_amount")}) <> 0"""
            )
            written.append(max(cur.rowcount, 0))
        cur.execute(
            f"""UPDATE {EMPLOYER_PERIOD} SET credited_through_line = {max_id}
            WHERE paid_on IS NOT NULL AND credited_through_line < {max_id}
              {filt.replace("ep.", "")}
              AND EXISTS (SELECT 1 FROM {LINE} l WHERE l.period = {EMPLOYER_PERIOD}.period
                          AND l.employer_id = {EMPLOYER_PERIOD}.employer_id
                          AND l.id > {EMPLOYER_PERIOD}.credited_through_line)"""
        )
    return written[0], written[1]


@transaction.atomic
def pension_opening_record(*, person, year: int, amount: Decimal, credited_on: dt.date) -> PensionEntry:
    """A balance brought into the account from before the system (counts as the opening of `year`)."""
    if InterestClosing.objects.filter(year__gte=year).exists():
        raise DomainError(_("%(year)s 年度已结息，不能再记入期初余额") % {"year": year})
    return PensionEntry.objects.create(
        person=person,
        period=year * 100 + 1,
        year=year,
        month=1,
        kind=PensionEntry.Kind.OPENING,
        amount=amount,
        credited_on=credited_on,
    )


@transaction.atomic
def pension_transfer_record(
    *,
    employment: Employment,
    transfer_date: dt.date,
    destination: str,
    reason: str = "",
    declaration_number: str = "",
) -> PensionTransfer:
    """Transfer a stopped employment's pension relation out (H17's effect): the balance at the transfer date is
    computed by ``selectors.pension_balance_at`` (the function H12's retirement uses too) and certified on the
    row with every figure. One transfer per employment (a unique key: a second at once is refused)."""
    employment = (
        Employment.objects.select_for_update().select_related("person", "employer").get(pk=employment.pk)
    )
    if employment.stop_period is None:
        raise DomainError(_("该人员仍在参保，须先办理停保"), field="id_number")
    if PensionTransfer.objects.filter(employment=employment).exists():
        raise DomainError(_("该人员本次参保的养老关系已办理转出"), field="id_number")
    balance = pension_balance_at(person=employment.person, day=transfer_date)
    return PensionTransfer.objects.create(
        person=employment.person,
        employer=employment.employer,
        employment=employment,
        transfer_date=transfer_date,
        destination=destination[:60],
        reason=reason[:200],
        closed_year=balance.closed_year,
        closed_balance=balance.closed_balance,
        carried=balance.carried,
        opening=balance.opening,
        credits=balance.credits_total,
        months_credited=len(balance.credits),
        months=balance.months,
        rate_year=balance.rate_year,
        rate=balance.rate,
        interest=balance.interest,
        balance=balance.balance,
        declaration_number=declaration_number,
    )


@transaction.atomic
def pension_transfer_certify(*, transfer: PensionTransfer, certificate_number: str) -> PensionTransfer:
    """Note the 参保缴费凭证 issued for a transfer (certificates.services issues it from the transfer row)."""
    PensionTransfer.objects.filter(pk=transfer.pk).update(certificate_number=certificate_number)
    transfer.certificate_number = certificate_number
    return transfer


@transaction.atomic
def interest_close(*, year: int, today: dt.date, user=None) -> InterestClosing:
    """Close a year of every pension account: opening (last year's closing plus balances brought in), credits,
    interest = opening × r + Σ credit_m × r × (13 − m) / 12 rounded once, closing. Set-based."""
    started = time.perf_counter()
    year = int(year)
    if year >= today.year:
        raise DomainError(_("%(year)s 年度尚未结束，不能结息") % {"year": year}, field="year")
    if InterestClosing.objects.filter(year=year).exists():
        raise DomainError(_("%(year)s 年度已结息") % {"year": year}, field="year")
    last = InterestClosing.objects.aggregate(y=Max("year"))["y"]
    if last is not None and year != last + 1:
        if year < last:
            raise DomainError(_("%(last)s 年度已结息，不能再结 %(year)s 年度") % {"last": last, "year": year})
        raise DomainError(_("请先结息 %(next)s 年度") % {"next": last + 1}, field="year")
    rate = interest_rate_for(year=year)
    micro = _micro(rate)
    rule = rounding_rule(year * 100 + 12)
    interest_c = round_div(f"((a.o_c * 12 + a.w_c) * {micro})", 12_000_000, rule, signed=True)
    entries = PensionEntry._meta.db_table
    years = PensionYear._meta.db_table
    # months with a credit, without COUNT(DISTINCT …), which forces PostgreSQL to sort 12 rows a person
    months_credited = " + ".join(
        f"MAX(CASE WHEN kind = 'credit' AND month = {m} THEN 1 ELSE 0 END)" for m in range(1, 13)
    )
    now = timezone.now()
    with connection.cursor() as cur:
        cur.execute(SESSION_TUNING[connection.vendor])
        cur.execute(
            f"""INSERT INTO {years}
                (person_id, year, opening, credits, months_credited, rate, interest, closing, closed_at)
            SELECT x.person_id, {year}, {from_cents("x.o_c")}, {from_cents("x.c_c")}, x.months, %s,
                   {from_cents("x.i_c")}, {from_cents("x.o_c + x.c_c + x.i_c")}, %s
            FROM (
                SELECT a.person_id, a.o_c, a.c_c, a.months, {interest_c} AS i_c
                FROM (
                    SELECT u.person_id, CAST(SUM(u.o_c) AS BIGINT) AS o_c, CAST(SUM(u.c_c) AS BIGINT) AS c_c,
                           SUM(u.months) AS months, CAST(SUM(u.w_c) AS BIGINT) AS w_c
                    FROM (
                        SELECT person_id, {cents("closing")} AS o_c, 0 AS c_c, 0 AS months, 0 AS w_c
                        FROM {years} WHERE year = {year - 1}
                        UNION ALL
                        SELECT person_id,
                               SUM(CASE WHEN kind = 'opening' THEN {cents("amount")} ELSE 0 END),
                               SUM(CASE WHEN kind = 'credit' THEN {cents("amount")} ELSE 0 END),
                               {months_credited},
                               SUM(CASE WHEN kind = 'credit' THEN {cents("amount")} * (13 - month) ELSE 0 END)
                        FROM {entries} WHERE year = {year}
                        GROUP BY person_id
                    ) u
                    GROUP BY u.person_id
                ) a
            ) x""",
            [
                connection.ops.adapt_decimalfield_value(rate, 9, 6),
                connection.ops.adapt_datetimefield_value(now),
            ],
        )
        accounts = max(cur.rowcount, 0)
    totals = PensionYear.objects.filter(year=year).aggregate(i=Sum("interest"), c=Sum("closing"))
    return InterestClosing.objects.create(
        year=year,
        rate=rate,
        accounts=accounts,
        interest_total=rules.round_money(Decimal(totals["i"] or 0)),
        closing_total=rules.round_money(Decimal(totals["c"] or 0)),
        closed_by=user,
        closed_at=now,
        seconds=time.perf_counter() - started,
    )


@transaction.atomic
def medical_retiree_credits(*, period: int, credited_on: dt.date) -> int:
    """Credit the fixed monthly amount to every retiree's medical account for `period` (idempotent)."""
    amount = policy_decimal(Key.RETIREE_MEDICAL_MONTHLY_CREDIT, period=period)
    table = MedicalEntry._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"""INSERT INTO {table} (person_id, employer_id, period, kind, amount, entry_date, place, reference)
            SELECT e.person_id, NULL, {int(period)}, 'retiree_credit', %s, %s, '', ''
            FROM persons_employment e
            WHERE e.status = 'retired' AND e.stop_period <= {int(period)}
              AND NOT EXISTS (SELECT 1 FROM {table} m WHERE m.person_id = e.person_id
                              AND m.period = {int(period)} AND m.kind = 'retiree_credit')
            GROUP BY e.person_id""",
            [
                connection.ops.adapt_decimalfield_value(amount, 14, 2),
                connection.ops.adapt_datefield_value(credited_on),
            ],
        )
        return max(cur.rowcount, 0)


@transaction.atomic
def medical_debit_record(
    *, person, amount: Decimal, entry_date: dt.date, place: str = "", reference: str = ""
) -> MedicalEntry:
    """Spending at a pharmacy or clinic paid from the account; refused beyond the balance."""
    if amount <= 0:
        raise DomainError(_("消费金额必须大于0"), field="amount")
    balance = medical_balance(person=person, as_of=entry_date)
    if amount > balance:
        raise DomainError(
            _("医疗帐户余额不足：余额 %(balance)s 元，消费 %(amount)s 元")
            % {"balance": balance, "amount": amount},
            field="amount",
        )
    return MedicalEntry.objects.create(
        person=person,
        period=Period.from_date(entry_date).value,
        kind=MedicalEntry.Kind.DEBIT,
        amount=-amount,
        entry_date=entry_date,
        place=place,
        reference=reference,
    )


@transaction.atomic
def medical_debits_import(*, rows: list[dict]) -> ImportResult:
    """Rows {line, person, amount, entry_date, place, reference}: all or nothing, balances checked row by row."""
    running: dict[int, Decimal] = {}
    errors = []
    for row in rows:
        person = row["person"]
        if person.pk not in running:
            running[person.pk] = medical_balance(person=person, as_of=row["entry_date"])
        if row["amount"] > running[person.pk]:
            errors.append(
                _("第 %(line)d 行：%(name)s 医疗帐户余额不足（余额 %(balance)s 元）")
                % {"line": row["line"], "name": person.name, "balance": running[person.pk]}
            )
        running[person.pk] -= row["amount"]
    if errors:
        raise ImportRejected(errors)
    MedicalEntry.objects.bulk_create(
        MedicalEntry(
            person=row["person"],
            period=Period.from_date(row["entry_date"]).value,
            kind=MedicalEntry.Kind.DEBIT,
            amount=-row["amount"],
            entry_date=row["entry_date"],
            place=row.get("place", ""),
            reference=row.get("reference", ""),
        )
        for row in rows
    )
    return ImportResult(created=len(rows))


# ---------------------------------------------------------------------------------------------------------------
# Benefits.
# ---------------------------------------------------------------------------------------------------------------


@transaction.atomic
def pension_payment_record(
    *,
    person,
    employer,
    period: int,
    basic_amount: Decimal,
    account_amount: Decimal,
    paid_on: dt.date,
    transitional_amount: Decimal = Decimal("0.00"),
    supplement_amount: Decimal = Decimal("0.00"),
    source: str = "manual",
) -> PensionPayment:
    if PensionPayment.objects.filter(person=person, period=period).exists():
        raise DomainError(
            _("%(name)s %(period)s 的养老金已登记") % {"name": person.name, "period": Period(period).label()},
            field="period",
        )
    return PensionPayment.objects.create(
        person=person,
        employer=employer,
        period=period,
        basic_amount=basic_amount,
        account_amount=account_amount,
        transitional_amount=transitional_amount,
        supplement_amount=supplement_amount,
        total=basic_amount + account_amount + transitional_amount + supplement_amount,
        paid_on=paid_on,
        source=source,
    )


def employer_average_base(*, employer, birth_month: int) -> Decimal:
    """The employer's average monthly maternity base over the 12 periods before the birth month."""
    start, end = Period(birth_month) - 12, Period(birth_month) - 1
    agg = Payable.objects.filter(
        employer=employer, insurance=Insurance.MATERNITY, period__gte=start.value, period__lte=end.value
    ).aggregate(base=Sum("base_total"), heads=Sum("headcount"))
    if not agg["heads"]:
        raise DomainError(
            _("该单位生育前12个月没有生育保险缴费记录，无法计算生育津贴"), field="delivery_date"
        )
    return rules.round_money(Decimal(agg["base"]) / agg["heads"])


@transaction.atomic
def maternity_payment_record(
    *,
    person,
    employer,
    delivery_date: dt.date,
    delivery_type: str,
    paid_on: dt.date,
    hospital: str = "",
    leave_days: int | None = None,
    medical_costs: Decimal = Decimal("0.00"),
    average_base: Decimal | None = None,
    source: str = "manual",
) -> MaternityPayment:
    """Allowance = the employer's average monthly base ÷ 30 × leave days (default: the policy's leave days)."""
    birth_month = Period.from_date(delivery_date).value
    if leave_days is None:
        leave_days = policy_int(Key.MATERNITY_LEAVE_DAYS, period=birth_month)
    if leave_days <= 0:
        raise DomainError(_("产假天数必须大于0"), field="leave_days")
    if average_base is None:
        average_base = employer_average_base(employer=employer, birth_month=birth_month)
    allowance = rules.maternity_allowance(average_base, leave_days, rounding_rule(birth_month))
    return MaternityPayment.objects.create(
        person=person,
        employer=employer,
        period=Period.from_date(paid_on).value,
        delivery_date=delivery_date,
        delivery_type=delivery_type,
        hospital=hospital,
        leave_days=leave_days,
        average_base=average_base,
        allowance=allowance,
        medical_costs=medical_costs,
        total=allowance + medical_costs,
        paid_on=paid_on,
        source=source,
    )


def _next_case_number(accident_date: dt.date) -> str:
    """GS + the accident's YYYYMM + a 6-digit sequence within that month (the last one + 1)."""
    prefix = f"GS{accident_date:%Y%m}"
    last = (
        InjuryCase.objects.filter(case_number__startswith=prefix)
        .order_by("-case_number")
        .values_list("case_number", flat=True)
        .first()
    )
    seq = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{seq:06d}"


INJURY_CASE_EARLIEST = dt.date(1990, 1, 1)
INJURY_DESCRIPTION_MAX = 2000  # 事故经过 is a TextField; a bound keeps a pasted file out


def _text_field(value: str, name: str, *, required: bool = True) -> str:
    """Trim one text of a case and check it against the model (required, max_length); the error names it."""
    model_field = InjuryCase._meta.get_field(name)
    label = str(model_field.verbose_name)
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("请填写%(label)s") % {"label": label}, field=name)
    limit = model_field.max_length or INJURY_DESCRIPTION_MAX
    if len(value) > limit:
        raise DomainError(
            _("%(label)s最多 %(max)d 个字（现有 %(n)d 个）")
            % {"label": label, "max": limit, "n": len(value)},
            field=name,
        )
    return value


def _check_injury_coverage(*, person, employer, accident_date: dt.date) -> None:
    """The person must be insured for work injury at `employer` in the accident's month (spec H13)."""
    if not Employment.objects.filter(person=person, employer=employer).exists():
        raise DomainError(
            _("公民身份号码 %(id)s（%(name)s）在「%(employer)s」没有参保记录")
            % {"id": person.id_number, "name": person.name, "employer": employer.name},
            field="id_number",
        )
    if not injury_covered_on(person=person, employer=employer, day=accident_date):
        raise DomainError(
            _("事故日期 %(day)s：%(name)s 当时未在「%(employer)s」参加工伤保险")
            % {"day": accident_date.isoformat(), "name": person.name, "employer": employer.name},
            field="accident_date",
        )


@transaction.atomic
def injury_case_open(
    *,
    person,
    employer,
    accident_date: dt.date,
    place: str,
    description: str,
    injury: str,
    witness: str = "",
    declaration_id: int | None = None,
    today: dt.date | None = None,
) -> InjuryCase:
    """File a work-injury accident (H13's effect, or the office): status 已备案 until determined.

    Rules (errors name the field): accident date not after `today` (default: the local date) and not before
    1990; the person insured for work injury at the employer in the accident's month; texts within the model's
    lengths. The case number GS<YYYYMM><seq> is safe against two filings at once."""
    if today is None:
        today = timezone.localdate()
    if accident_date > today:
        raise DomainError(
            _("事故日期 %(day)s 不能晚于今天（%(today)s）")
            % {"day": accident_date.isoformat(), "today": today.isoformat()},
            field="accident_date",
        )
    if accident_date < INJURY_CASE_EARLIEST:
        raise DomainError(_("事故日期不能早于 1990-01-01"), field="accident_date")
    _check_injury_coverage(person=person, employer=employer, accident_date=accident_date)
    fields = dict(
        person=person,
        employer=employer,
        accident_date=accident_date,
        place=_text_field(place, "place"),
        description=_text_field(description, "description"),
        injury=_text_field(injury, "injury"),
        witness=_text_field(witness, "witness", required=False),
        declaration_id=declaration_id,
    )
    return create_numbered(
        draw=lambda: _next_case_number(accident_date),
        create=lambda number: InjuryCase.objects.create(case_number=number, **fields),
        taken=lambda number: InjuryCase.objects.filter(case_number=number).exists(),
        exhausted=_("工伤案件编号生成冲突，请稍后重试"),
    )


@transaction.atomic
def injury_case_determine(
    *, case: InjuryCase, status: str, determined_on: dt.date, disability_grade: int | None = None
) -> InjuryCase:
    """Record the injury determination: 认定为工伤 (with an optional disability grade 1–10) or 不予认定."""
    if status not in (InjuryCase.Status.DETERMINED, InjuryCase.Status.REJECTED, InjuryCase.Status.CLOSED):
        raise DomainError(_("认定结果不正确"), field="status")
    if disability_grade is not None and not 1 <= disability_grade <= 10:
        raise DomainError(_("伤残等级应为1–10级"), field="disability_grade")
    if determined_on < case.accident_date:
        raise DomainError(_("认定日期不能早于事故日期"), field="determined_on")
    updated = InjuryCase.objects.filter(pk=case.pk, status=case.status).update(
        status=status, determined_on=determined_on, disability_grade=disability_grade
    )
    if not updated:
        raise DomainError(_("该工伤案件已被他人处理，请刷新后重试"))
    case.refresh_from_db()
    return case


@transaction.atomic
def injury_payment_record(
    *, case: InjuryCase, item: str, amount: Decimal, paid_on: dt.date, note: str = "", source: str = "manual"
) -> InjuryPayment:
    """Pay one cost item of a case that was determined as a work injury (H15's effect, or the office)."""
    if case.status not in (InjuryCase.Status.DETERMINED, InjuryCase.Status.CLOSED):
        raise DomainError(
            _("工伤案件 %(no)s 尚未认定为工伤，不能支付待遇") % {"no": case.case_number}, field="case"
        )
    if item not in InjuryPayment.Item.values:
        raise DomainError(_("费用项目不正确"), field="item")
    if amount <= 0:
        raise DomainError(_("金额必须大于0"), field="amount")
    return InjuryPayment.objects.create(
        case=case,
        person_id=case.person_id,
        employer_id=case.employer_id,
        period=Period.from_date(paid_on).value,
        item=item,
        amount=amount,
        paid_on=paid_on,
        note=note,
        source=source,
    )


@transaction.atomic
def benefit_rows_import(*, kind: str, rows: list[dict]) -> ImportResult:
    """Record parsed rows of a benefit file (see imports.py) all or nothing; a DomainError on any row rejects
    the whole file with the row named."""
    recorder = {
        "pension": pension_payment_record,
        "maternity": maternity_payment_record,
        "injury": injury_payment_record,
    }[kind]
    errors = []
    for row in rows:
        line = row.pop("line")
        try:
            with transaction.atomic():
                recorder(source="import", **row)
        except DomainError as exc:
            errors.append(_("第 %(line)d 行：%(msg)s") % {"line": line, "msg": exc.message})
    if errors:
        transaction.set_rollback(True)
        raise ImportRejected(errors)
    return ImportResult(created=len(rows))
