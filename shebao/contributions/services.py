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
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shebao.core.choices import EmployerType, Insurance, RoundingRule
from shebao.core.csvfiles import ImportRejected, ImportResult
from shebao.core.errors import DomainError, FieldErrors
from shebao.core.idnumbers import normalize_identifier
from shebao.core.importjobs import import_job_execute
from shebao.core.money import ZERO, format_money, from_sum
from shebao.core.period import Period
from shebao.core.sql import SESSION_TUNING, cents, from_cents, micro, money_sum, round_div
from shebao.core.validators import parse_amount, parse_period
from shebao.individual_accounts.models import InterestClosing, MedicalEntry, PensionEntry
from shebao.parameters.models import (
    AverageWage,
    BaseLimit,
    CreditedInterestRate,
    InsuranceRate,
    PolicySetting,
    RiskClassRate,
)
from shebao.parameters.selectors import (
    policy_decimal,
    policy_int,
    rate_table,
    rounding_rule,
    settlement_parameters_missing,
)
from shebao.persons.models import RecordChange

from . import rules
from .models import (
    Allocation,
    Arrival,
    ArrivalImport,
    ContributionLine,
    EmployerPeriod,
    Payable,
    Refund,
    SettlementMark,
    SettlementRate,
    SettlementRun,
    SurchargeWaiver,
)
from .selectors import (
    CityTotal,
    city_totals_estimate,
    employer_credit,
    last_settled_period,
    parameter_is_used,
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
              AND {employer_filter}{_not_back_paid(p)}
        ) x
    """


def _not_back_paid(period: int) -> str:
    """A condition leaving out the coverages a back payment (H11) already paid in `period`; empty (no cost to the
    city-wide run) unless a back-payment run exists for the period."""
    runs = list(
        SettlementRun.objects.filter(period=period, source=SettlementRun.Source.BACK_PAYMENT).values_list(
            "pk", flat=True
        )
    )
    if not runs:
        return ""
    ids = ",".join(str(int(r)) for r in runs)
    return f"""
              AND NOT EXISTS (SELECT 1 FROM {LINE} bp WHERE bp.person_id = c.person_id AND bp.period = {int(period)}
                              AND bp.employer_id = c.employer_id AND bp.insurance = c.insurance
                              AND bp.run_id IN ({ids}))"""


LINE_COLUMNS = (
    "period, employer_id, person_id, insurance, kind, base, employer_rate, individual_rate, "
    "employer_amount, individual_amount, run_id"
)


def _locked_sql(period: int) -> str:
    return f"SELECT employer_id FROM {EMPLOYER_PERIOD} WHERE period = {int(period)} AND amount_paid <> 0"


def settlement_start(
    *, period: int, user=None, source: str = "office", employer_ids: list[int] | None = None
) -> SettlementRun:
    """Queue a settlement run of `period`, for the whole city or only `employer_ids` (the same SQL, restricted).

    Refused while another run of the same period is queued or running — unless that run is dead (its worker
    gone, see ``settlement_runs_reap``): then it is failed and the new one queued at once — and when a parameter
    the period needs is missing (each one named: money.md never borrows another year's values)."""
    try:
        Period(int(period))
    except (TypeError, ValueError):
        raise DomainError(
            _("结算期「%(p)s」格式不正确，应为6位年月，如 202401") % {"p": period}, field="period"
        ) from None
    missing = settlement_parameters_missing(int(period))
    if missing:
        raise DomainError(
            _("%(period)s 不能结算，缺少以下参数，请先在经办系统「参数维护」中设置：%(missing)s")
            % {"period": Period(int(period)).label(), "missing": "；".join(missing)},
            field="period",
        )
    scope = None if employer_ids is None else sorted({int(e) for e in employer_ids})
    with transaction.atomic():
        settlement_runs_reap(period=period)
        try:
            with transaction.atomic():
                return SettlementRun.objects.create(
                    period=period, started_by=user, source=source, employers=scope
                )
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


@transaction.atomic  # select_for_update: PostgreSQL refuses it outside a transaction (the office page calls this)
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
        if running.update(status=SettlementRun.Status.DONE, finished_at=timezone.now(), **result):
            marks = SettlementMark.objects.filter(period=run.period, run__isnull=True, created_at__lte=now)
            if run.employers is not None:
                marks = marks.filter(employer_id__in=run.employers)
            marks.update(run=run)
    run.refresh_from_db()
    if run.status == SettlementRun.Status.DONE and run.employers is None:
        followed = settlement_marks_process()
        if followed:
            note = _("并重算了记录变更涉及的 %(n)d 个结算期：%(periods)s") % {
                "n": len(followed),
                "periods": "、".join(f"{r.period}（{r.get_status_display()}）" for r in followed),
            }
            SettlementRun.objects.filter(pk=run.pk).update(message=note)
            run.message = note
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


def _scope_sql(run: SettlementRun, column: str = "employer_id") -> str:
    """The run's employers as a SQL condition on `column` (ids are integers from the run row, never user text)."""
    if run.employers is None:
        return "1 = 1"
    if not run.employers:
        return "1 = 0"
    return f"{column} IN ({', '.join(str(int(e)) for e in run.employers)})"


def _settle(run: SettlementRun) -> dict:
    period = int(run.period)
    scope = _scope_sql(run)
    c_scope = _scope_sql(run, "c.employer_id")
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
        # (back-payment lines are what H11 declared for months nobody settled: a rerun keeps them)
        cur.execute(
            f"DELETE FROM {LINE} WHERE period = {period} AND {scope} AND kind <> 'back_payment' "
            f"AND employer_id NOT IN ({locked})"
        )
        fresh = _fresh_sql(run.pk, period, rule, f"{c_scope} AND c.employer_id NOT IN ({locked})")
        cur.execute(
            f"""INSERT INTO {LINE} ({LINE_COLUMNS})
            SELECT {period}, f.employer_id, f.person_id, f.insurance, 'regular', {from_cents("f.base_cents")},
                   f.employer_rate, f.individual_rate, {from_cents("f.e_c")}, {from_cents("f.i_c")}, {run.pk}
            FROM ({fresh}) f"""
        )
        lines_written = max(cur.rowcount, 0)
        step("lines")

        # 2. Paid (locked) periods: differences become adjustment lines.
        cur.execute(f"SELECT COUNT(*) FROM ({locked}) l WHERE {scope}")
        adjustment_lines = 0
        if cur.fetchone()[0]:
            fresh_locked = _fresh_sql(run.pk, period, rule, f"{c_scope} AND c.employer_id IN ({locked})")
            cur.execute(
                f"""WITH f AS ({fresh_locked}),
                o AS (
                    SELECT employer_id, person_id, insurance,
                           SUM({cents("employer_amount")}) AS e_c, SUM({cents("individual_amount")}) AS i_c
                    FROM {LINE} WHERE period = {period} AND {scope} AND employer_id IN ({locked})
                      AND kind <> 'back_payment'
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
        cur.execute(f"DELETE FROM {PAYABLE} WHERE period = {period} AND {scope}")
        cur.execute(
            f"""INSERT INTO {PAYABLE}
                (employer_id, period, insurance, employer_amount, individual_amount, headcount, base_total)
            SELECT employer_id, {period}, insurance, {money_sum("employer_amount")},
                   {money_sum("individual_amount")}, SUM(CASE WHEN kind <> 'adjustment' THEN 1 ELSE 0 END),
                   {money_sum("CASE WHEN kind <> 'adjustment' THEN base ELSE 0 END")}
            FROM {LINE} WHERE period = {period} AND {scope}
            GROUP BY employer_id, insurance"""
        )
        # Employers with 补差 lines in the period: the base and headcount are those of each person's latest line
        # (an adjustment line carries the base now in force, 0 where the coverage no longer counts), so the total
        # base follows the adjustments (money.md). One pass: the latest line per person × insurance by a window
        # over those employers' lines of the period (within the run's scope), then one UPDATE … FROM. (Correlated
        # MAX(id) sub-queries were linear on PostgreSQL but quadratic per employer on SQLite: benchmarks/README.)
        cur.execute(
            f"SELECT DISTINCT employer_id FROM {LINE} WHERE period = {period} AND kind = 'adjustment' AND {scope}"
        )
        adjusted = sorted(int(row[0]) for row in cur.fetchall())
        if (
            adjusted
        ):  # (asked first: most runs have none, and an empty CTE still plans a scan of the payables)
            ids = ", ".join(str(e) for e in adjusted)
            cur.execute(
                f"""WITH latest AS (
                        SELECT l.employer_id, l.insurance, l.base,
                               ROW_NUMBER() OVER (PARTITION BY l.employer_id, l.person_id, l.insurance
                                                  ORDER BY l.id DESC) AS rn
                        FROM {LINE} l
                        WHERE l.period = {period} AND l.employer_id IN ({ids})),
                    totals AS (
                        SELECT employer_id, insurance, {money_sum("base")} AS base_total,
                               SUM(CASE WHEN base > 0 THEN 1 ELSE 0 END) AS headcount
                        FROM latest WHERE rn = 1
                        GROUP BY employer_id, insurance)
                UPDATE {PAYABLE} SET base_total = COALESCE(totals.base_total, 0), headcount = totals.headcount
                FROM totals
                WHERE {PAYABLE}.period = {period} AND {PAYABLE}.employer_id IN ({ids})
                  AND {PAYABLE}.employer_id = totals.employer_id AND {PAYABLE}.insurance = totals.insurance"""
            )
        step("payables")

        # 4. What each employer owes for the period.
        due = connection.ops.adapt_datefield_value(rules.due_date(period, due_months))
        settled_at = connection.ops.adapt_datetimefield_value(timezone.now())
        cur.execute(
            f"""INSERT INTO {EMPLOYER_PERIOD} (employer_id, period, employer_amount, individual_amount,
                   amount_due, amount_paid, due_date, paid_on, credited_through_line, settled_at)
            SELECT employer_id, {period}, {money_sum("employer_amount")}, {money_sum("individual_amount")},
                   {money_sum("employer_amount + individual_amount")}, 0, %s, NULL, 0, %s
            FROM {PAYABLE} WHERE period = {period} AND {scope}
            GROUP BY employer_id
            ON CONFLICT (employer_id, period) DO UPDATE SET employer_amount = excluded.employer_amount,
                individual_amount = excluded.individual_amount, amount_due = excluded.amount_due,
                due_date = excluded.due_date, settled_at = excluded.settled_at""",
            [due, settled_at],
        )
        cur.execute(
            f"""UPDATE {EMPLOYER_PERIOD} SET employer_amount = 0, individual_amount = 0, amount_due = 0,
                   settled_at = %s
            WHERE period = {period} AND {scope}
              AND employer_id NOT IN (SELECT employer_id FROM {PAYABLE} WHERE period = {period})""",
            [settled_at],
        )
        step("employer_periods")

        # 5. Coverages that could not be settled for want of a base (reported, not fatal).
        cur.execute(
            f"""SELECT COUNT(*) FROM persons_coverage c
            WHERE c.start_period <= {period} AND (c.stop_period IS NULL OR c.stop_period > {period})
              AND {c_scope} AND NOT EXISTS (SELECT 1 FROM persons_contributionbase b WHERE b.person_id = c.person_id
                              AND b.employer_id = c.employer_id AND b.start_period <= {period})"""
        )
        missing_base = cur.fetchone()[0]
        step("missing_base")

    # 6. Locked periods whose due changed: paid state and accounts; credits kept by employers are applied.
    in_scope = {} if run.employers is None else {"employer_id__in": run.employers}
    changed = list(
        EmployerPeriod.objects.filter(period=period, **in_scope)
        .exclude(amount_paid=0)
        .values_list("employer_id", flat=True)
    )
    if changed:
        _refresh_paid_state(employer_ids=changed, period=period)
    with_credit = list(
        Arrival.objects.filter(allocated__lt=F("amount"), **in_scope)
        .values_list("employer_id", flat=True)
        .distinct()
    )
    if with_credit:
        _allocate(employer_ids=with_credit)
    step("allocation")

    totals = Payable.objects.filter(period=period, **in_scope).aggregate(
        e=Sum("employer_amount"), i=Sum("individual_amount")
    )
    employers = EmployerPeriod.objects.filter(period=period, amount_due__gt=0, **in_scope).count()
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


# ---------------------------------------------------------------------------------------------------------------
# When the record changes (money.md): marks, and the runs that clear them.
# ---------------------------------------------------------------------------------------------------------------

# Record changes that move money: an enrolment or stop dated back, a base, an insurance added or dropped.
MONEY_CHANGES = ("employment_opened", "employment_stopped", "coverage_opened", "coverage_closed", "base_set")
# Employer fields the rates depend on (an office correction of them names the period it applies from). A post
# type (岗位类型) decides the retirement age, not a contribution: its corrections carry nothing here.
MONEY_EMPLOYER_FIELDS = ("risk_class", "employer_type")


def settled_periods_from(*, employer_id: int, period: int) -> list[int]:
    """The periods from `period` on that have been settled for this employer (or for the whole city)."""
    own = EmployerPeriod.objects.filter(employer_id=employer_id, period__gte=period).values_list(
        "period", flat=True
    )
    city = SettlementRun.objects.filter(
        status=SettlementRun.Status.DONE, employers__isnull=True, period__gte=period
    ).values_list("period", flat=True)
    return sorted(set(own) | set(city))


@transaction.atomic
def settlement_mark(*, employer_id: int, from_period: int, reason: str) -> tuple[list[int], list[int]]:
    """Mark every settled period of the employer from `from_period` on. Returns (open periods, paid periods):
    the open ones are to be re-settled at once (`settlement_marks_task`), the paid ones wait for the next run."""
    periods = settled_periods_from(employer_id=employer_id, period=int(from_period))
    if not periods:
        return [], []
    SettlementMark.objects.bulk_create(
        [SettlementMark(employer_id=employer_id, period=p, reason=reason[:200]) for p in periods],
        ignore_conflicts=True,  # an open mark of the same employer × period stays the one
    )
    paid = set(
        EmployerPeriod.objects.filter(employer_id=employer_id, period__in=periods)
        .exclude(amount_paid=0)
        .values_list("period", flat=True)
    )
    return [p for p in periods if p not in paid], sorted(paid)


def settlement_mark_record_changes(*, changes, reason: str) -> dict[int, list[int]]:
    """Mark what approved record changes (`persons.RecordChange` rows) touched, per employer from the earliest
    period a money-moving change names; the open periods are re-settled in the background once the caller's
    transaction commits. Returns {employer id: open periods queued}."""
    earliest: dict[int, int] = {}
    moving = Q(kind__in=MONEY_CHANGES) | Q(kind="employer_updated", field__in=MONEY_EMPLOYER_FIELDS)
    for employer_id, period in changes.filter(moving, period__isnull=False).values_list(
        "employer_id", "period"
    ):
        earliest[employer_id] = min(period, earliest.get(employer_id, period))
    queued: dict[int, list[int]] = {}
    for employer_id, period in earliest.items():
        open_periods, _paid = settlement_mark(employer_id=employer_id, from_period=period, reason=reason)
        if open_periods:
            queued[employer_id] = open_periods
            transaction.on_commit(
                lambda e=employer_id, ps=open_periods: _enqueue_marks(employer_id=e, periods=ps)
            )
    return queued


@transaction.atomic
def record_correction_carry(correct, /, *, employer_id: int, mark_reason: str, **kwargs):
    """Run an office record correction (a persons.services function: person_correct, employer_correct,
    employment_post_type_correct) and let the money follow the record: the change rows it wrote for this employer
    go through settlement_mark_record_changes like an approved declaration's (open periods re-settle at once,
    paid ones get their 补差 at the next run). Returns what `correct` returns."""
    since = RecordChange.objects.aggregate(last=Max("pk"))["last"] or 0
    result = correct(**kwargs)
    settlement_mark_record_changes(
        changes=RecordChange.objects.filter(employer_id=employer_id, pk__gt=since), reason=mark_reason
    )
    return result


def _enqueue_marks(*, employer_id: int, periods: list[int]) -> None:
    from .tasks import settlement_marks_task  # the task module imports these services

    settlement_marks_task.enqueue(employer_id, periods)


def settlement_marks_process(
    *, employer_ids: list[int] | None = None, periods: list[int] | None = None
) -> list[SettlementRun]:
    """Re-settle the marked employer × periods (all, or those of `employer_ids` / `periods`): one run per period
    restricted to its marked employers, each in its own transaction like any run. A period that cannot run now
    (another run of it is active, a parameter is missing) keeps its marks for the next run."""
    pending = SettlementMark.objects.filter(run__isnull=True)
    if employer_ids is not None:
        pending = pending.filter(employer_id__in=employer_ids)
    if periods is not None:
        pending = pending.filter(period__in=periods)
    by_period: dict[int, set[int]] = defaultdict(set)
    for employer_id, period in pending.values_list("employer_id", "period"):
        by_period[period].add(employer_id)
    runs = []
    for period in sorted(by_period):
        try:
            run = settlement_start(
                period=period, source=SettlementRun.Source.CARRY_BACK, employer_ids=sorted(by_period[period])
            )
        except DomainError as exc:
            log.info("marked period %s left for the next run: %s", period, exc.message)
            continue
        runs.append(settlement_execute(run=run))
    return runs


def _refresh_paid_state(*, employer_ids: list[int], period: int) -> None:
    """After a rerun changed what a paid period owes: fully paid again or not, and credit the accounts."""
    rows = list(
        EmployerPeriod.objects.select_for_update().filter(employer_id__in=employer_ids, period=period)
    )
    last_paid = dict(
        Allocation.objects.filter(
            employer_id__in=employer_ids, period=period, kind=Allocation.Kind.CONTRIBUTIONS
        )
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


def _surcharge_owed(ep: EmployerPeriod) -> Decimal:
    return ep.surcharge_assessed - ep.surcharge_paid - ep.surcharge_waived


def _allocate(*, employer_ids: list[int] | None = None) -> list[Allocation]:
    """Apply every arrival's unallocated money (money.md): contributions first (its named period, then the oldest
    unpaid), assessing the late surcharge on each late part; then assessed surcharge, oldest first. An arrival
    for surcharge only skips the contributions. What is left stays as the employer's credit.

    One pass for any number of employers: two reads, bulk writes, then one set-based account credit."""
    arrivals_qs = Arrival.objects.select_for_update().filter(allocated__lt=F("amount"))
    owing = Q(amount_paid__lt=F("amount_due")) | Q(
        surcharge_assessed__gt=F("surcharge_paid") + F("surcharge_waived")
    )
    if employer_ids is not None:
        arrivals_qs = arrivals_qs.filter(employer_id__in=employer_ids)
    arrivals = list(arrivals_qs.order_by("employer_id", "received_on", "id"))
    if not arrivals:
        return []
    periods_qs = EmployerPeriod.objects.select_for_update().filter(
        owing, employer_id__in={a.employer_id for a in arrivals}
    )
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
    for ep in periods_qs.order_by("period"):
        by_employer[ep.employer_id].append(ep)
    policies = _PolicyCache()
    allocations: list[Allocation] = []
    touched_arrivals: list[Arrival] = []
    touched_periods: dict[int, EmployerPeriod] = {}
    paid_employers: set[int] = set()
    for arrival in arrivals:
        eps = {ep.period: ep for ep in by_employer.get(arrival.employer_id, [])}
        hold = min(arrival.credit, held.get(arrival.employer_id, ZERO))
        held[arrival.employer_id] = held.get(arrival.employer_id, ZERO) - hold
        if not eps or arrival.credit - hold <= 0:
            continue
        parts = []
        if arrival.purpose != Arrival.Purpose.SURCHARGE:
            parts = rules.allocate(
                arrival.credit - hold,
                [
                    rules.Owed(p, ep.amount_due - ep.amount_paid)
                    for p, ep in eps.items()
                    if ep.amount_paid < ep.amount_due
                ],
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
            ep.surcharge_assessed += surcharge
            if ep.amount_paid >= ep.amount_due:
                ep.paid_on = arrival.received_on
                paid_employers.add(ep.employer_id)
            touched_periods[ep.pk] = ep
            arrival.allocated += amount
        # then the assessed surcharge, oldest first (or the named period's first)
        surcharge_parts = rules.allocate(
            arrival.credit - hold,
            [rules.Owed(p, _surcharge_owed(ep)) for p, ep in eps.items() if _surcharge_owed(ep) > 0],
            named_period=arrival.period,
        )
        for period, amount in surcharge_parts:
            ep = eps[period]
            allocations.append(
                Allocation(
                    arrival=arrival,
                    employer_id=arrival.employer_id,
                    period=period,
                    amount=amount,
                    applied_on=arrival.received_on,
                    kind=Allocation.Kind.SURCHARGE,
                )
            )
            ep.surcharge_paid += amount
            touched_periods[ep.pk] = ep
            arrival.allocated += amount
        if parts or surcharge_parts:
            touched_arrivals.append(arrival)
    Allocation.objects.bulk_create(allocations, batch_size=2000)
    ops = connection.ops

    def money(value):
        return ops.adapt_decimalfield_value(value, 14, 2)

    with connection.cursor() as cur:  # executemany: Django's bulk_update is far slower for thousands of rows
        cur.executemany(
            f"UPDATE {Arrival._meta.db_table} SET allocated = %s WHERE id = %s",
            [(money(a.allocated), a.pk) for a in touched_arrivals],
        )
        cur.executemany(
            f"""UPDATE {EMPLOYER_PERIOD} SET amount_paid = %s, paid_on = %s, surcharge_assessed = %s,
                   surcharge_paid = %s WHERE id = %s""",
            [
                (
                    money(ep.amount_paid),
                    ops.adapt_datefield_value(ep.paid_on),
                    money(ep.surcharge_assessed),
                    money(ep.surcharge_paid),
                    ep.pk,
                )
                for ep in touched_periods.values()
            ],
        )
    if paid_employers:
        accounts_credit_paid(employer_ids=None if employer_ids is None else sorted(paid_employers))
    return allocations


@transaction.atomic
def surcharge_waive(
    *, employer, period: int, amount: Decimal, reason: str, user, waived_on: dt.date
) -> SurchargeWaiver:
    """An office administrator waives (减免) assessed late surcharge of one employer period, in part or whole,
    with a reason (money.md); recorded append-only."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写减免原因"), field="reason")
    if amount is None or amount <= 0:
        raise DomainError(_("减免金额必须大于0"), field="amount")
    ep = EmployerPeriod.objects.select_for_update().filter(employer=employer, period=period).first()
    if ep is None:
        raise DomainError(
            _("单位 %(number)s 没有 %(period)s 期的结算记录") % {"number": employer.number, "period": period},
            field="period",
        )
    owed = _surcharge_owed(ep)
    if amount > owed:
        raise DomainError(
            _("减免金额 %(amount)s 超过该期尚欠的滞纳金 %(owed)s")
            % {"amount": format_money(amount), "owed": format_money(owed)},
            field="amount",
        )
    EmployerPeriod.objects.filter(pk=ep.pk).update(surcharge_waived=F("surcharge_waived") + amount)
    return SurchargeWaiver.objects.create(
        employer=employer,
        period=period,
        amount=amount,
        waived_on=waived_on,
        reason=reason[:200],
        waived_by=user,
    )


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
    purpose: str = Arrival.Purpose.CONTRIBUTIONS,
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
        purpose=purpose,
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

    return import_job_execute(
        job,
        lambda content: arrivals_import(rows=parse_arrivals_csv(io.BytesIO(content)), user=job.created_by),
    )


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


