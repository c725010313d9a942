"""Writing contributions (money.md): settlement, arrivals and their allocation, and the crediting of paid
contributions to the individual accounts. Views, the console commands, the background task, the demo and the
declaration effects all write through these functions.

Large tables (contribution lines, payables, account entries) are written set-based with INSERT … SELECT in
integer cents (see ``shebao.core.sql``); allocation touches few rows per call.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shebao.core.choices import Insurance
from shebao.core.csvfiles import ImportRejected, ImportResult
from shebao.core.errors import DomainError
from shebao.core.period import Period
from shebao.core.sql import SESSION_TUNING, cents, from_cents, micro, money_sum, round_div
from shebao.individual_accounts.models import InterestClosing, MedicalEntry, PensionEntry
from shebao.parameters.models import PolicySetting
from shebao.parameters.selectors import policy_decimal, policy_int, rate_table, rounding_rule

from . import rules
from .models import (
    Allocation,
    Arrival,
    ArrivalImport,
    ContributionLine,
    EmployerPeriod,
    Payable,
    SettlementRate,
    SettlementRun,
)

log = logging.getLogger(__name__)

Key = PolicySetting.Key
STALE_RUN = dt.timedelta(hours=2)
LINE = ContributionLine._meta.db_table
PAYABLE = Payable._meta.db_table
EMPLOYER_PERIOD = EmployerPeriod._meta.db_table
RATE_TABLE = SettlementRate._meta.db_table


# ---------------------------------------------------------------------------------------------------------------
# Settlement.
# ---------------------------------------------------------------------------------------------------------------


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


def _locked_sql(period: int) -> str:
    return f"SELECT employer_id FROM {EMPLOYER_PERIOD} WHERE period = {int(period)} AND amount_paid <> 0"


def settlement_start(*, period: int, user=None, source: str = "office") -> SettlementRun:
    """Queue a settlement run of `period`. Refused while another run of the same period is queued or running —
    unless that run is dead (its worker gone, see ``settlement_runs_reap``): then it is failed and the new one
    queued at once."""
    try:
        Period(int(period))
    except (TypeError, ValueError):
        raise DomainError(
            _("结算期「%(p)s」格式不正确，应为6位年月，如 202401") % {"p": period}, field="period"
        ) from None
    with transaction.atomic():
        settlement_runs_reap(period=period)
        try:
            with transaction.atomic():
                return SettlementRun.objects.create(period=period, started_by=user, source=source)
        except IntegrityError:
            raise DomainError(
                _("%(period)s 的结算正在进行，请等待其完成后再试") % {"period": Period(period).label()},
                field="period",
            ) from None


# --- liveness of a run: its worker and its heartbeat ---------------------------------------------------------

HEARTBEAT_SECONDS = 10


def _process_start(pid: int) -> str:
    """The start time of process `pid` (Linux /proc; '' elsewhere): tells a reused process id apart."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[19].decode()
    except (OSError, IndexError):
        return ""


