"""Settlement at city scale: 1,000,000 insured persons across 100,000 employers, one period, on PostgreSQL and SQLite.

For each backend it builds the core record with the demo generator (or reuses it when the database already holds
exactly that many employers and persons), then times:

1. ``settlement_run`` of one period, first run (lines inserted) and a rerun of the open period (lines replaced);
2. the floor: one hand-written ``INSERT … SELECT`` over the same coverage × base × rate join writing the same
   lines with the database's own ROUND (numeric on PostgreSQL), into the same table with the same indexes;
3. (PostgreSQL) closing a year's pension-account interest for every person (12 monthly credits each);
4. with ``--carry-back`` (or ``--only-carry-back``): the carry-back of approved record changes (issue 15, money.md
   "When the record changes"). Untimed setup: the three past periods PERIOD-3 … PERIOD-1 settled city-wide and
   PERIOD re-settled; every employer pays each past period in full on its due date (``arrivals_import`` — a bank
   file: the real allocation and account crediting); then ``--carry-fraction`` (1 %) of the persons, drawn at random
   (seeded) among those employed from PERIOD-3 to PERIOD, get a new base from PERIOD-3 (declared wage + 10 %) through
   ``persons.services.base_set`` — the call the H08 effect makes — one "declaration" per person, so each writes its
   own ``RecordChange`` rows. Timed: **carry-back** = marking (``settlement_mark_record_changes`` once per approved
   change, each in its own transaction, as ``declarations.services._apply_and_route`` calls it; the open period's
   background tasks are queued on commit) + ``settlement_marks_process()`` (what a city-wide run does once it is
   done: one run per marked period restricted to its marked employers — 补差 lines for the three paid periods, the
   open PERIOD's lines replaced). **Baseline**: the same employers × periods settled from scratch (their lines,
   payables and employer periods deleted, then one restricted ``settlement_start(employer_ids=…)`` +
   ``settlement_execute`` per period). Apart, not in the ratio: what one approval's background task costs (a run of
   the open PERIOD for one employer, 20 employers sampled). The section removes everything it wrote at the end and
   re-settles PERIOD, so the database is again the one steps 1–3 expect.

and prints the ratio settlement / floor, and carry-back / baseline. Targets: issue 4, PostgreSQL ≤ 60 s and ≤ 2× the
floor, SQLite ≤ 120 s, interest for 1,000,000 accounts ≤ 60 s on PostgreSQL; issue 15, carry-back ≤ 2× the baseline.

    .venv/bin/python benchmarks/settlement.py                       # both backends, 1,000,000 persons
    .venv/bin/python benchmarks/settlement.py --backend pg --persons 100000 --employers 10000
    .venv/bin/python benchmarks/settlement.py --backend pg --persons 100000 --employers 10000 --only-carry-back

PostgreSQL: database ``shebao_bench_<persons>`` (or ``--database NAME``) on SHEBAO_BENCH_PG (default
postgres://postgres@127.0.0.1:5432), created if missing. SQLite: ``$SHEBAO_BENCH_DIR/settlement-<persons>.sqlite3``
(or ``<NAME>.sqlite3``; default folder /tmp/shebao-bench). Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PERIOD = 202611
INTEREST_YEAR = 2025
SEED = 20261126


def child(args) -> dict:
    """Runs inside a process whose SHEBAO_DATABASE_URL points at the benchmark database."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shebao.settings")
    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection, transaction

    from shebao.contributions.models import ContributionLine, SettlementRun
    from shebao.contributions.services import LINE, LINE_COLUMNS, settlement_run
    from shebao.core.sql import SESSION_TUNING
    from shebao.employers.models import Employer
    from shebao.persons.models import Person

    result: dict = {"vendor": connection.vendor}
    say = lambda m: print(f"  [{connection.vendor}] {m}", flush=True)  # noqa: E731
    call_command("migrate", verbosity=0)
    employers, persons = Employer.objects.count(), Person.objects.count()
    if (employers, persons) != (args.employers, args.persons):
        if employers or persons:
            raise SystemExit(
                f"{connection.vendor}: database holds {employers}/{persons}, not the requested size"
            )
        from shebao.demo.generator import generate

        say(f"building {args.employers:,} employers / {args.persons:,} persons with the demo generator …")
        t = time.perf_counter()
        generate(
            employers=args.employers, persons=args.persons, seed=SEED, current_period=PERIOD, progress=say
        )
        result["build_seconds"] = round(time.perf_counter() - t, 1)
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    if args.build_only:
        return result
    if args.only_interest:
        return _interest(args, result, say)
    if args.only_carry_back:
        return _carry_back(args, result, say)
    # a clean period
    SettlementRun.objects.filter(period=PERIOD).update(status="failed")
    _clear_period(connection, LINE)
    # and the period's totals, as before a first settlement (vacuumed: the same autovacuum-off reason)
    with connection.cursor() as cur:
        for table in ("contributions_payable", "contributions_employerperiod"):
            cur.execute(f"DELETE FROM {table} WHERE period = {PERIOD}")
            if connection.vendor == "postgresql":
                cur.execute(f"VACUUM (ANALYZE) {table}")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT COUNT(*) FROM persons_coverage WHERE start_period <= %s AND (stop_period IS NULL OR stop_period > %s)",
            [PERIOD, PERIOD],
        )
        result["active_coverages"] = cur.fetchone()[0]

    say("settlement (first run) …")
    t = time.perf_counter()
    run = settlement_run(period=PERIOD, source="benchmark")
    result["settle_seconds"] = round(time.perf_counter() - t, 2)
    assert run.status == "done", run.message
    result["lines"] = run.lines_written
    result["steps"] = {s["step"]: s["seconds"] for s in run.steps}
    say(f"  {result['settle_seconds']} s, {run.lines_written:,} lines")

    say("settlement (rerun of the open period) …")
    t = time.perf_counter()
    rerun = settlement_run(period=PERIOD, source="benchmark")
    result["rerun_seconds"] = round(time.perf_counter() - t, 2)
    assert rerun.status == "done", rerun.message

    # The floor: the same join and arithmetic in one statement, native ROUND, into the same table.
    base_case = (
        "CASE c.insurance "
        + " ".join(
            f"WHEN '{i}' THEN b.base_{i}"
            for i in ("pension", "medical", "unemployment", "injury", "maternity")
        )
        + " END"
    )
    floor_sql = f"""
        INSERT INTO {LINE} ({LINE_COLUMNS})
        SELECT {PERIOD}, c.employer_id, c.person_id, c.insurance, 'regular', {base_case},
               r.employer_rate, r.individual_rate,
               ROUND({base_case} * r.employer_rate, 2), ROUND({base_case} * r.individual_rate, 2), {rerun.pk}
        FROM persons_coverage c
        JOIN employers_employer e ON e.id = c.employer_id
        JOIN contributions_settlementrate r ON r.run_id = {rerun.pk} AND r.insurance = c.insurance
             AND r.employer_type = e.employer_type AND r.risk_class = e.risk_class
        JOIN (SELECT person_id, employer_id, MAX(start_period) AS start_period
              FROM persons_contributionbase WHERE start_period <= {PERIOD}
              GROUP BY person_id, employer_id) m
             ON m.person_id = c.person_id AND m.employer_id = c.employer_id
        JOIN persons_contributionbase b ON b.person_id = m.person_id AND b.employer_id = m.employer_id
             AND b.start_period = m.start_period
        WHERE c.start_period <= {PERIOD} AND (c.stop_period IS NULL OR c.stop_period > {PERIOD})"""
    _clear_period(connection, LINE)
    say("floor: one hand-written INSERT … SELECT …")
    t = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(SESSION_TUNING[connection.vendor])  # the same session settings as settlement
            cur.execute(floor_sql)
            floor_rows = cur.rowcount
    result["floor_seconds"] = round(time.perf_counter() - t, 2)
    result["floor_rows"] = floor_rows
    result["ratio"] = round(result["settle_seconds"] / result["floor_seconds"], 2)
    # put the settlement's own lines back (and check they agree with the floor's to the cent on PostgreSQL)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT SUM(employer_amount), SUM(individual_amount) FROM {LINE} WHERE period = {PERIOD}"
            )
            result["floor_totals"] = [str(v) for v in cur.fetchone()]
        result["settlement_totals"] = [str(run.employer_total), str(run.individual_total)]
    _clear_period(connection, LINE)
    settlement_run(period=PERIOD, source="benchmark")
    assert ContributionLine.objects.filter(period=PERIOD).count() == run.lines_written

    if connection.vendor == "postgresql" and not args.skip_interest:
        _interest(args, result, say)
    if args.carry_back:
        _carry_back(args, result, say)
    return result