# ---------------------------------------------------------------------------------------------------------------
# Policy parameters from the office's parameter pages: a row a finished settlement used is never changed (see
# selectors.parameter_is_used); the change is a new row from a later period. One function builds the row the
# preview shows and the save writes.
# ---------------------------------------------------------------------------------------------------------------


def _percent(value: str, *, field: str, label: str, allow_blank: bool = False) -> Decimal | None:
    """A rate typed as a percentage ("16", "16%", "0.5") → the fraction (0.16, 0.005); 0 ≤ rate < 100 %."""
    text = normalize_identifier(str(value or "")).rstrip("%")
    if not text:
        if allow_blank:
            return None
        raise FieldErrors({field: [_("请填写%(label)s") % {"label": label}]})
    try:
        percent = Decimal(text)
    except InvalidOperation:
        raise FieldErrors(
            {field: [_("%(label)s须为数字（百分比），如 16 或 0.5") % {"label": label}]}
        ) from None
    if (
        not percent.is_finite()
        or percent < 0
        or percent >= 100
        or percent != percent.quantize(Decimal("0.0001"))
    ):
        raise FieldErrors(
            {field: [_("%(label)s须在 0 至 100 之间，最多 4 位小数（百分比）") % {"label": label}]}
        )
    return percent / 100


