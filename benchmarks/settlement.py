"""Settlement at city scale: 1,000,000 insured persons across 100,000 employers, one period, on PostgreSQL and SQLite.

For each backend it builds the core record with the demo generator (or reuses it when the database already holds
exactly that many employers and persons), then times:

1. ``settlement_run`` of one period, first run (lines inserted) and a rerun of the open period (lines replaced);
2. the floor: one hand-written ``INSERT … SELECT`` over the same coverage × base × rate join writing the same
   lines with the database's own ROUND (numeric on PostgreSQL), into the same table with the same indexes;
3. (PostgreSQL) closing a year's pension-account interest for every person (12 monthly credits each).

and prints the ratio settlement / floor. Targets (issue 4): PostgreSQL ≤ 60 s and ≤ 2× the floor; SQLite ≤ 120 s;
interest for 1,000,000 accounts ≤ 60 s on PostgreSQL.

    .venv/bin/python benchmarks/settlement.py                       # both backends, 1,000,000 persons
    .venv/bin/python benchmarks/settlement.py --backend pg --persons 100000 --employers 10000

PostgreSQL: database ``shebao_bench_<persons>`` on SHEBAO_BENCH_PG (default postgres://postgres@127.0.0.1:5432), created if
missing. SQLite: ``$SHEBAO_BENCH_DIR/settlement-<persons>.sqlite3`` (default /tmp/shebao-bench). Not a test.
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
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print("RESULT " + json.dumps(child(args)), flush=True)
        return

    results = {}
    backends = ["pg", "sqlite"] if args.backend == "both" else [args.backend]
    for backend in backends:
        env = dict(os.environ)
        if backend == "pg":
            server = os.environ.get("SHEBAO_BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
            subprocess.run(
                ["psql", f"{server}/postgres", "-qc", f"CREATE DATABASE shebao_bench_{args.persons}"],
                capture_output=True,
            )
            env["SHEBAO_DATABASE_URL"] = f"{server}/shebao_bench_{args.persons}"
        else:
            folder = Path(os.environ.get("SHEBAO_BENCH_DIR", "/tmp/shebao-bench"))
            folder.mkdir(parents=True, exist_ok=True)
            env.pop("SHEBAO_DATABASE_URL", None)
            env["SHEBAO_DATABASE_URL"] = f"sqlite:///{folder / f'settlement-{args.persons}.sqlite3'}"
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
        if "lines" not in r:
            print(
                f"  {backend:6} interest closing {r['interest_seconds']:.2f} s for {r['interest_accounts']:,} accounts"
            )
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
