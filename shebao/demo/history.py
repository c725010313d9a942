"""Demo history of the money side, on top of the core record the demo generator wrote.

``generate_contribution_history`` settles the 36 periods up to ``current_period``, records arrivals (most
employers on time, some late with surcharge, a few in arrears), credits the accounts, closes pension-account
interest for the complete past years, and records medical spending and benefit payments (pensions for retirees,
births, work injuries). Deterministic for a seed and current period (``today`` only cuts off arrivals after it).

Decisions the spec leaves open:
- Payer profiles per employer: 82 % always on time (paid on day 5–25 of the month after the period), 12 % late
  now and then (a third of their periods paid 3–70 days after the due date, surcharge recorded), 6 % in arrears:
  they stop paying four periods before the current one, so at least two periods are overdue (the current and
  previous periods are not yet due by money.md's rule, so "unpaid" alone would not be arrears).
- Money.md has no credited rate for 2025: a demo-only row (2.30 %) is added when missing, and reported.
- Pension accounts of people insured before the window get an opening balance (期初结转) in the window's first
  year: 8 % of their first base × 12 × years worked before the window (at most 25).
- Retirees (those retiring in the window): the initial pension of benefits.services.pension_award_record, the
  service H12's approval uses (money.md: index over paid months, balance at retirement with this year's interest,
  the divisor table); paid monthly from the month after retirement. Only months the demo settled and paid count,
  so pensions are small (no history before the window is generated).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Min, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shebao.benefits.models import InjuryCase, PensionPayment
from shebao.benefits.selectors import disability_grant_quote
from shebao.benefits.services import (
    injury_case_determine,
    injury_case_open,
    injury_payment_record,
    maternity_payment_record,
    pension_award_record,
)
from shebao.contributions.models import Arrival, EmployerPeriod
from shebao.contributions.selectors import surcharge_owing
from shebao.contributions.services import arrivals_allocate, settlement_run, surcharge_waive
from shebao.core.errors import DomainError
from shebao.core.money import round_money
from shebao.core.period import Period, period_range
from shebao.individual_accounts.models import InterestClosing, MedicalEntry, PensionEntry
from shebao.individual_accounts.services import interest_close, medical_retiree_credits
from shebao.parameters.models import CreditedInterestRate
from shebao.persons.models import ContributionBase, Employment, Person

DEMO_RATES = {2025: Decimal("0.0230")}  # not in money.md: demo only
CENT = Decimal("0.01")


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def generate_contribution_history(
    *,
    current_period: int,
    seed: int,
    progress: Callable[[str], None] | None = None,
    today: dt.date | None = None,
) -> dict:
    started = time.perf_counter()
    say = progress or (lambda message: None)
    rng = random.Random(seed * 7 + 4)
    current = Period(int(current_period))
    if today is None:
        today = timezone.localdate()
        if Period.from_date(today) != current:
            today = current.last_day()
    periods = [p.value for p in period_range(current - 35, current)]
    report: dict = {"periods": len(periods)}

    say(_("核定 %(n)d 个结算期的应缴费款") % {"n": len(periods)})
    lines = 0
    for period in periods:
        run = settlement_run(period=period, source="demo")
        if run.status != "done":
            raise RuntimeError(f"demo settlement of {period} failed: {run.message}")
        lines += run.lines_written
    report["lines"] = lines

    with transaction.atomic():
        say(_("生成到账记录"))
        report["arrivals"] = _arrivals(rng, periods, current, today)
        say(_("退休人员医疗帐户定额划入"))
        report["retiree_medical_credits"] = sum(
            medical_retiree_credits(period=p, credited_on=min(Period(p).last_day(), today)) for p in periods
        )
        say(_("养老帐户期初余额与年度结息"))
        report["demo_interest_rates"] = _ensure_rates(current.year)
        report["pension_openings"] = _openings(periods[0])
        report["interest_closed"] = []
        first_year = periods[0] // 100
        for year in range(first_year, current.year):
            if InterestClosing.objects.filter(year=year).exists():
                continue
            closing = interest_close(year=year, today=today)
            report["interest_closed"].append((year, closing.accounts))
        say(_("医疗帐户消费记录"))
        report["medical_debits"] = _medical_debits(rng, current.year)
        say(_("待遇支付：养老金、生育、工伤"))
        report["pension_payments"] = _pensions(periods, today)
        report["maternity_payments"] = _births(rng, periods, today)
        report["injury_cases"] = _injuries(rng, periods, today)
    report["seconds"] = round(time.perf_counter() - started, 2)
    say(_("缴费历史生成完成，用时 %(s)s 秒") % {"s": report["seconds"]})
    return report


def _arrivals(rng: random.Random, periods: list[int], current: Period, today: dt.date) -> dict:
    profile: dict[int, str] = {}
    arrivals = []
    last_paid_period = (current - 4).value
    for ep in EmployerPeriod.objects.filter(period__in=periods, amount_due__gt=0).order_by(
        "employer_id", "period"
    ):
        kind = profile.get(ep.employer_id)
        if kind is None:
            draw = rng.random()
            kind = profile[ep.employer_id] = (
                "on_time" if draw < 0.82 else "late" if draw < 0.94 else "arrears"
            )
        if kind == "arrears" and ep.period > last_paid_period:
            continue
        month_after = Period(ep.period) + 1
        if kind == "late" and rng.random() < 0.34:
            received = ep.due_date + dt.timedelta(days=rng.randint(3, 70))
        else:
            received = dt.date(month_after.year, month_after.month, rng.randint(5, 25))
        if received > today:
            continue
        arrivals.append(
            Arrival(
                employer_id=ep.employer_id,
                received_on=received,
                amount=ep.amount_due,
                period=ep.period,
                reference=f"DEMO{ep.employer_id:06d}{ep.period}",
                source=Arrival.Source.DEMO,
            )
        )
    Arrival.objects.bulk_create(arrivals, batch_size=2000)
    allocations = arrivals_allocate()
    return {
        "arrivals": len(arrivals),
        "late": sum(1 for a in allocations if a.days_late),
        "employers_in_arrears": sum(1 for k in profile.values() if k == "arrears"),
        "surcharge_paid": _surcharge_payments(rng, today),
    }


def _surcharge_payments(rng: random.Random, today: dt.date) -> int:
    """Late payers settle the surcharge assessed on their late payments for about half of those periods, by an
    arrival for surcharge only some weeks later (through the same allocation as any arrival); the rest stays
    owed, for Q11 and the office's waiver page (`surcharge_waive_some` waives part of it)."""
    payments = []
    for ep in surcharge_owing().order_by("employer_id", "period"):
        if rng.random() >= 0.5:
            continue
        received = (ep.paid_on or ep.due_date) + dt.timedelta(days=rng.randint(10, 40))
        if received > today:
            continue
        payments.append(
            Arrival(
                employer_id=ep.employer_id,
                received_on=received,
                amount=ep.surcharge_owed,
                period=ep.period,
                reference=f"DEMOZNJ{ep.employer_id:06d}{ep.period}",
                source=Arrival.Source.DEMO,
                purpose=Arrival.Purpose.SURCHARGE,
            )
        )
    Arrival.objects.bulk_create(payments, batch_size=2000)
    arrivals_allocate()
    return len(payments)