def _new_from(value, *, last_settled: int | None) -> int:
    period = parse_period(value, field="effective_from", label=_("起始期"))
    if last_settled is not None and period <= last_settled:
        raise FieldErrors(
            {
                "effective_from": [
                    _("%(last)s 期及以前已经结算，参数不能改动；请从 %(next)s 期起新增一行")
                    % {"last": Period(last_settled), "next": Period(last_settled) + 1}
                ]
            }
        )
    return period


def parameter_row_build(*, kind: str, data: dict):
    """The unsaved row a parameter form describes, validated (FieldErrors in Chinese, per field), refusing any
    change to what a finished settlement used. Used by both the preview and the save, so they agree."""
    last = last_settled_period()
    if kind == "insurance_rate":
        insurance = data.get("insurance") or ""
        employer_type = data.get("employer_type") or ""
        errors = {}
        if insurance not in Insurance.values:
            errors["insurance"] = [_("请选择险种")]
        if employer_type and employer_type not in EmployerType.values:
            errors["employer_type"] = [_("请选择单位类型")]
        if errors:
            raise FieldErrors(errors)
        return InsuranceRate(
            insurance=insurance,
            employer_type=employer_type,
            effective_from=_new_from(data.get("effective_from"), last_settled=last),
            employer_rate=_percent(
                data.get("employer_rate"), field="employer_rate", label=_("单位缴费比例"),
                allow_blank=insurance == Insurance.INJURY,
            ),
            individual_rate=_percent(data.get("individual_rate") or "0", field="individual_rate", label=_("个人缴费比例")),
        )  # fmt: skip
    if kind == "risk_rate":
        try:
            risk_class = int(str(data.get("risk_class") or "").strip())
            if not 1 <= risk_class <= 8:
                raise ValueError
        except ValueError:
            raise FieldErrors({"risk_class": [_("工伤风险类别须为 1 至 8 的整数")]}) from None
        return RiskClassRate(
            risk_class=risk_class,
            effective_from=_new_from(data.get("effective_from"), last_settled=last),
            rate=_percent(data.get("rate"), field="rate", label=_("工伤费率")),
        )
    if kind == "setting":
        key = data.get("key") or ""
        if key not in PolicySetting.Key.values:
            raise FieldErrors({"key": [_("请选择参数")]})
        value = normalize_identifier(str(data.get("value") or ""))[:40]
        if not value:
            raise FieldErrors({"value": [_("请填写参数值")]})
        _check_setting_value(key, value)
        return PolicySetting(
            key=key, effective_from=_new_from(data.get("effective_from"), last_settled=last), value=value
        )
    if kind in ("base_limit", "average_wage", "interest_rate"):
        try:
            year = int(str(data.get("year") or "").strip())
            if not 1990 <= year <= 2100:
                raise ValueError
        except ValueError:
            raise FieldErrors({"year": [_("年度须为 1990 至 2100 之间的四位数")]}) from None
        if kind == "base_limit":
            insurance = data.get("insurance") or ""
            if insurance not in Insurance.values:
                raise FieldErrors({"insurance": [_("请选择险种")]})
            floor = parse_amount(data.get("floor") or "", field="floor", label=_("基数下限"))
            ceiling = parse_amount(data.get("ceiling") or "", field="ceiling", label=_("基数上限"))
            if ceiling < floor:
                raise FieldErrors({"ceiling": [_("基数上限不能低于下限")]})
            row = BaseLimit(base_year=year, insurance=insurance, floor=floor, ceiling=ceiling)
        elif kind == "average_wage":
            row = AverageWage(
                year=year, monthly_amount=parse_amount(data.get("monthly_amount") or "", field="monthly_amount", label=_("社会平均工资"))
            )  # fmt: skip
        else:
            row = CreditedInterestRate(
                year=year, rate=_percent(data.get("rate"), field="rate", label=_("记账利率"))
            )
        if parameter_is_used(row, last_settled=last):
            raise FieldErrors({"year": [_("%(year)s 年度的参数已用于结算或结息，不能改动") % {"year": year}]})
        return row
    raise FieldErrors({"kind": [_("未知的参数类型")]})