def _clear_period(connection, table: str) -> None:
    """Remove PERIOD's lines so that a run starts from the state a real server would be in. When the table holds
    nothing else (this benchmark's database) it is truncated: a first settlement into an empty table. Otherwise
    the rows are deleted and the table vacuumed — what autovacuum does on a normal server (this machine's
    PostgreSQL runs with autovacuum off, and repeated runs would otherwise measure the bloat of earlier ones)."""
    with connection.cursor() as cur:
        cur.execute(f"SELECT EXISTS (SELECT 1 FROM {table} WHERE period <> {PERIOD})")
        others = cur.fetchone()[0]
        if not others:
            cur.execute(f"DELETE FROM {table}" if connection.vendor == "sqlite" else f"TRUNCATE {table}")
        else:
            cur.execute(f"DELETE FROM {table} WHERE period = {PERIOD}")
            if connection.vendor == "postgresql":
                cur.execute(f"VACUUM (ANALYZE) {table}")


def _interest(args, result: dict, say) -> dict:
    """Close INTEREST_YEAR for every person with 12 monthly credits (built once, set-based, untimed)."""
    import datetime as dt

    from django.db import connection, transaction

    from shebao.demo import history
    from shebao.individual_accounts.models import InterestClosing, PensionEntry, PensionYear
    from shebao.individual_accounts.services import interest_close

    history._ensure_rates(INTEREST_YEAR + 1)
    with transaction.atomic():
        PensionYear.objects.filter(year__gte=INTEREST_YEAR).delete()
        InterestClosing.objects.filter(year__gte=INTEREST_YEAR).delete()
        if PensionEntry.objects.filter(year=INTEREST_YEAR).count() < args.persons * 12:
            say("building 12 monthly pension credits per person …")
            PensionEntry.objects.filter(year=INTEREST_YEAR).delete()
            with connection.cursor() as cur:
                cur.execute(
                    f"""INSERT INTO {PensionEntry._meta.db_table}
                        (person_id, employer_id, period, year, month, kind, amount, credited_on)
                    SELECT p.id, NULL, {INTEREST_YEAR * 100} + m, {INTEREST_YEAR}, m, 'credit',
                           ROUND((300 + (p.id % 1700))::numeric + (p.id % 97) / 100.0, 2),
                           make_date({INTEREST_YEAR}, m, 15)
                    FROM persons_person p CROSS JOIN generate_series(1, 12) AS m"""
                )
                cur.execute("ANALYZE")
    say("closing a year's interest …")
    t = time.perf_counter()
    closing = interest_close(year=INTEREST_YEAR, today=dt.date(INTEREST_YEAR + 1, 1, 5))
    result["interest_seconds"] = round(time.perf_counter() - t, 2)
    result["interest_accounts"] = closing.accounts
    with transaction.atomic():  # leave the year open for the next run
        PensionYear.objects.filter(year=INTEREST_YEAR).delete()
        InterestClosing.objects.filter(year=INTEREST_YEAR).delete()
    return result


