"""Benchmark: the demo data generator at scale, against the backend's own insertion floor.

    .venv/bin/python benchmarks/demo_data.py [--sizes 200000,1000000] [--backend sqlite|postgres|both]

For each backend and size: a fresh database (a temporary SQLite file, or a PostgreSQL database
``shebao_bench_demo`` on 127.0.0.1:5432 as user postgres, dropped afterwards), migrated, then
``shebao.demo.generator.generate`` timed with persons / 30 employers (a city's ratio). The baseline in the same
database is the floor: as many minimal rows as ``generate`` wrote, (id, integer, short text), inserted into a
plain table with the same bulk path (``executemany`` in one transaction on SQLite, ``COPY`` on PostgreSQL).
The ratio generate / floor says how far the generator is from just moving that many rows.

Each (backend, size) runs in a child process, so settings are fresh and memory is returned.
This is a measurement, not a test: it takes minutes at 1,000,000 persons.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DATABASE = "shebao_bench_demo"
PERIOD = 202611
PERSONS_PER_EMPLOYER = 30


def child(backend: str, persons: int, seed: int) -> dict:
    """Runs inside the child process: migrate, generate, floor; returns the figures."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from shebao.demo.generator import generate

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_seconds = time.perf_counter() - started

    employers = max(1, persons // PERSONS_PER_EMPLOYER)
    cpu = time.process_time()
    summary = generate(
        employers=employers,
        persons=persons,
        seed=seed,
        current_period=PERIOD,
        progress=lambda m: print(f"    {m}", file=sys.stderr, flush=True),
    )
    generate_cpu = time.process_time() - cpu
    rows = sum(summary["counts"].values())

    # The floor: the same number of minimal rows through the same bulk path, into a plain table.
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_floor (id bigint PRIMARY KEY, a bigint NOT NULL, b varchar(20) NOT NULL)"
        )
    started = time.perf_counter()
    chunk = 200_000
    with transaction.atomic():
        raw = connection.connection
        for first in range(0, rows, chunk):
            batch = [(i, i % 1000, "x") for i in range(first, min(rows, first + chunk))]
            if backend == "sqlite":
                raw.executemany("INSERT INTO bench_floor (id, a, b) VALUES (?, ?, ?)", batch)
            else:
                with raw.cursor() as cursor, cursor.copy("COPY bench_floor (id, a, b) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
    floor_seconds = time.perf_counter() - started

    with connection.cursor() as cursor:
        if backend == "sqlite":
            size = Path(connection.settings_dict["NAME"]).stat().st_size
        else:
            cursor.execute("SELECT pg_database_size(current_database())")
            size = cursor.fetchone()[0]
    return {
        "backend": backend,
        "persons": persons,
        "employers": employers,
        "rows": rows,
        "counts": summary["counts"],
        "employers_by_size": summary["employers_by_size"],
        "generate_seconds": summary["seconds"],
        "generate_cpu_seconds": round(generate_cpu, 1),
        "seconds_by_step": summary["seconds_by_step"],
        "floor_seconds": round(floor_seconds, 2),
        "ratio": round(summary["seconds"] / floor_seconds, 2),
        "migrate_seconds": round(migrate_seconds, 1),
        "database_bytes": size,
    }


def run_one(backend: str, persons: int, seed: int) -> dict:
    data_dir = tempfile.mkdtemp(prefix="shebao_bench_demo_")
    env = dict(os.environ, SHEBAO_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="shebao.settings")
    if backend == "sqlite":
        env["SHEBAO_DATABASE_URL"] = f"sqlite:///{data_dir}/bench.sqlite3"
    else:
        _pg_admin(f'DROP DATABASE IF EXISTS "{PG_DATABASE}"', f'CREATE DATABASE "{PG_DATABASE}"')
        env["SHEBAO_DATABASE_URL"] = f"{PG_SERVER}/{PG_DATABASE}"
    try:
        result = subprocess.run(
            [sys.executable, __file__, "--child", backend, "--sizes", str(persons), "--seed", str(seed)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        )
        return json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        if backend == "postgres":
            _pg_admin(f'DROP DATABASE IF EXISTS "{PG_DATABASE}"')
        subprocess.run(["rm", "-rf", data_dir], check=False)


def _pg_admin(*statements: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)


def report(results: list[dict]) -> None:
    print()
    print(
        f"{'backend':<9}{'persons':>10}{'employers':>10}{'rows':>12}{'generate s':>12}{'cpu s':>8}"
        f"{'floor s':>9}{'ratio':>7}{'rows/s':>10}{'db MB':>8}"
    )
    for r in results:
        print(
            f"{r['backend']:<9}{r['persons']:>10,}{r['employers']:>10,}{r['rows']:>12,}"
            f"{r['generate_seconds']:>12.1f}{r['generate_cpu_seconds']:>8.1f}{r['floor_seconds']:>9.1f}"
            f"{r['ratio']:>7.2f}{r['rows'] / r['generate_seconds']:>10,.0f}{r['database_bytes'] / 2**20:>8,.0f}"
        )
    for r in results:
        steps = ", ".join(f"{k} {v:.1f}" for k, v in r["seconds_by_step"].items())
        print(f"  {r['backend']} {r['persons']:,}: {steps}")
        print(f"    rows {r['counts']}; employers by size {r['employers_by_size']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200000,1000000", help="persons, comma-separated")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if args.child:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(child(args.child, sizes[0], args.seed)))
        return
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    results = []
    for backend in backends:
        for persons in sizes:
            print(f"{backend}: {persons:,} persons …", flush=True)
            started = time.perf_counter()
            results.append(run_one(backend, persons, args.seed))
            r = results[-1]
            print(
                f"  generate {r['generate_seconds']:.1f} s, floor {r['floor_seconds']:.1f} s, "
                f"ratio {r['ratio']:.2f} (whole run {time.perf_counter() - started:.0f} s)",
                flush=True,
            )
    report(results)


if __name__ == "__main__":
    main()