def _check_setting_value(key: str, value: str) -> None:
    if key == PolicySetting.Key.ROUNDING_RULE:
        if value not in RoundingRule.values:
            raise FieldErrors(
                {"value": [_("舍入规则须为 %(rules)s 之一") % {"rules": "、".join(RoundingRule.values)}]}
            )
        return
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise FieldErrors({"value": [_("参数值须为数字")]}) from None
    if not number.is_finite() or number < 0:
        raise FieldErrors({"value": [_("参数值须为非负数")]})
    if key != PolicySetting.Key.LATE_SURCHARGE_DAILY_RATE and number != number.to_integral_value():
        raise FieldErrors({"value": [_("参数值须为整数")]})


@dataclass(frozen=True)
class ParameterPreview:
    period: int
    before: list[CityTotal]
    after: list[CityTotal]

    @property
    def rows(self) -> list[dict]:
        after = {t.insurance: t for t in self.after}
        rows = []
        for b in self.before:
            a = after.get(b.insurance, b)
            rows.append({"label": b.label, "before": b.total, "after": a.total, "change": a.total - b.total})
        return rows


class _Rollback(Exception):
    pass


def parameter_preview(*, row) -> ParameterPreview | None:
    """Next period's city totals without and with the proposed rate row (saved inside a savepoint that is
    rolled back, so the same rate lookup settlement uses answers both). None for rows that do not change rates."""
    if not isinstance(row, (InsuranceRate, RiskClassRate)):
        return None
    last = last_settled_period()
    period = (Period(last) + 1).value if last else Period.current().value
    period = max(period, row.effective_from)
    before = city_totals_estimate(period=period)
    after: list[CityTotal] = []
    try:
        with transaction.atomic():
            _replace(row)
            after = city_totals_estimate(period=period)
            raise _Rollback
    except _Rollback:
        row.pk = None
    return ParameterPreview(period=period, before=before, after=after)