# ---------------------------------------------------------------------------------------------------------------
# Carry-back (issue 15): approved base changes reaching back into settled periods, and the runs that follow them.
# ---------------------------------------------------------------------------------------------------------------

CARRY_SOURCE = "bench-carry"  # ContributionBase.source of the benchmark's own changes
CARRY_NUMBER = "BENCHCB"  # RecordChange.declaration_number prefix (one "declaration" per changed person)
CARRY_SAMPLE_TASKS = 20  # open-period background tasks timed one by one (per-approval latency)


def _carry_periods() -> list[int]:
    from shebao.core.period import Period

    return [(Period(PERIOD) - k).value for k in (3, 2, 1)]


def _carry_reset(connection, say) -> None:
    """Remove everything a carry-back run wrote (its bases and change rows, marks, the past periods' lines,
    payables, employer periods, arrivals, allocations and account credits, their queued background tasks), so that
    the database is the one the settlement benchmark above expects. PERIOD itself is re-settled by the caller."""
    from shebao.contributions.models import SettlementMark, SettlementRun
    from shebao.individual_accounts.models import MedicalEntry, PensionEntry
    from shebao.persons.models import ContributionBase, RecordChange

    past = _carry_periods()
    in_past = ",".join(str(p) for p in past)
    SettlementMark.objects.all().delete()
    SettlementRun.objects.filter(period__in=past).exclude(status="failed").update(status="failed")
    ContributionBase.objects.filter(source=CARRY_SOURCE).delete()
    RecordChange.objects.filter(declaration_number__startswith=CARRY_NUMBER).delete()
    with connection.cursor() as cur:
        cur.execute(
            "DELETE FROM django_tasks_database_dbtaskresult WHERE task_path LIKE %s", ["%settlement_marks%"]
        )
        for table in (
            "contributions_allocation",
            "contributions_arrival",
            PensionEntry._meta.db_table,
            MedicalEntry._meta.db_table,
            "contributions_payable",
            "contributions_employerperiod",
            "contributions_contributionline",
        ):
            cur.execute(f"DELETE FROM {table} WHERE period IN ({in_past})")
        # PERIOD's account credits (none unless a carry-back run paid it) and the allocations' arrivals
        for model in (PensionEntry, MedicalEntry):
            cur.execute(f"DELETE FROM {model._meta.db_table} WHERE period = {PERIOD}")
    _vacuum(connection)