def surcharge_waive_some(*, user, today: dt.date, seed: int) -> int:
    """The demo's office administrator waives half of the owed surcharge of about one period in five (a reason
    each), through `surcharge_waive` like the office page."""
    rng = random.Random(seed * 11 + 5)
    waived = 0
    for ep in list(surcharge_owing().order_by("employer_id", "period")):
        if rng.random() >= 0.2:
            continue
        amount = (ep.surcharge_owed / 2).quantize(Decimal("0.01"))
        if amount <= 0:
            continue
        surcharge_waive(
            employer=ep.employer,
            period=ep.period,
            amount=amount,
            reason=str(_("经审批，因不可抗力减免一半")),
            user=user,
            waived_on=today,
        )
        waived += 1
    return waived


def _ensure_rates(current_year: int) -> list[int]:
    added = []
    for year, rate in DEMO_RATES.items():
        if year < current_year and not CreditedInterestRate.objects.filter(year=year).exists():
            CreditedInterestRate.objects.create(year=year, rate=rate)
            added.append(year)
    return added


def _openings(first_period: int) -> int:
    """Opening balances for people insured before the window (their earlier working years)."""
    year = first_period // 100
    first_start = dict(
        Employment.objects.values_list("person_id")
        .annotate(s=Min("start_period"))
        .values_list("person_id", "s")
    )
    first_base = {}
    for person_id, start, base in ContributionBase.objects.order_by("person_id", "start_period").values_list(
        "person_id", "start_period", "base_pension"
    ):
        first_base.setdefault(person_id, (start, base))
    entries = []
    for person_id, first_work in Person.objects.filter(first_work_date__isnull=False).values_list(
        "id", "first_work_date"
    ):
        if person_id not in first_base or first_start.get(person_id, first_period) > first_period:
            continue
        years = min(25, max(0, year - first_work.year))
        if not years:
            continue
        amount = round_money(first_base[person_id][1] * Decimal("0.08") * 12 * years * Decimal("0.8"))
        entries.append(
            PensionEntry(
                person_id=person_id,
                period=year * 100 + 1,
                year=year,
                month=1,
                kind=PensionEntry.Kind.OPENING,
                amount=amount,
                credited_on=dt.date(year, 1, 1),
            )
        )
    PensionEntry.objects.bulk_create(entries, batch_size=2000)
    return len(entries)


