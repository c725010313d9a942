"""Query pages (Q01–Q20) at city scale: server time p50 / p95 over 20 requests per page.

    .venv/bin/python benchmarks/queries.py                      # 1,000,000 persons, one employer of 50,000
    .venv/bin/python benchmarks/queries.py --persons 30000 --big 3000   # a quick run

What it builds, in a fresh PostgreSQL database (SHEBAO_BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/shebao_bench_queries, dropped and re-created):

1. the core record of (persons − big) persons with the demo generator (``shebao.demo.generator``), 36 periods
   of history up to the current period;
2. one employer of ``big`` employees, all insured for the five insurances for the whole 36-period window, with a
   base per base year (declared wages spread 3,000–33,000, clamped to the year's limits), plus 300 retirees;
3. that employer's 36 periods of contribution lines, payables and employer periods, written set-based with the
   settlement formula (round(base × rate) per person, insurance and part, half-up) — the 1,000,000 others keep
   their core record only: settling everyone for 36 months (≈ 180 million lines) does not fit this machine;
4. arrivals paying all but the last three periods (one paid late) through ``contributions.services.arrival_record``
   (which also credits the pension and medical accounts), and benefit payments (pension for the retirees every
   month, maternity and work-injury payments, injury cases);
5. `VACUUM (ANALYZE)` of the database — what autovacuum would do (statistics and the visibility map that
   index-only scans need; the benchmark server runs with autovacuum off).

Then every query page of that employer is requested 20 times (after 2 warm-up requests) through Django's test
client in this process — server time is the time of the whole request: middleware, view, template. Prints a
table of p50 / p95 in milliseconds and the ratio of p95 to the 200 ms target; exit status 1 if any page misses.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/shebao_bench_queries"
TARGET_MS = 200.0
INSURANCES = ("pension", "medical", "unemployment", "injury", "maternity")


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def recreate_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["SHEBAO_DATABASE_URL"] = url
    os.environ.setdefault("SHEBAO_DATA_DIR", "/tmp/shebao_bench_queries")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shebao.settings")
    import django

    django.setup()


def build_big_employer(*, big: int, current: int) -> dict:
    """The employer of `big` employees with 36 periods of lines, payables, employer periods, arrivals, benefits."""
    from django.db import connection, transaction

    from shebao.accounts.models import UserKind
    from shebao.accounts.services import account_create
    from shebao.benefits.models import InjuryCase, InjuryPayment, MaternityPayment, PensionPayment
    from shebao.contributions import services
    from shebao.contributions.models import SettlementRun
    from shebao.contributions.rules import due_date
    from shebao.core.idnumbers import make_credit_code, make_id_number, make_org_code
    from shebao.core.period import Period, period_range
    from shebao.employers.models import Employer
    from shebao.parameters.selectors import base_limits_for, rates_for
    from shebao.persons.models import Employment, Person, person_copies

    first = Period(current) - 35
    periods = [p.value for p in period_range(first, Period(current))]
    started = time.perf_counter()
    employer = Employer.objects.create(
        number="99000001",
        credit_code=make_credit_code("9", "1", "330106", "MA2BENCH"),
        org_code=make_org_code("MA2BENCH"),
        name="杭州大型制造集团有限公司",
        employer_type="enterprise",
        industry="制造业",
        risk_class=3,
        district_code="330106",
        address="杭州市西湖区文三路1号",
        legal_representative="王大山",
        contact_name="李敏",
        contact_phone="0571-88000000",
        bank_name="中国工商银行杭州分行",
        bank_account="1202020209000099999",
        registered_on=dt.date(2005, 1, 1),
    )
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"

    def person(i: int, *, retiree: bool = False) -> Person:
        birth = (dt.date(1955, 1, 1) if retiree else dt.date(1966, 1, 1)) + dt.timedelta(days=i % 12000)
        seq = 100 + (i // 12000) * 2 + (i % 2)
        return Person(
            id_number=make_id_number("330183" if not retiree else "330184", birth, seq),
            name=surnames[i % len(surnames)] + given[(i // 20) % len(given)] + given[(i // 600) % len(given)],
            gender="M" if seq % 2 else "F",
            birth_date=birth,
            ethnicity="汉族",
            hukou_type="local_urban",
        )

    with transaction.atomic():
        persons = Person.objects.bulk_create((person(i) for i in range(big)), batch_size=5000)
        ids = [p.pk for p in persons]
        low, high = min(ids), max(ids)
        with connection.cursor() as cur:
            cur.execute(
                """INSERT INTO persons_employment (person_id, employer_id, enrolment_type, employment_form,
                       start_period, stop_period, stop_reason, status, post_type, person_id_number, person_name,
                       person_gender, person_birth_date)
                   SELECT id, %s, '01', 'contract', %s, NULL, '', 'active', 'worker', id_number, name, gender,
                          birth_date
                   FROM persons_person
                   WHERE id BETWEEN %s AND %s""",
                [employer.pk, first.value, low, high],
            )
            cur.execute(
                """INSERT INTO persons_coverage (employment_id, person_id, employer_id, insurance, start_period,
                       stop_period)
                   SELECT e.id, e.person_id, e.employer_id, i.insurance, e.start_period, NULL
                   FROM persons_employment e CROSS JOIN (VALUES ('pension'), ('medical'), ('unemployment'),
                       ('injury'), ('maternity')) AS i(insurance)
                   WHERE e.employer_id = %s""",
                [employer.pk],
            )
            for year in sorted({p // 100 for p in periods}):
                floor, ceiling = base_limits_for(base_year=year, insurance="pension")
                start = max(first.value, year * 100 + 1)
                cur.execute(
                    """INSERT INTO persons_contributionbase (person_id, employer_id, base_year, start_period,
                           declared_wage, base_pension, base_medical, base_unemployment, base_injury,
                           base_maternity, source)
                       SELECT w.person_id, %s, %s, %s, w.wage, b, b, b, b, b, 'bench'
                       FROM (SELECT person_id, (3000 + (person_id * 7919 + %s) %% 30000)::numeric(14,2) AS wage
                             FROM persons_employment WHERE employer_id = %s) w,
                            LATERAL (SELECT LEAST(GREATEST(w.wage, %s), %s) AS b) x""",
                    [employer.pk, year, start, year, employer.pk, floor, ceiling],
                )
        retirees = Person.objects.bulk_create(person(i, retiree=True) for i in range(300))
        Employment.objects.bulk_create(
            Employment(
                person=r, employer=employer, enrolment_type="01", start_period=199501,
                stop_period=(first - 6).value, stop_reason="31", status="retired", **person_copies(r),
            )
            for r in retirees
        )  # fmt: skip
    say(f"  core record of the big employer: {time.perf_counter() - started:.1f} s")

    rates = {ins: rates_for(employer=employer, insurance=ins, period=current) for ins in INSURANCES}
    values = ", ".join(f"('{ins}', {er}::numeric, {ir}::numeric)" for ins, (er, ir) in rates.items())
    started = time.perf_counter()
    for period in periods:
        with transaction.atomic(), connection.cursor() as cur:
            run = SettlementRun.objects.create(
                period=period, status="done", source="bench", rounding_rule="half_up"
            )
            cur.execute(
                f"""INSERT INTO contributions_contributionline (period, employer_id, person_id, insurance, kind,
                       base, employer_rate, individual_rate, employer_amount, individual_amount, run_id)
                   SELECT %s, c.employer_id, c.person_id, c.insurance, 'regular', b.base_pension, r.er, r.ir,
                          ROUND(b.base_pension * r.er, 2), ROUND(b.base_pension * r.ir, 2), %s
                   FROM persons_coverage c
                   JOIN (VALUES {values}) AS r(insurance, er, ir) ON r.insurance = c.insurance
                   JOIN persons_contributionbase b ON b.person_id = c.person_id AND b.employer_id = c.employer_id
                        AND b.base_year = %s
                   WHERE c.employer_id = %s AND c.start_period <= %s
                     AND (c.stop_period IS NULL OR c.stop_period > %s)""",
                [period, run.pk, period // 100, employer.pk, period, period],
            )
            cur.execute(
                """INSERT INTO contributions_payable (employer_id, period, insurance, employer_amount,
                       individual_amount, headcount, base_total)
                   SELECT employer_id, period, insurance, SUM(employer_amount), SUM(individual_amount), COUNT(*),
                          SUM(base)
                   FROM contributions_contributionline WHERE period = %s AND employer_id = %s
                   GROUP BY employer_id, period, insurance""",
                [period, employer.pk],
            )
            cur.execute(
                """INSERT INTO contributions_employerperiod (employer_id, period, employer_amount,
                       individual_amount, amount_due, amount_paid, due_date, paid_on, credited_through_line)
                   SELECT employer_id, period, SUM(employer_amount), SUM(individual_amount),
                          SUM(employer_amount + individual_amount), 0, %s, NULL, 0
                   FROM contributions_payable WHERE period = %s AND employer_id = %s
                   GROUP BY employer_id, period""",
                [due_date(period), period, employer.pk],
            )
    say(f"  36 periods of lines, payables, employer periods: {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    from shebao.contributions.models import EmployerPeriod

    for ep in EmployerPeriod.objects.filter(employer=employer).order_by("period")[: len(periods) - 3]:
        late = ep.period == periods[len(periods) // 2]
        services.arrival_record(
            employer=employer,
            received_on=ep.due_date + dt.timedelta(days=5 if late else -5),
            amount=ep.amount_due,
            reference=f"BENCH-{ep.period}",
        )
    say(f"  arrivals and account credits: {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    PensionPayment.objects.bulk_create(
        (
            PensionPayment(
                person=r, employer=employer, period=p, basic_amount=Decimal("2406.00"),
                account_amount=Decimal("1079.50"), total=Decimal("3485.50"), paid_on=Period(p).first_day() + dt.timedelta(days=9),
            )
            for r in retirees
            for p in periods
        ),
        batch_size=5000,
    )  # fmt: skip
    women = [p for p in persons[:4000] if p.gender == "F"][:200]
    MaternityPayment.objects.bulk_create(
        MaternityPayment(
            person=w, employer=employer, period=periods[i % 36], delivery_date=Period(periods[i % 36]).first_day(),
            delivery_type="natural", leave_days=158, average_base=Decimal("6000.00"), allowance=Decimal("31600.00"),
            medical_costs=Decimal("3200.00"), total=Decimal("34800.00"), paid_on=Period(periods[i % 36]).first_day(),
        )
        for i, w in enumerate(women)
    )  # fmt: skip
    cases = InjuryCase.objects.bulk_create(
        InjuryCase(
            person=persons[(i * 37) % len(persons)], employer=employer, case_number=f"GSBENCH{i:06d}",
            accident_date=Period(periods[i % 36]).first_day(), place="车间", description="机械伤害", injury="手部",
            status="determined", determined_on=Period(periods[i % 36]).first_day() + dt.timedelta(days=20),
            disability_grade=9,
        )
        for i in range(100)
    )  # fmt: skip
    InjuryPayment.objects.bulk_create(
        InjuryPayment(
            case=c, person_id=c.person_id, employer=employer, period=periods[(i + k) % 36], item=item,
            amount=Decimal(amount), paid_on=Period(periods[(i + k) % 36]).first_day(),
        )
        for i, c in enumerate(cases)
        for k, (item, amount) in enumerate((("medical", "1250.50"), ("hospital_food", "300.00"), ("disability_grant", "43308.00")))
    )  # fmt: skip
    say(f"  benefits: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    with connection.cursor() as cur:
        # What autovacuum does on a normal server (the benchmark server runs with it off): statistics, and the
        # visibility map that index-only scans need.
        cur.execute("VACUUM (ANALYZE)")
    say(f"  VACUUM (ANALYZE): {time.perf_counter() - started:.1f} s")
    operator = account_create(
        username="bench_big", password="Bench-pass-2026", kind=UserKind.EMPLOYER, employer=employer,
        display_name="压测经办人", is_employer_admin=True, must_change_password=False,
    )  # fmt: skip
    individual = account_create(
        username=persons[1].id_number, password="Bench-pass-2026", kind=UserKind.INDIVIDUAL, person=persons[1],
        display_name=persons[1].name, must_change_password=False,
    )  # fmt: skip
    return {"employer": employer, "operator": operator, "individual": individual, "employee": persons[1]}


def pages(*, current: int, employee) -> list[tuple[str, str, str]]:
    """(label, who, URL) of every query page measured: who is "employer" or "individual"."""
    year = current // 100
    from shebao.core.period import Period

    start36 = str(Period(current) - 35)
    idn = employee.id_number
    q = "/portal/items/"
    return [
        ("Q01 单位基本信息", "employer", f"{q}Q01/"),
        ("Q02 名单 第1页", "employer", f"{q}Q02/"),
        ("Q02 名单 按姓名排序 第500页", "employer", f"{q}Q02/?sort=name&page=500"),
        ("Q02 名单 按身份证号排序 第500页", "employer", f"{q}Q02/?sort=id_number&page=500"),
        ("Q02 名单 按出生日期排序 第500页", "employer", f"{q}Q02/?sort=birth_date&page=500"),
        ("Q02 名单 按姓名查找", "employer", f"{q}Q02/?q=王伟"),
        ("Q02 名单 按身份证号查找", "employer", f"{q}Q02/?q={idn}"),
        ("Q03 应付汇总", "employer", f"{q}Q03/"),
        ("Q03 明细 养老单位部分", "employer", f"{q}Q03/?period={current}&insurance=pension&part=employer"),
        ("Q03 明细 全部险种 第200页", "employer", f"{q}Q03/?period={current}&part=total&page=200"),
        (
            "Q03 明细 按姓名排序 第200页",
            "employer",
            f"{q}Q03/?period={current}&part=total&sort=name&page=200",
        ),
        ("Q03 明细 按身份证号查找", "employer", f"{q}Q03/?period={current}&part=total&q={idn}"),
        ("Q04 养老支付", "employer", f"{q}Q04/"),
        ("Q05 生育支付 汇总", "employer", f"{q}Q05/"),
        ("Q05 生育支付 明细", "employer", f"{q}Q05/?period={current}&detail=total"),
        ("Q06 工伤支付 汇总", "employer", f"{q}Q06/"),
        ("Q06 工伤支付 明细", "employer", f"{q}Q06/?period={current}&detail=total"),
        ("Q07 养老帐户 (单位)", "employer", f"{q}Q07/?id_number={idn}&year={year - 1}"),
        ("Q08 医疗帐户 (单位)", "employer", f"{q}Q08/?id_number={idn}&year={year - 1}"),
        ("Q09 缴费明细 12个月 (单位)", "employer", f"{q}Q09/?id_number={idn}"),
        ("Q10 到账 按到账", "employer", f"{q}Q10/"),
        ("Q10 到账 按结算期", "employer", f"{q}Q10/?tab=periods"),
        ("Q11 欠费", "employer", f"{q}Q11/"),
        ("Q12 增减变动 (默认12个月)", "employer", f"{q}Q12/"),
        ("Q12 增减变动 36个月", "employer", f"{q}Q12/?start={start36}&end={current}"),
        ("Q13 缴费基数", "employer", f"{q}Q13/"),
        ("Q13 缴费基数 按姓名排序 第500页", "employer", f"{q}Q13/?sort=name&page=500"),
        ("Q14 退休人员", "employer", f"{q}Q14/"),
        ("Q14 到龄人员", "employer", f"{q}Q14/?tab=due"),
        ("Q15 缴费比例", "employer", f"{q}Q15/"),
        ("Q16 参保证明 列表", "employer", f"{q}Q16/"),
        ("Q17 工伤事故", "employer", f"{q}Q17/"),
        ("Q18 年度对账单", "employer", f"{q}Q18/"),
        ("Q19 趋势 36个月", "employer", f"{q}Q19/?start={start36}&end={current}"),
        ("Q20 政策参数 (公开)", "anonymous", f"{q}Q20/"),
        ("Q07 养老帐户 (个人)", "individual", f"{q}Q07/?year={year - 1}"),
        ("Q09 缴费明细 (个人)", "individual", f"{q}Q09/"),
    ]


def measure(clients: dict, plan, *, requests: int = 20, warmup: int = 2) -> list[dict]:
    results = []
    for label, who, url in plan:
        client = clients[who]
        for _ in range(warmup):
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{label}: {url} answered {response.status_code}")
        times = []
        for _ in range(requests):
            began = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - began) * 1000)
        times.sort()
        p50 = statistics.median(times)
        p95 = times[max(0, round(0.95 * len(times)) - 1)]
        results.append({"page": label, "url": url, "p50": p50, "p95": p95})
        print(
            f"  {label:<30} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   p95/target {p95 / TARGET_MS:5.2f}",
            flush=True,
        )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--persons", type=int, default=1_000_000, help="persons in all (the big employer's included)"
    )
    parser.add_argument("--big", type=int, default=50_000, help="employees of the big employer")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="measure an existing benchmark database")
    args = parser.parse_args()
    url = os.environ.get("SHEBAO_BENCH_DATABASE_URL", DEFAULT_URL)
    if not args.reuse:
        recreate_database(url)
    setup_django(url)
    from django.core.management import call_command
    from django.test import Client

    from shebao.accounts.models import User
    from shebao.core.period import Period

    current = Period.current().value
    if not args.reuse:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        say(f"migrated: {time.perf_counter() - started:.1f} s")
        others = args.persons - args.big
        if others > 0:
            from shebao.demo.generator import generate

            started = time.perf_counter()
            result = generate(employers=max(2, others // 25), persons=others, current_period=current)
            say(
                f"demo generator, {others:,} persons: {time.perf_counter() - started:.1f} s {result['counts']}"
            )
        say(f"building the employer of {args.big:,} employees")
        built = build_big_employer(big=args.big, current=current)
        operator, individual, employee = built["operator"], built["individual"], built["employee"]
    else:
        operator = User.objects.get(username="bench_big")
        individual = User.objects.filter(
            kind="individual", person__employments__employer=operator.employer
        ).first()
        employee = individual.person
    clients = {"employer": Client(), "individual": Client(), "anonymous": Client()}
    clients["employer"].force_login(operator)
    clients["individual"].force_login(individual)
    say(f"measuring {args.requests} requests per page (current period {current})")
    results = measure(clients, pages(current=current, employee=employee), requests=args.requests)
    worst = max(results, key=lambda r: r["p95"])
    missed = [r for r in results if r["p95"] > TARGET_MS]
    print(f"worst p95: {worst['page']} {worst['p95']:.1f} ms; pages over {TARGET_MS:.0f} ms: {len(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
