"""Batch import at city scale: a generated H01 file of 50,000 rows, checked and confirmed, against
django-import-export (the usual choice) importing the same file into the same model in the same run.

    .venv/bin/pip install -e '.[bench]'                       # django-import-export, for the baseline
    .venv/bin/python benchmarks/imports.py                    # 1,000,000 persons, 50,000 rows
    .venv/bin/python benchmarks/imports.py --persons 100000 --rows 5000     # a quick run
    .venv/bin/python benchmarks/imports.py --database shebao_bench_1000000  # reuse a database of that size

The database (PostgreSQL, ``shebao_bench_imports_<persons>`` unless ``--database`` names another) is built with
the demo generator (``shebao.demo.generator``, persons / 30 employers, current period 202611) when empty and
reused when it holds the requested number of persons. The benchmark writes only what it measures — the import
batches and the declarations they make — and deletes them again at the end, so a reused database is left as
it was found.

Each side runs in its own child process, so that each one's peak memory (maximum resident set size, which
includes Django and the interpreter, ~70 MB) is its own:

- **shebao**: ``batch_upload`` + ``batch_validate`` (read the xlsx with python-calamine, check every row with
  H01's own checks plus across rows and against pending declarations, write the checked rows) = *validation*;
  ``batch_confirm_start`` + ``batch_confirm`` (50,000 declarations, their versions and events in one
  transaction) = *confirm*.
- **django-import-export** 4.x, a ``ModelResource`` on ``Declaration`` with its fastest documented settings
  (``use_bulk``, ``batch_size=2000``, ``skip_diff``, ``skip_html_diff``, ``force_init_instance``,
  ``skip_unchanged=False``, ``clean_model_instances=False``, one transaction), loading the same file through
  tablib, and checking each row with the same ``ItemDefinition.evaluate`` in ``before_import_row`` — without
  it, it would check nothing, which is not the same job. Its time is load + ``import_data`` (no dry run).

The ratio is import-export's end-to-end time ÷ ours (validation + confirm). Targets (issue 12): validation ≤ 15 s,
confirm ≤ 15 s, peak memory ≤ 500 MB, at least 5× faster than django-import-export.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("SHEBAO_BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
PERIOD = 202611
TODAY = dt.date(2026, 11, 26)
SEED = 20261126
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def _setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shebao.settings")
    os.environ["SHEBAO_FIXED_TODAY"] = TODAY.isoformat()
    import django

    django.setup()
    from django.conf import settings

    settings.SHEBAO_FIXED_TODAY = TODAY


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def build(args, say) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from shebao.employers.models import Employer
    from shebao.persons.models import Person

    call_command("migrate", verbosity=0)
    persons = Person.objects.count()
    result = {"persons": persons, "employers": Employer.objects.count()}
    if persons == args.persons:
        return result
    if persons:
        raise SystemExit(f"the database holds {persons:,} persons, not {args.persons:,}")
    from shebao.demo.generator import generate

    employers = max(1, args.persons // 30)
    say(f"building {employers:,} employers / {args.persons:,} persons with the demo generator …")
    started = time.perf_counter()
    generate(employers=employers, persons=args.persons, seed=SEED, current_period=PERIOD, progress=say)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return {
        "persons": args.persons,
        "employers": employers,
        "build_seconds": round(time.perf_counter() - started, 1),
    }


def make_file(rows: int, path: Path) -> dict:
    """An H01 file of `rows` first enrolments (ID numbers the record does not hold), written by openpyxl."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    from shebao.core.idnumbers import make_id_number
    from shebao.declarations.batch.columns import layout_for
    from shebao.persons.models import Person

    rng = random.Random(SEED)
    numbers: dict[str, tuple] = {}
    while len(numbers) < rows:
        birth = dt.date(1975, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 30))
        number = make_id_number("110101", birth, rng.randrange(0, 1000))
        numbers.setdefault(number, (birth, number))
    listed = list(numbers)
    taken = set()
    for start in range(0, len(listed), 5000):
        taken.update(
            Person.objects.filter(id_number__in=listed[start : start + 5000]).values_list(
                "id_number", flat=True
            )
        )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("数据")
    sheet.append([c.header for c in layout_for("H01").columns])  # the template's own headers
    written = 0
    for number in listed:
        if number in taken:
            continue
        birth, _n = numbers[number]
        wage = rng.choice(["3000", "5250", "8000", "12000.50", "30000"])
        row = [
            number,
            rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            "男" if int(number[16]) % 2 else "女",
            birth.isoformat(),
            "汉族",
            "本市城镇",
            f"139{rng.randrange(10**8):08d}",
            "北京市东城区某路1号",
            "合同制",
            str(PERIOD),
            wage,
            "养老、医疗、失业、工伤、生育",
        ]
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
        written += 1
    workbook.save(path)
    return {"rows": written, "bytes": path.stat().st_size}