def worker_id() -> str:
    """This process as it is recorded on the run it executes: host:pid:start."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_process_start(pid)}"[:120]


def worker_alive(worker: str) -> bool | None:
    """Whether the process recorded as `worker` still runs: True/False when it ran on this host, None when
    it ran elsewhere (then only its heartbeat tells)."""
    host, _sep, rest = worker.partition(":")
    pid_text, _sep, start = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isascii() or not pid_text.isdigit():
        return None
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    return not start or _process_start(pid) in ("", start)


def settlement_runs_reap(*, period: int | None = None, now=None) -> int:
    """Fail the runs nobody is running any more, so that their period can be settled again at once:
    - running, and its worker process (on this host) is gone — a kill -9, a crash, a restart;
    - running, and no heartbeat for SHEBAO_SETTLEMENT_STALE_SECONDS (a worker on another host that died);
    - queued for longer than STALE_RUN without a worker taking it.
    Returns how many runs were failed."""
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=settings.SHEBAO_SETTLEMENT_STALE_SECONDS)
    runs = SettlementRun.objects.filter(status__in=["pending", "running"])
    if period is not None:
        runs = runs.filter(period=period)
    failed = 0
    for run in runs.select_for_update():
        if run.status == SettlementRun.Status.PENDING:
            dead = run.created_at < now - STALE_RUN
            message = _("排队超过 %(hours)d 小时无人执行，已作废") % {
                "hours": int(STALE_RUN.total_seconds() // 3600)
            }
        else:
            alive = worker_alive(run.worker) if run.worker else None
            last = run.heartbeat_at or run.started_at or run.created_at
            dead = alive is False or (alive is None and last < stale)
            message = (
                _("执行结算的进程（%(worker)s）已终止，结算未完成，已自动标记为失败，可以重新结算")
                if alive is False
                else _("执行结算的进程自 %(at)s 起没有心跳，结算未完成，已自动标记为失败，可以重新结算")
            ) % {"worker": run.worker, "at": timezone.localtime(last).strftime("%Y-%m-%d %H:%M:%S")}
        if dead:
            failed += SettlementRun.objects.filter(pk=run.pk, status=run.status).update(
                status=SettlementRun.Status.FAILED, finished_at=now, message=message
            )
    if failed:
        log.warning("settlement runs failed as dead: %d", failed)
    return failed


@transaction.atomic
def settlement_run_fail(*, run: SettlementRun, user, reason: str) -> SettlementRun:
    """An office administrator marks a queued or running run failed (it is stuck and its worker will not come
    back): recorded on the run — who, when, why — so the period can be settled again."""
    reason = " ".join(str(reason).split())[:500]
    if not reason:
        raise DomainError(_("请填写标记失败的原因"), field="reason")
    run = SettlementRun.objects.select_for_update().get(pk=run.pk)
    if run.status not in (SettlementRun.Status.PENDING, SettlementRun.Status.RUNNING):
        raise DomainError(_("只有排队中或结算中的批次才能标记为失败"), field="reason")
    run.status = SettlementRun.Status.FAILED
    run.finished_at = timezone.now()
    run.marked_failed_by = user
    run.message = _("由 %(who)s 于 %(at)s 手工标记为失败：%(reason)s") % {
        "who": user.label,
        "at": timezone.localtime(run.finished_at).strftime("%Y-%m-%d %H:%M"),
        "reason": reason,
    }
    run.save(update_fields=["status", "finished_at", "marked_failed_by", "message"])
    log.warning("settlement run %s marked failed by %s: %s", run.pk, user.pk, reason)
    return run


class _Heartbeat:
    """While a run executes, a thread writes its heartbeat every HEARTBEAT_SECONDS (its own connection; a
    beat that cannot write — SQLite busy with the run's own transaction — is skipped, not fatal)."""

    def __init__(self, run_id: int):
        self.run_id = run_id
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"settlement-heartbeat-{run_id}", daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()

    def _beat(self) -> None:
        try:
            while not self.stop.wait(HEARTBEAT_SECONDS):
                try:
                    SettlementRun.objects.filter(pk=self.run_id, status=SettlementRun.Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except Exception:
                    log.debug("heartbeat of run %s skipped", self.run_id, exc_info=True)
        finally:
            connection.close()


def settlement_execute(*, run: SettlementRun) -> SettlementRun:
    """Do a queued run: mark it running (with this worker and a first heartbeat), settle in one transaction,
    record the result (or the failure). A run an administrator marked failed meanwhile stays failed.

    Not atomic as a whole on purpose: the run's status is committed before and after, so the office page
    can show it while the work runs."""
    now = timezone.now()
    if not SettlementRun.objects.filter(pk=run.pk, status=SettlementRun.Status.PENDING).update(
        status=SettlementRun.Status.RUNNING, started_at=now, heartbeat_at=now, worker=worker_id()
    ):
        raise DomainError(_("该结算批次不在排队状态，不能重复执行"))
    running = SettlementRun.objects.filter(pk=run.pk, status=SettlementRun.Status.RUNNING)
    try:
        with _Heartbeat(run.pk):
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
        running.update(status=SettlementRun.Status.FAILED, finished_at=timezone.now(), message=message)
    else:
        running.update(status=SettlementRun.Status.DONE, finished_at=timezone.now(), **result)
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
            employer_micro=micro(r["employer_rate"]),
            individual_micro=micro(r["individual_rate"]),
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
        if not eps:
            continue
        parts = rules.allocate(
            arrival.credit,
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


def arrivals_import_queue(*, content: bytes, file_name: str, rows: int, user=None) -> ArrivalImport:
    """Keep a large bank file for the background worker (the request would hold the write lock for seconds);
    the caller enqueues ``tasks.arrivals_import_task`` on commit."""
    return ArrivalImport.objects.create(
        content=content, file_name=file_name[:200], rows=rows, created_by=user
    )


def arrivals_import_execute(*, job: ArrivalImport) -> ArrivalImport:
    """Import a queued file (worker): parse and import all or nothing, recording the result or the rows' errors
    on the job."""
    import io

    from .imports import parse_arrivals_csv

    if not ArrivalImport.objects.filter(pk=job.pk, status=ArrivalImport.Status.PENDING).update(
        status=ArrivalImport.Status.RUNNING
    ):
        raise DomainError(_("该导入不在排队状态，不能重复执行"))
    job.refresh_from_db()
    try:
        result = arrivals_import(rows=parse_arrivals_csv(io.BytesIO(bytes(job.content))), user=job.created_by)
    except ImportRejected as exc:
        ArrivalImport.objects.filter(pk=job.pk).update(
            status=ArrivalImport.Status.FAILED, finished_at=timezone.now(), errors=exc.errors[:200]
        )
    except Exception as exc:
        log.exception("arrival import %s failed", job.pk)
        ArrivalImport.objects.filter(pk=job.pk).update(
            status=ArrivalImport.Status.FAILED, finished_at=timezone.now(), errors=[f"{type(exc).__name__}"]
        )
    else:
        ArrivalImport.objects.filter(pk=job.pk).update(
            status=ArrivalImport.Status.DONE, finished_at=timezone.now(), created=result.created, content=b""
        )
    job.refresh_from_db()
    return job


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
# Crediting paid contributions to the individual accounts (a step of allocation and of settlement reruns).
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