PARAMETER_KEYS = {
    InsuranceRate: ("insurance", "employer_type", "effective_from"),
    RiskClassRate: ("risk_class", "effective_from"),
    PolicySetting: ("key", "effective_from"),
    BaseLimit: ("base_year", "insurance"),
    AverageWage: ("year",),
    CreditedInterestRate: ("year",),
}


def _replace(row) -> None:
    """Save `row`; an (unused) row with the same key is replaced by it."""
    model = type(row)
    same = model.objects.select_for_update().filter(**{f: getattr(row, f) for f in PARAMETER_KEYS[model]})
    existing = same.first()
    if existing is not None:
        row.pk = existing.pk
    row.save()


@transaction.atomic
def parameter_save(*, row, actor) -> None:
    """Save a row built by parameter_row_build (re-checked here against settlements finished in between)."""
    if not (actor.kind == "staff" and actor.is_office_admin):
        raise PermissionDenied(_("仅系统管理员可以修改政策参数。"))
    if parameter_is_used(row, last_settled=last_settled_period()):
        raise DomainError(_("该参数已用于结算，不能改动；请从下一期起新增一行"))
    _replace(row)


@transaction.atomic
def parameter_delete(*, row, actor) -> None:
    if not (actor.kind == "staff" and actor.is_office_admin):
        raise PermissionDenied(_("仅系统管理员可以修改政策参数。"))
    if parameter_is_used(row, last_settled=last_settled_period()):
        raise DomainError(_("该参数已用于结算，不能删除"))
    row.delete()