def _operator(employer):
    from shebao.accounts.models import User, UserKind
    from shebao.accounts.services import account_create

    username = f"bench_import_{employer.number}"
    user = User.objects.filter(username=username).first()
    return user or account_create(
        username=username,
        password="Bench-2026-import",
        kind=UserKind.EMPLOYER,
        employer=employer,
        display_name="基准测试",
        must_change_password=False,
    )


def _employer():
    from shebao.employers.models import Employer

    return Employer.objects.order_by("id").first()


def cleanup(employer, operator) -> None:
    """Remove what the benchmark wrote (batches, declarations, the operator), leaving the database as found."""
    from django.db import transaction

    from shebao.accounts.models import AccountEvent
    from shebao.declarations.models import Declaration, ImportBatch

    with transaction.atomic():
        ImportBatch.objects.filter(employer=employer, created_by=operator).delete()
        Declaration.objects.filter(employer=employer, created_by=operator).delete()
        AccountEvent.objects.filter(user=operator).delete()
        operator.delete()


def run_ours(args, say) -> dict:
    from shebao.declarations.batch import services
    from shebao.declarations.models import Declaration, ImportBatch

    employer = _employer()
    operator = _operator(employer)
    content = Path(args.file).read_bytes()
    base_mb = peak_mb()
    try:
        say("shebao: validation …")
        started = time.perf_counter()
        batch = services.batch_upload(
            employer=employer,
            item_code="H01",
            file_name="h01.xlsx",
            content=content,
            options={},
            actor=operator,
            today=TODAY,
        )
        batch = services.batch_validate(batch_id=batch.pk)
        validate = time.perf_counter() - started
        assert batch.status == ImportBatch.Status.VALIDATED, batch.file_errors
        say(f"  {validate:.2f} s: {batch.accepted_rows:,} accepted, {batch.rejected_rows:,} rejected")
        say("shebao: confirm …")
        started = time.perf_counter()
        batch = services.batch_confirm_start(batch=batch, employer=employer, actor=operator, today=TODAY)
        batch = services.batch_confirm(batch_id=batch.pk, actor=operator)
        confirm = time.perf_counter() - started
        made = Declaration.objects.filter(batch_number=batch.number).count()
        say(f"  {confirm:.2f} s: {made:,} declarations")
        return {
            "validate_seconds": round(validate, 2),
            "confirm_seconds": round(confirm, 2),
            "accepted": batch.accepted_rows,
            "rejected": batch.rejected_rows,
            "declarations": made,
            "peak_mb": peak_mb(),
            "baseline_mb": base_mb,
        }
    finally:
        cleanup(employer, operator)


def run_import_export(args, say) -> dict:
    import tablib
    from django.db import transaction
    from django.utils import timezone
    from import_export import resources

    from shebao.declarations import services as declaration_services
    from shebao.declarations.batch.columns import header_key, layout_for
    from shebao.declarations.items import definition_for
    from shebao.declarations.models import Declaration

    employer = _employer()
    operator = _operator(employer)
    definition = definition_for("H01")
    layout = layout_for("H01")
    by_header = {header_key(c.label): c for c in layout.columns}

    class H01DeclarationResource(resources.ModelResource):
        """Rows of the H01 file → Declaration rows, each checked by H01's own evaluate (as a hand entry)."""

        class Meta:
            model = Declaration
            fields = ("number", "data", "subject_id_number", "subject_name")
            import_id_fields = ("number",)
            use_bulk = True
            batch_size = 2000
            skip_diff = True
            skip_html_diff = True
            force_init_instance = True
            skip_unchanged = False
            clean_model_instances = False
            use_transactions = True

        def before_import(self, dataset, **kwargs):
            self.numbers = iter(declaration_services.next_numbers(len(dataset)))
            self.now = timezone.now()

        def before_import_row(self, row, **kwargs):
            raw = {}
            for header, value in list(row.items()):
                column = by_header.get(header_key(header))
                if column is not None:
                    raw[column.name] = "" if value is None else str(value)
            choices = {f.name: {lab: val for val, lab in f.choice_list()} for f in definition.fields}
            for name in ("gender", "hukou_type", "employment_form"):
                raw[name] = choices[name].get(raw.get(name, ""), raw.get(name, ""))
            evaluation = definition.evaluate(raw, employer=employer, today=TODAY)
            if not evaluation.ok:
                raise ValueError("；".join(m for msgs in evaluation.field_errors.values() for m in msgs))
            row["number"] = next(self.numbers)
            row["data"] = json.dumps(evaluation.stored, ensure_ascii=False)
            row["subject_id_number"] = evaluation.stored["id_number"]
            row["subject_name"] = evaluation.stored["name"]

        def before_save_instance(self, instance, row, **kwargs):
            instance.employer = employer
            instance.item_code = "H01"
            instance.state = "submitted"
            instance.version = 1
            instance.created_by = operator
            instance.submitted_at = self.now
            instance.batch_number = "IE-BENCH"

    base_mb = peak_mb()
    try:
        say("django-import-export: load + import_data …")
        started = time.perf_counter()
        with open(args.file, "rb") as stream:
            dataset = tablib.Dataset().load(stream, format="xlsx")
        dataset.append_col([""] * len(dataset), header="number")  # the id column import-export requires
        loaded = time.perf_counter() - started
        with transaction.atomic():
            result = H01DeclarationResource().import_data(dataset, dry_run=False, raise_errors=False)
        total = time.perf_counter() - started
        made = Declaration.objects.filter(batch_number="IE-BENCH").count()
        if args.debug:
            say(
                f"totals {dict(result.totals)} base errors {[str(e.error) for e in result.base_errors][:3]} "
                f"invalid {[str(r.error) for r in result.invalid_rows][:3]} "
                f"rows {[str(e.error) for _n, errs in result.row_errors()[:3] for e in errs]}"
            )
        say(
            f"  {total:.2f} s (load {loaded:.2f} s): {made:,} declarations, {len(result.row_errors()):,} row errors"
        )
        return {
            "seconds": round(total, 2),
            "load_seconds": round(loaded, 2),
            "declarations": made,
            "row_errors": len(result.row_errors()),
            "peak_mb": peak_mb(),
            "baseline_mb": base_mb,
        }
    finally:
        cleanup(employer, operator)