def _medical_debits(rng: random.Random, current_year: int) -> int:
    """About a third of the people spend 10–45 % of a year's credits at pharmacies and clinics in December."""
    places = ["社区卫生服务中心", "市第一人民医院门诊", "大参林药房", "老百姓大药房", "区中医院门诊"]
    entries = []
    rows = (
        MedicalEntry.objects.filter(amount__gt=0, period__lt=current_year * 100)
        .values("person_id", "period")
        .annotate(s=Sum("amount"))
        .order_by("person_id", "period")
    )
    by_year: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for row in rows:
        by_year[(row["person_id"], row["period"] // 100)] += round_money(Decimal(row["s"]))
    for (person_id, year), credited in sorted(by_year.items()):
        if rng.random() > 0.33 or credited < 50:
            continue
        amount = round_money(credited * Decimal(rng.randint(10, 45)) / 100)
        day = dt.date(year, 12, rng.randint(16, 28))
        entries.append(
            MedicalEntry(
                person_id=person_id,
                period=year * 100 + 12,
                kind=MedicalEntry.Kind.DEBIT,
                amount=-amount,
                entry_date=day,
                place=rng.choice(places),
                reference=f"YB{year}{person_id:08d}",
            )
        )
    MedicalEntry.objects.bulk_create(entries, batch_size=2000)
    return len(entries)


def _pensions(periods: list[int], today: dt.date) -> dict:
    """Every retiree of the window gets the initial pension of benefits.services.pension_award_record (money.md's
    formula, the one H12 uses), awarded on the retirement date and paid monthly from the month after. A retiree
    whose pension needs a parameter the demo lacks (the average wage of the year before retirement) is counted
    as skipped, not computed otherwise."""
    retirees = (
        Employment.objects.filter(status="retired", stop_period__gte=periods[0], stop_period__lte=periods[-1])
        .select_related("person", "employer")
        .order_by("person_id", "-stop_period")
    )
    seen, awarded, skipped = set(), 0, 0
    for employment in retirees:
        if employment.person_id in seen:
            continue
        seen.add(employment.person_id)
        retired_on = (Period(employment.stop_period) - 1).last_day()
        try:
            with transaction.atomic():
                pension_award_record(
                    person=employment.person,
                    employer=employment.employer,
                    retirement_date=retired_on,
                    retirement_type="normal",
                    today=today,
                    awarded_on=retired_on,
                    source="demo",
                )
            awarded += 1
        except DomainError:
            skipped += 1
    return {"awarded": awarded, "skipped": skipped, "payments": PensionPayment.objects.count()}


def _births(rng: random.Random, periods: list[int], today: dt.date) -> int:
    first_possible = periods[12]
    candidates = list(
        Employment.objects.filter(
            person__gender="F",
            person__birth_date__gte=dt.date(periods[-1] // 100 - 40, 1, 1),
            person__birth_date__lte=dt.date(periods[-1] // 100 - 22, 12, 31),
            start_period__lte=periods[0],
            stop_period__isnull=True,
            coverages__insurance="maternity",
        )
        .select_related("person", "employer")
        .distinct()
        .order_by("id")
    )
    chosen = rng.sample(candidates, k=min(len(candidates), max(3, len(candidates) // 40)))
    hospitals = ["市妇幼保健院", "市第一人民医院", "省人民医院", "区妇幼保健所"]
    count = 0
    for employment in chosen:
        birth_period = Period(rng.choice([p for p in periods if p >= first_possible]))
        delivery = dt.date(birth_period.year, birth_period.month, rng.randint(1, 28))
        paid_on = delivery + dt.timedelta(days=rng.randint(20, 60))
        if paid_on > today:
            continue
        kind = rng.choices(["natural", "caesarean", "multiple"], weights=[70, 27, 3])[0]
        maternity_payment_record(
            person=employment.person,
            employer=employment.employer,
            delivery_date=delivery,
            delivery_type=kind,
            hospital=rng.choice(hospitals),
            babies=2 if kind == "multiple" else 1,  # leave days from the leave-days table
            medical_costs=_money(rng, 2500, 9000),
            paid_on=paid_on,
            source="demo",
        )
        count += 1
    return count


INJURIES = [
    ("车间", "操作冲压设备时右手被压伤", "右手食指骨折"),
    ("仓库", "搬运货物时从货架跌落", "左踝关节扭伤"),
    ("工地", "高处作业时坠落", "腰椎压缩性骨折"),
    ("厂区道路", "叉车倒车时被撞", "右小腿软组织挫伤"),
    ("办公室", "上楼梯时滑倒", "右腕关节骨折"),
    ("上下班途中", "骑电动车上班途中被机动车撞伤(非本人主要责任)", "左锁骨骨折"),
]


def _injuries(rng: random.Random, periods: list[int], today: dt.date) -> int:
    employments = list(
        Employment.objects.filter(
            start_period__lte=periods[0], stop_period__isnull=True, coverages__insurance="injury"
        )
        .select_related("person", "employer")
        .distinct()
        .order_by("id")
    )
    chosen = rng.sample(employments, k=min(len(employments), max(3, len(employments) // 150)))
    last_base = dict(
        ContributionBase.objects.values_list("person_id")
        .annotate(p=Max("start_period"))
        .values_list("person_id", "p")
    )
    cases = 0
    for employment in chosen:
        accident_period = Period(rng.choice(periods))
        accident = dt.date(accident_period.year, accident_period.month, rng.randint(1, 28))
        if accident > today:
            continue
        place, description, injury = rng.choice(INJURIES)
        case = injury_case_open(
            person=employment.person,
            employer=employment.employer,
            accident_date=accident,
            place=place,
            description=description,
            injury=injury,
            witness=rng.choice(["", "同班组工友", "车间主任"]),
            today=today,
        )
        cases += 1
        determined_on = accident + dt.timedelta(days=rng.randint(30, 60))
        if determined_on > today:
            continue  # still 已备案
        if rng.random() < 0.1:
            injury_case_determine(case=case, status="rejected", determined_on=determined_on)
            continue
        grade = rng.choice([None, None, None, 10, 9, 8, 7])
        injury_case_determine(
            case=case, status="determined", determined_on=determined_on, disability_grade=grade
        )
        base = (
            ContributionBase.objects.filter(
                person=employment.person, start_period=last_base.get(employment.person_id)
            )
            .values_list("base_injury", flat=True)
            .first()
        ) or Decimal("5000.00")
        items = [
            ("medical", _money(rng, 800, 30000), accident + dt.timedelta(days=rng.randint(10, 40))),
            ("hospital_food", _money(rng, 100, 900), accident + dt.timedelta(days=rng.randint(10, 40))),
            (
                "temporary_disability",
                round_money(base * rng.randint(1, 4)),
                determined_on + dt.timedelta(days=10),
            ),
        ]
        grant = disability_grant_quote(case=case)  # the one H15 uses: months by grade from the table
        if grant is not None:
            items.append(("disability_grant", grant.amount, determined_on + dt.timedelta(days=20)))
        for item, amount, paid_on in items:
            if paid_on <= today:
                injury_payment_record(case=case, item=item, amount=amount, paid_on=paid_on, source="demo")
    InjuryCase.objects.filter(status="determined", determined_on__lt=today - dt.timedelta(days=365)).update(
        status="closed"
    )
    return cases