# ---------------------------------------------------------------------------------------------------------------
# Back payment (补缴, H11).
# ---------------------------------------------------------------------------------------------------------------


@transaction.atomic
def back_payment_create(
    *,
    employer,
    person,
    periods: list[tuple[int, Decimal, tuple[str, ...]]],
    today: dt.date,
    declaration_number: str = "",
    user=None,
):
    """Write a back payment: the lines of selectors.back_payment_quote (kind 补缴) for each period, the
    employer's payables and what it owes for those periods (due by each period's own due date, so Q11 shows the
    surcharge accruing from it), then the employer's credit is applied. Returns the quote it wrote."""
    from .selectors import back_payment_quote

    quote = back_payment_quote(employer=employer, periods=periods, as_of=today)
    if not quote.periods:
        raise DomainError(_("没有需要补缴的期间"), field="start_period")
    # One run per period (source 补缴申报): a later settlement of the period finds them and leaves the persons
    # they paid for out of its fresh lines, so nothing is counted twice.
    lines = []
    for p in quote.periods:
        run = SettlementRun.objects.create(
            period=p.period,
            status=SettlementRun.Status.DONE,
            source=SettlementRun.Source.BACK_PAYMENT,
            started_by=user,
            started_at=timezone.now(),
            finished_at=timezone.now(),
            rounding_rule=rounding_rule(p.period),
            lines_written=len(p.lines),
            employers_settled=1,
            employer_total=p.employer_amount,
            individual_total=p.individual_amount,
            message=_("补缴 %(number)s") % {"number": declaration_number},
        )
        lines.extend(
            ContributionLine(
                period=p.period,
                employer=employer,
                person=person,
                insurance=li.insurance,
                kind="back_payment",
                base=li.base,
                employer_rate=li.employer_rate,
                individual_rate=li.individual_rate,
                employer_amount=li.employer_amount,
                individual_amount=li.individual_amount,
                run=run,
            )
            for li in p.lines
        )
    ContributionLine.objects.bulk_create(lines)
    for p in quote.periods:
        _employer_period_total(employer_id=employer.pk, period=p.period, due_date=p.due_date)
    _allocate(employer_ids=[employer.pk])
    return quote