def child(args) -> dict:
    _setup()
    say = lambda m: print(f"  [{args.part}] {m}", flush=True)  # noqa: E731
    if args.part == "build":
        result = build(args, say)
        result["file"] = make_file(args.rows, Path(args.file))
        return result
    if args.part == "ours":
        return run_ours(args, say)
    return run_import_export(args, say)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument(
        "--database", default="", help="database name (default shebao_bench_imports_<persons>)"
    )
    parser.add_argument("--skip-baseline", action="store_true", help="do not run django-import-export")
    parser.add_argument("--debug", action="store_true", help="say why import-export refused rows")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--part", default="", help=argparse.SUPPRESS)
    parser.add_argument("--file", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print("RESULT " + json.dumps(child(args)), flush=True)
        return

    database = args.database or f"shebao_bench_imports_{args.persons}"
    subprocess.run(["psql", f"{SERVER}/postgres", "-qc", f"CREATE DATABASE {database}"], capture_output=True)
    env = dict(os.environ, SHEBAO_DATABASE_URL=f"{SERVER}/{database}")
    env.setdefault("SHEBAO_DATA_DIR", "/tmp/shebao-bench")
    file = Path(os.environ.get("SHEBAO_BENCH_DIR", "/tmp/shebao-bench")) / f"h01-{args.rows}.xlsx"
    file.parent.mkdir(parents=True, exist_ok=True)

    def part(name: str) -> dict:
        argv = [sys.executable, __file__, "--child", "--part", name, "--file", str(file)]
        argv += ["--persons", str(args.persons), "--rows", str(args.rows)] + (
            ["--debug"] if args.debug else []
        )
        out = subprocess.run(argv, env=env, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        lines = out.stdout.splitlines()
        print("\n".join(line for line in lines if not line.startswith("RESULT ")), flush=True)
        found = [json.loads(line[7:]) for line in lines if line.startswith("RESULT ")]
        if out.returncode or not found:
            raise SystemExit(f"part {name} failed")
        return found[0]

    load = os.getloadavg()
    built = part("build")
    ours = part("ours")
    theirs = None if args.skip_baseline else part("import-export")
    print(
        f"\nBatch import of {built['file']['rows']:,} H01 rows ({built['file']['bytes'] / 1e6:.1f} MB xlsx), "
        f"PostgreSQL database {database}: {built['persons']:,} persons / {built['employers']:,} employers"
    )
    print(f"  load average at start {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (2 cores)")
    end_to_end = ours["validate_seconds"] + ours["confirm_seconds"]
    print(
        f"  shebao     validation {ours['validate_seconds']:>7.2f} s (target ≤ 15 s)  "
        f"confirm {ours['confirm_seconds']:>7.2f} s (target ≤ 15 s)  end to end {end_to_end:.2f} s  "
        f"peak RSS {ours['peak_mb']:.0f} MB (at start {ours['baseline_mb']:.0f} MB; target ≤ 500 MB)  "
        f"{ours['declarations']:,} declarations"
    )
    if theirs is not None:
        print(
            f"  import-export end to end {theirs['seconds']:>7.2f} s (load {theirs['load_seconds']:.2f} s)  "
            f"peak RSS {theirs['peak_mb']:.0f} MB  {theirs['declarations']:,} declarations, "
            f"{theirs['row_errors']:,} row errors"
        )
        print(f"  ratio import-export ÷ shebao: {theirs['seconds'] / end_to_end:.1f}× (target ≥ 5×)")
    print("RESULTS " + json.dumps({"build": built, "shebao": ours, "import_export": theirs}))


if __name__ == "__main__":
    main()