def _vacuum(connection) -> None:
    """What autovacuum would do between the steps (this machine's PostgreSQL runs with it off)."""
    from shebao.individual_accounts.models import MedicalEntry, PensionEntry

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        for table in (
            "contributions_contributionline",
            "contributions_payable",
            "contributions_employerperiod",
            "contributions_arrival",
            "contributions_allocation",
            "contributions_settlementmark",
            "persons_contributionbase",
            "persons_recordchange",
            PensionEntry._meta.db_table,
            MedicalEntry._meta.db_table,
        ):
            cur.execute(f"VACUUM (ANALYZE) {table}")


def _carry_back(args, result: dict, say) -> dict:
    """Time the carry-back of approved base changes for `--carry-fraction` of the city's persons (see the module
    docstring) against settling the same employers' periods from scratch."""
    import random
    from decimal import Decimal

    from django.db import connection, transaction

    from shebao.contributions.models import EmployerPeriod
    from shebao.contributions.services import (
        arrivals_import,
        settlement_execute,
        settlement_mark_record_changes,
        settlement_marks_process,
        settlement_run,
        settlement_start,
    )
    from shebao.employers.models import Employer
    from shebao.parameters.selectors import base_year_of
    from shebao.persons import services as record
    from shebao.persons.models import Person, RecordChange

    past = _carry_periods()
    first = past[0]
    out: dict = {"periods": past}
    say(f"carry-back: resetting, then settling {past} and re-settling {PERIOD} city-wide (untimed) …")
    _carry_reset(connection, say)
    t = time.perf_counter()
    for period in [*past, PERIOD]:
        run = settlement_run(period=period, source="benchmark")
        assert run.status == "done", run.message
    out["setup_settle_seconds"] = round(time.perf_counter() - t, 2)

    # Every employer pays each past period in full on its due date (bank-file import: the real allocation and
    # account crediting). PERIOD stays open (settled, unpaid) like a current month.
    t = time.perf_counter()
    employers = Employer.objects.in_bulk()
    rows = [
        {
            "employer": employers[ep.employer_id],
            "received_on": ep.due_date,
            "amount": ep.amount_due,
            "reference": "",
            "period": ep.period,
            "line": i,
        }
        for i, ep in enumerate(
            EmployerPeriod.objects.filter(period__in=past, amount_due__gt=0).order_by("employer_id", "period")
        )
    ]
    arrivals_import(rows=rows)
    out["arrivals"] = len(rows)
    out["setup_pay_seconds"] = round(time.perf_counter() - t, 2)
    unpaid = EmployerPeriod.objects.filter(period__in=past, amount_due__gt=0, paid_on__isnull=True).count()
    assert unpaid == 0, f"{unpaid} past employer periods not paid"

    # 1 % of the persons: a base change from the first past period, one H08-like change per person through the
    # service the H08 effect calls (persons.services.base_set), each with its own declaration number.
    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(
            """SELECT b.person_id, b.employer_id, b.declared_wage FROM persons_contributionbase b
            JOIN persons_employment e ON e.person_id = b.person_id AND e.employer_id = b.employer_id
            WHERE e.start_period <= %s AND (e.stop_period IS NULL OR e.stop_period > %s)
              AND b.start_period = (SELECT MAX(b2.start_period) FROM persons_contributionbase b2
                                    WHERE b2.person_id = b.person_id AND b2.employer_id = b.employer_id
                                      AND b2.start_period <= %s)
              AND b.start_period < %s
            ORDER BY b.person_id, b.employer_id, b.id""",
            [first, PERIOD, first, first],
        )
        # Not those with a base starting at `first` itself: base_set would replace that row, and the clean-up
        # (which deletes the benchmark's own rows) could not give it back. A person employed twice at the same
        # employer appears once, so the draw is the same on every run.
        candidates = list({(p, e): (p, e, w) for p, e, w in cur.fetchall()}.values())
    wanted = max(1, round(Person.objects.count() * args.carry_fraction))
    chosen = random.Random(SEED).sample(candidates, min(wanted, len(candidates)))
    base_year = base_year_of(first)
    for i, (person_id, employer_id, wage) in enumerate(chosen):
        record.base_set(
            person=Person(pk=person_id),
            employer=employers[employer_id],
            base_year=base_year,
            start_period=first,
            declared_wage=(Decimal(wage) * Decimal("1.1")).quantize(Decimal("0.01")),
            source=CARRY_SOURCE,
            declaration_number=f"{CARRY_NUMBER}{i:08d}",
        )
    out["changed_persons"] = len(chosen)
    out["changed_employers"] = len({e for _p, e, _w in chosen})
    out["setup_change_seconds"] = round(time.perf_counter() - t, 2)
    _vacuum(connection)
    say(
        f"  {len(chosen):,} persons at {out['changed_employers']:,} employers changed from {first} "
        f"(setup: settle {out['setup_settle_seconds']} s, pay {out['setup_pay_seconds']} s, "
        f"change {out['setup_change_seconds']} s)"
    )

    # Timed 1: marking, as each approval does (its own transaction; open periods queued once it commits).
    say("carry-back: marking (one call per approved change) …")
    t = time.perf_counter()
    queued: dict[int, list[int]] = {}
    for i in range(len(chosen)):
        with transaction.atomic():
            queued.update(
                settlement_mark_record_changes(
                    changes=RecordChange.objects.filter(declaration_number=f"{CARRY_NUMBER}{i:08d}"),
                    reason="benchmark",
                )
            )
    out["mark_seconds"] = round(time.perf_counter() - t, 2)

    # Timed 2: the marked periods re-settled as a city-wide run does once it is done (settlement_marks_process():
    # one run per marked period, restricted to its marked employers). It takes the open period's marks too: the
    # background tasks the approvals queued (one per employer) have not run here; their cost per approval is
    # measured apart below.
    say("carry-back: settlement_marks_process() …")
    t = time.perf_counter()
    runs = settlement_marks_process()
    out["process_seconds"] = round(time.perf_counter() - t, 2)
    assert all(r.status == "done" for r in runs), [r.message for r in runs]
    out["runs"] = [
        {
            "period": r.period,
            "employers": len(r.employers or []),
            "lines": r.lines_written,
            "adjustment_lines": r.adjustment_lines,
            "seconds": round((r.finished_at - r.started_at).total_seconds(), 2),
            "steps": {s["step"]: s["seconds"] for s in r.steps},
        }
        for r in runs
    ]
    out["carry_seconds"] = round(out["mark_seconds"] + out["process_seconds"], 2)
    with connection.cursor() as cur:
        cur.execute(
            "DELETE FROM django_tasks_database_dbtaskresult WHERE task_path LIKE %s", ["%settlement_marks%"]
        )

    # Baseline: the same employers × periods settled from scratch — their lines, payables and employer periods
    # removed (then vacuumed, as before the city-wide run above), one restricted run per period.
    scope = {r.period: sorted(r.employers or []) for r in runs}
    with connection.cursor() as cur:
        for period, ids in scope.items():
            in_ids = ",".join(str(int(e)) for e in ids)
            for table in (
                "contributions_contributionline",
                "contributions_payable",
                "contributions_employerperiod",
            ):
                cur.execute(f"DELETE FROM {table} WHERE period = {period} AND employer_id IN ({in_ids})")
    _vacuum(connection)
    say("baseline: the same employers' periods settled from scratch …")
    t = time.perf_counter()
    baseline = []
    for period in sorted(scope):
        run = settlement_execute(
            run=settlement_start(period=period, source="benchmark", employer_ids=scope[period])
        )
        assert run.status == "done", run.message
        baseline.append({"period": period, "employers": len(scope[period]), "lines": run.lines_written})
    out["baseline_seconds"] = round(time.perf_counter() - t, 2)
    out["baseline_runs"] = baseline
    out["ratio"] = round(out["carry_seconds"] / out["baseline_seconds"], 2)
    out["ratio_runs"] = round(out["process_seconds"] / out["baseline_seconds"], 2)

    # Apart (not in the ratio): what one approval's background task costs — a run of the open period restricted
    # to one employer (settlement_marks_task → settlement_marks_process(employer_ids=[e], periods=[PERIOD])).
    task_seconds: list[float] = []
    task_steps: dict[str, float] = {}
    for employer_id in sorted(queued)[:CARRY_SAMPLE_TASKS]:
        t = time.perf_counter()
        run = settlement_execute(
            run=settlement_start(period=PERIOD, source="benchmark", employer_ids=[employer_id])
        )
        task_seconds.append(time.perf_counter() - t)
        assert run.status == "done", run.message
        for s in run.steps:
            task_steps[s["step"]] = task_steps.get(s["step"], 0) + s["seconds"]
    if task_seconds:
        out["task_steps"] = {k: round(v / len(task_seconds), 3) for k, v in task_steps.items()}
        out["task_sample"] = len(task_seconds)
        out["task_mean_seconds"] = round(sum(task_seconds) / len(task_seconds), 3)
        out["task_max_seconds"] = round(max(task_seconds), 3)

    # Leave the database as the settlement benchmark expects it: no past periods, PERIOD on the original record.
    say("carry-back: cleaning up (untimed) …")
    _carry_reset(connection, say)
    run = settlement_run(period=PERIOD, source="benchmark")
    assert run.status == "done", run.message
    result["carry_back"] = out
    return result