def _employer_period_total(*, employer_id: int, period: int, due_date: dt.date) -> None:
    """Recompute one employer's payables and amount due for one period from its lines (after lines were added
    outside a settlement run): the same totals the settlement writes, for this employer × period alone."""
    Payable.objects.filter(employer_id=employer_id, period=period).delete()
    rows = (
        ContributionLine.objects.filter(employer_id=employer_id, period=period)
        .values("insurance")
        .annotate(e=Sum("employer_amount"), i=Sum("individual_amount"))
    )
    heads = dict(
        ContributionLine.objects.filter(employer_id=employer_id, period=period)
        .exclude(kind="adjustment")
        .values("insurance")
        .annotate(n=Count("id"), b=Sum("base"))
        .values_list("insurance", "n")
    )
    bases = dict(
        ContributionLine.objects.filter(employer_id=employer_id, period=period)
        .exclude(kind="adjustment")
        .values("insurance")
        .annotate(b=Sum("base"))
        .values_list("insurance", "b")
    )
    payables = [
        Payable(
            employer_id=employer_id,
            period=period,
            insurance=row["insurance"],
            employer_amount=from_sum(row["e"]),
            individual_amount=from_sum(row["i"]),
            headcount=heads.get(row["insurance"], 0),
            base_total=from_sum(bases.get(row["insurance"])),
        )
        for row in rows
    ]
    Payable.objects.bulk_create(payables)
    employer_amount = sum((p.employer_amount for p in payables), Decimal("0.00"))
    individual_amount = sum((p.individual_amount for p in payables), Decimal("0.00"))
    ep, created = EmployerPeriod.objects.select_for_update().get_or_create(
        employer_id=employer_id,
        period=period,
        defaults={"due_date": due_date},
    )
    ep.employer_amount, ep.individual_amount = employer_amount, individual_amount
    ep.amount_due = employer_amount + individual_amount
    if ep.amount_paid < ep.amount_due:
        ep.paid_on = None
    ep.save(update_fields=["employer_amount", "individual_amount", "amount_due", "paid_on"])
