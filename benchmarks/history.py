"""History at scale: settlement, rerun and the line-reading pages when the line table holds years of periods,
with the line table as it is (one heap, two secondary indexes) and partitioned by year (PostgreSQL declarative
range partitioning on period).

    .venv/bin/python benchmarks/history.py --persons 100000 --periods 24
    .venv/bin/python benchmarks/history.py --persons 1000000 --periods 24      # ≈ 100 M lines: ≈ 20 GB of disk

On PostgreSQL database ``shebao_bench_history_<persons>`` (SHEBAO_BENCH_PG, default
postgres://postgres@127.0.0.1:5432; created, reused when it holds the same core record):

1. the core record with the demo generator (persons / 10 employers, current period 202611);
2. **empty**: settlement of 202612 into an empty line table (the baseline of the ≤ 1.25× target);
3. the history, set-based: 202611 settled once with ``settlement_run``, then its lines copied to the
   ``periods - 1`` periods before it with one ``INSERT … SELECT`` per period (period replaced, same rows
   otherwise: the size and index shape of a real history, not its variety), then VACUUM (ANALYZE);
4. **history**: settlement of 202612 again with ``periods`` periods in the table, a rerun of it, and the disk
   the line table and its indexes take;
5. p50 / p95 of the pages that read lines for the largest employer (Q03 summary and drill-downs, Q09 for one of
   its employees, Q18 the annual statement, Q19 36-month trend), through Django's test client in-process;
6. with ``--partitioned``: the line table converted to a table partitioned by year of period (same columns and
   indexes, rows copied), then 4. and 5. again.

Prints a table; ``--json`` writes the figures. Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
CURRENT = 202611
NEXT = 202612
SEED = 20261126


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


def periods_before(period: int, count: int) -> list[int]:
    out, y, m = [], period // 100, period % 100
    for _ in range(count):
        m -= 1
        if m == 0:
            y, m = y - 1, 12
        out.append(y * 100 + m)
    return out


def setup(persons: int) -> None:
    import psycopg

    server = os.environ.get("SHEBAO_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
    name = f"shebao_bench_history_{persons}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["SHEBAO_DATABASE_URL"] = f"{server}/{name}"
    os.environ.setdefault("SHEBAO_DATA_DIR", "/tmp/shebao-bench/var")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shebao.settings")
    import django

    django.setup()


def sql(statement: str, params=None):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(statement, params)
        return cur.fetchall() if cur.description else None


def timed_settlement(period: int) -> tuple[float, object]:
    from shebao.contributions.services import settlement_run

    began = time.perf_counter()
    run = settlement_run(period=period, source="benchmark")
    assert run.status == "done", run.message
    return time.perf_counter() - began, run


def clear_period(period: int) -> None:
    from shebao.contributions.services import LINE

    for table in (LINE, "contributions_payable", "contributions_employerperiod"):
        sql(f"DELETE FROM {table} WHERE period = %s", [period])
    sql("UPDATE contributions_settlementrun SET status = 'failed' WHERE period = %s", [period])
    vacuum()


def vacuum() -> None:
    from django.db import connection

    from shebao.contributions.services import LINE

    connection.ensure_connection()
    with connection.cursor() as cur:
        for table in (LINE, "contributions_payable", "contributions_employerperiod"):
            cur.execute(f"VACUUM (ANALYZE) {table}")


def line_disk() -> dict:
    from shebao.contributions.services import LINE

    rows = sql("""SELECT count(*) FROM pg_inherits WHERE inhparent = %s::regclass""", [LINE])[0][0]
    if rows:  # partitioned: add up the partitions
        size = sql(
            "SELECT sum(pg_table_size(inhrelid)), sum(pg_indexes_size(inhrelid)) FROM pg_inherits "
            "WHERE inhparent = %s::regclass",
            [LINE],
        )[0]
    else:
        size = sql("SELECT pg_table_size(%s::regclass), pg_indexes_size(%s::regclass)", [LINE, LINE])[0]
    count = sql(f"SELECT count(*) FROM {LINE}")[0][0]
    return {"lines": count, "heap_mb": round(size[0] / 2**20, 1), "index_mb": round(size[1] / 2**20, 1)}


def build_history(periods: int) -> float:
    from shebao.contributions.services import LINE, LINE_COLUMNS

    began = time.perf_counter()
    timed_settlement(CURRENT)
    columns = LINE_COLUMNS.replace("period, ", "")
    for period in periods_before(CURRENT, periods - 1):
        sql(
            f"INSERT INTO {LINE} (period, {columns}) SELECT %s, {columns} FROM {LINE} WHERE period = %s",
            [period, CURRENT],
        )
    vacuum()
    return time.perf_counter() - began


def partition_by_year() -> float:
    """The line table becomes a table partitioned by RANGE (period), one partition per year, same columns,
    primary key (id, period) — a partitioned table's unique keys must include the partition key — and the same
    two secondary indexes (created on the parent, so every partition has them)."""
    from shebao.contributions.services import LINE

    began = time.perf_counter()
    years = [y for (y,) in sql(f"SELECT DISTINCT period / 100 FROM {LINE} ORDER BY 1")]
    years = sorted(set(years) | {NEXT // 100, NEXT // 100 + 1})
    sql(f"ALTER TABLE {LINE} RENAME TO {LINE}_flat")
    sql(
        f"CREATE TABLE {LINE} (LIKE {LINE}_flat INCLUDING DEFAULTS INCLUDING IDENTITY) PARTITION BY RANGE (period)"
    )
    for year in years:
        sql(
            f"CREATE TABLE {LINE}_y{year} PARTITION OF {LINE} FOR VALUES FROM ({year * 100}) TO ({year * 100 + 100})"
        )
    sql(f"INSERT INTO {LINE} SELECT * FROM {LINE}_flat")
    sql(f"SELECT setval(pg_get_serial_sequence('{LINE}', 'id'), (SELECT max(id) FROM {LINE}))")
    sql(f"ALTER TABLE {LINE} ADD PRIMARY KEY (id, period)")
    for index, cols in (
        ("line_period_employer_ins", "period, employer_id, insurance"),
        ("line_person_period", "person_id, period"),
    ):
        sql(f"ALTER INDEX IF EXISTS {index} RENAME TO {index}_flat")
        sql(f"CREATE INDEX {index} ON {LINE} ({cols})")
    sql(f"DROP TABLE {LINE}_flat")
    vacuum()
    return time.perf_counter() - began


NARROW = """CREATE UNLOGGED TABLE IF NOT EXISTS bench_line_narrow (
    period integer NOT NULL, employer_id integer NOT NULL, person_id bigint NOT NULL,
    insurance smallint NOT NULL, kind smallint NOT NULL, run_id integer NOT NULL,
    base_cents integer NOT NULL, employer_cents integer NOT NULL, individual_cents integer NOT NULL)"""
INSURANCE_CODE = (
    "CASE insurance WHEN 'pension' THEN 1 WHEN 'medical' THEN 2 WHEN 'unemployment' THEN 3 "
    "WHEN 'injury' THEN 4 ELSE 5 END"
)


def shapes(period: int, rounds: int = 3) -> dict:
    """One period's lines written into (a) a copy of today's line shape with its primary key and two indexes,
    (b) a narrow shape — integer cents, small codes for insurance and kind, rates left on the run's rate rows,
    no surrogate id (key: period, employer, person, insurance, kind) — with the same two secondary indexes.
    Both tables UNLOGGED so that WAL does not decide the comparison; best of `rounds`. Bytes per line from the
    table and index sizes."""
    from shebao.contributions.services import LINE

    sql(NARROW)
    sql(f"CREATE UNLOGGED TABLE IF NOT EXISTS bench_line_wide (LIKE {LINE} INCLUDING ALL)")
    sql("CREATE INDEX IF NOT EXISTS bench_wide_pei ON bench_line_wide (period, employer_id, insurance)")
    sql("CREATE INDEX IF NOT EXISTS bench_wide_pp ON bench_line_wide (person_id, period)")
    sql(
        "CREATE UNIQUE INDEX IF NOT EXISTS bench_narrow_key ON bench_line_narrow (period, employer_id, person_id, insurance, kind)"
    )
    sql("CREATE INDEX IF NOT EXISTS bench_narrow_pp ON bench_line_narrow (person_id, period)")
    wide_cols = "period, employer_id, person_id, insurance, kind, base, employer_rate, individual_rate, employer_amount, individual_amount, run_id"
    statements = {
        "wide": f"INSERT INTO bench_line_wide ({wide_cols}) SELECT {wide_cols} FROM {LINE} WHERE period = {period}",
        "narrow": (
            "INSERT INTO bench_line_narrow SELECT period, employer_id, person_id, "
            f"{INSURANCE_CODE}, CASE kind WHEN 'regular' THEN 1 ELSE 2 END, run_id, "
            "(base * 100)::integer, (employer_amount * 100)::integer, (individual_amount * 100)::integer "
            f"FROM {LINE} WHERE period = {period}"
        ),
    }
    sql(f"SELECT count(*) FROM {LINE} WHERE period = {period}")  # warm the source
    out = {}
    for name, statement in statements.items():
        best = None
        for _ in range(rounds):
            sql(f"TRUNCATE bench_line_{name}")
            began = time.perf_counter()
            sql(statement)
            took = time.perf_counter() - began
            best = took if best is None else min(best, took)
        rows = sql(f"SELECT count(*) FROM bench_line_{name}")[0][0]
        heap, index = sql(f"SELECT pg_table_size('bench_line_{name}'), pg_indexes_size('bench_line_{name}')")[
            0
        ]
        out[name] = {"seconds": round(best, 2), "rows": rows, "heap_bytes_per_line": round(heap / rows, 1),
                     "index_bytes_per_line": round(index / rows, 1)}  # fmt: skip
        say(
            f"    {name:<6} {best:6.2f} s for {rows:,} lines; heap {heap / rows:5.1f} B/line, indexes {index / rows:5.1f} B/line"
        )
    sql("DROP TABLE bench_line_wide, bench_line_narrow")
    return out


def pages(requests: int) -> list[dict]:
    from django.test import Client

    from shebao.accounts.models import User, UserKind
    from shebao.accounts.services import account_create
    from shebao.contributions.services import LINE

    employer_id, _ = sql(
        f"SELECT employer_id, count(*) FROM {LINE} WHERE period = %s GROUP BY 1 ORDER BY 2 DESC LIMIT 1",
        [CURRENT],
    )[0]
    person_id = sql(
        f"SELECT person_id FROM {LINE} WHERE period = %s AND employer_id = %s LIMIT 1", [CURRENT, employer_id]
    )[0][0]
    from shebao.employers.models import Employer
    from shebao.persons.models import Person

    employer = Employer.objects.get(pk=employer_id)
    idn = Person.objects.get(pk=person_id).id_number
    user = User.objects.filter(username="bench_history").first() or account_create(
        username="bench_history", password="Bench-pass-2026", kind=UserKind.EMPLOYER, employer=employer,
        display_name="压测", is_employer_admin=True, must_change_password=False,
    )  # fmt: skip
    if user.employer_id != employer_id:
        User.objects.filter(pk=user.pk).update(employer=employer)
        user.refresh_from_db()
    client = Client()
    client.force_login(user)
    q = "/portal/items/"
    plan = [
        ("Q03 应付汇总", f"{q}Q03/"),
        ("Q03 明细 养老单位部分", f"{q}Q03/?period={CURRENT}&insurance=pension&part=employer"),
        ("Q03 明细 全部险种 末页", f"{q}Q03/?period={CURRENT}&part=total&page=999999"),
        ("Q03 明细 按姓名排序", f"{q}Q03/?period={CURRENT}&part=total&sort=name&page=20"),
        ("Q09 缴费明细 (单位)", f"{q}Q09/?id_number={idn}"),
        ("Q18 年度对账单", f"{q}Q18/"),
        ("Q19 趋势 24个月", f"{q}Q19/?start={periods_before(CURRENT, 23)[-1]}&end={CURRENT}"),
    ]
    from queries import measure  # benchmarks/queries.py: warm-up, timed requests, p50 / p95

    return measure({"employer": client}, [(label, "employer", url) for label, url in plan], requests=requests)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--periods", type=int, default=24)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--partitioned", action="store_true", help="then measure the year-partitioned table")
    parser.add_argument(
        "--shapes-only", action="store_true", help="only compare today's and a narrow line shape"
    )
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    setup(args.persons)
    from django.core.management import call_command

    from shebao.contributions.services import LINE
    from shebao.employers.models import Employer
    from shebao.persons.models import Person

    call_command("migrate", verbosity=0)
    result: dict = {"persons": args.persons, "periods": args.periods, "load_before": os.getloadavg()}
    if Person.objects.count() != args.persons:
        if Person.objects.exists():
            raise SystemExit("the benchmark database holds another size: drop it first")
        from shebao.demo.generator import generate
        from shebao.demo.parameters import demo_parameters_ensure

        demo_parameters_ensure(first_year=2023, last_year=2027)
        say(f"building {args.persons:,} persons with the demo generator …")
        began = time.perf_counter()
        generate(
            employers=max(2, args.persons // 10), persons=args.persons, seed=SEED, current_period=CURRENT
        )
        result["generate_seconds"] = round(time.perf_counter() - began, 1)
        sql("ANALYZE")
    say(f"{Employer.objects.count():,} employers, {Person.objects.count():,} persons")

    if args.shapes_only:
        if not sql(f"SELECT 1 FROM {LINE} WHERE period = %s LIMIT 1", [CURRENT]):
            timed_settlement(CURRENT)
        result["shapes"] = shapes(CURRENT)
        print(json.dumps(result, ensure_ascii=False, default=str))
        return 0

    say("empty line table: settlement of 202612")
    sql(f"TRUNCATE {LINE}")
    for period in (CURRENT, NEXT):
        clear_period(period)
    seconds, run = timed_settlement(NEXT)
    result["empty"] = {"settle": round(seconds, 2), "lines": run.lines_written}
    say(f"  {seconds:.2f} s, {run.lines_written:,} lines")
    clear_period(NEXT)

    say(f"history: {args.periods} periods set-based")
    result["history_build_seconds"] = round(build_history(args.periods), 1)

    def measure(label: str) -> dict:
        figures = {"disk": line_disk()}
        say(
            f"  [{label}] lines {figures['disk']['lines']:,}: heap {figures['disk']['heap_mb']} MB, indexes {figures['disk']['index_mb']} MB"
        )
        seconds, run = timed_settlement(NEXT)
        figures["settle"] = round(seconds, 2)
        figures["steps"] = {s["step"]: s["seconds"] for s in run.steps}
        seconds, _ = timed_settlement(NEXT)
        figures["rerun"] = round(seconds, 2)
        say(
            f"  [{label}] settlement of 202612 {figures['settle']:.2f} s "
            f"({figures['settle'] / result['empty']['settle']:.2f}× empty), rerun {figures['rerun']:.2f} s"
        )
        vacuum()
        figures["pages"] = pages(args.requests)
        clear_period(NEXT)
        return figures

    result["flat"] = measure("one table")
    if args.partitioned:
        say("partitioning the line table by year")
        result["partition_seconds"] = round(partition_by_year(), 1)
        result["partitioned"] = measure("by year")
    result["load_after"] = os.getloadavg()
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    print(
        json.dumps(
            {k: v for k, v in result.items() if k not in ("flat", "partitioned")},
            ensure_ascii=False,
            default=str,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