def _print_carry_back(backend: str, c: dict) -> None:
    print(
        f"  {backend:6} carry-back: {c['changed_persons']:,} persons at {c['changed_employers']:,} employers, "
        f"base changed from {c['periods'][0]} ({c['periods'][0]}–{c['periods'][-1]} paid, {PERIOD} open)"
    )
    print(
        f"         carry-back {c['carry_seconds']:.2f} s = marking {c['mark_seconds']:.2f} s + "
        f"settlement_marks_process {c['process_seconds']:.2f} s;  baseline (same employers × periods from "
        f"scratch) {c['baseline_seconds']:.2f} s;  ratio {c['ratio']:.2f}× (runs alone {c['ratio_runs']:.2f}×; "
        "target ≤ 2×)"
    )
    for r in c["runs"]:
        print(
            f"         carry-back run {r['period']}: {r['employers']:,} employers, {r['lines']:,} lines, "
            f"{r['adjustment_lines']:,} adjustment lines, {r['seconds']:.2f} s  {r['steps']}"
        )
    for r in c["baseline_runs"]:
        print(f"         baseline run {r['period']}: {r['employers']:,} employers, {r['lines']:,} lines")
    if "task_sample" in c:
        print(
            f"         one approval's background task (open {PERIOD}, one employer): mean "
            f"{c['task_mean_seconds']:.3f} s, max {c['task_max_seconds']:.3f} s over {c['task_sample']} employers; "
            f"mean steps {c['task_steps']}"
        )
    print(
        f"         untimed setup: settle {c['setup_settle_seconds']:.2f} s, {c['arrivals']:,} arrivals "
        f"{c['setup_pay_seconds']:.2f} s, changes {c['setup_change_seconds']:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--employers", type=int, default=100_000)
    parser.add_argument("--backend", choices=["pg", "sqlite", "both"], default="both")
    parser.add_argument("--skip-interest", action="store_true")
    parser.add_argument(
        "--only-interest", action="store_true", help="PostgreSQL: time the interest closing only"
    )
    parser.add_argument("--build-only", action="store_true", help="build (or check) the database and stop")
    parser.add_argument(
        "--carry-back",
        action="store_true",
        help="also time the carry-back of approved base changes (issue 15)",
    )
    parser.add_argument("--only-carry-back", action="store_true", help="time the carry-back only")
    parser.add_argument(
        "--carry-fraction", type=float, default=0.01, help="share of the persons whose base changes (0.01)"
    )
    parser.add_argument(
        "--database",
        default="",
        help="PostgreSQL database name (default shebao_bench_<persons>); SQLite: the file's name stem",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print("RESULT " + json.dumps(child(args)), flush=True)
        return

    results = {}
    backends = ["pg", "sqlite"] if args.backend == "both" else [args.backend]
    database = args.database or f"shebao_bench_{args.persons}"
    for backend in backends:
        env = dict(os.environ)
        if backend == "pg":
            server = os.environ.get("SHEBAO_BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
            subprocess.run(
                ["psql", f"{server}/postgres", "-qc", f"CREATE DATABASE {database}"],
                capture_output=True,
            )
            env["SHEBAO_DATABASE_URL"] = f"{server}/{database}"
        else:
            folder = Path(os.environ.get("SHEBAO_BENCH_DIR", "/tmp/shebao-bench"))
            folder.mkdir(parents=True, exist_ok=True)
            env.pop("SHEBAO_DATABASE_URL", None)
            stem = args.database or f"settlement-{args.persons}"
            env["SHEBAO_DATABASE_URL"] = f"sqlite:///{folder / f'{stem}.sqlite3'}"
        env.setdefault("SHEBAO_DATA_DIR", "/tmp/shebao-bench")
        argv = [
            sys.executable,
            __file__,
            "--child",
            "--persons",
            str(args.persons),
            "--employers",
            str(args.employers),
        ]
        if args.skip_interest:
            argv.append("--skip-interest")
        if args.only_interest:
            argv.append("--only-interest")
        if args.build_only:
            argv.append("--build-only")
        if args.carry_back:
            argv.append("--carry-back")
        if args.only_carry_back:
            argv.append("--only-carry-back")
        argv += ["--carry-fraction", str(args.carry_fraction)]
        out = subprocess.run(argv, env=env, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        lines = out.stdout.splitlines()
        print("\n".join(line for line in lines if not line.startswith("RESULT ")))
        found = [json.loads(line[7:]) for line in lines if line.startswith("RESULT ")]
        if out.returncode or not found:
            raise SystemExit(f"{backend} benchmark failed")
        results[backend] = found[0]

    print(f"\nSettlement of one period, {args.persons:,} persons / {args.employers:,} employers")
    for backend, r in results.items():
        target = 60 if backend == "pg" else 120
        if "carry_back" in r:
            _print_carry_back(backend, r["carry_back"])
        if "lines" not in r and "interest_seconds" in r:
            print(
                f"  {backend:6} interest closing {r['interest_seconds']:.2f} s for {r['interest_accounts']:,} accounts"
            )
            continue
        if "lines" not in r:
            continue
        print(
            f"  {backend:6} lines {r['lines']:>10,}  settlement {r['settle_seconds']:>7.2f} s (target ≤ {target} s)  "
            f"rerun {r['rerun_seconds']:>7.2f} s  floor {r['floor_seconds']:>7.2f} s  ratio {r['ratio']:.2f}× "
            f"(target ≤ 2× on pg)"
        )
        print(f"         steps {r['steps']}")
        if "interest_seconds" in r:
            print(
                f"         interest closing {r['interest_seconds']:.2f} s for {r['interest_accounts']:,} accounts "
                "(target ≤ 60 s)"
            )
        if "floor_totals" in r:
            print(f"         totals settlement {r['settlement_totals']} / floor {r['floor_totals']}")


if __name__ == "__main__":
    main()
