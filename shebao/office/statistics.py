"""The office dashboard's figures (统计): read-only aggregates over the whole city, one small query each.

Headcounts come from the stored payables of the latest settled period (persons with a regular line), so the
dashboard never scans the coverages of a million persons.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from shebao.catalogue.items import get_item
from shebao.contributions.models import Arrival, EmployerPeriod, Payable
from shebao.core.choices import Insurance
from shebao.core.money import ZERO, round_money
from shebao.core.period import Period
from shebao.declarations.models import Declaration, State


def _money(value) -> Decimal:
    return round_money(Decimal(value or 0))


def _month_bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(period.first_day(), dt.time.min))
    end = timezone.make_aware(dt.datetime.combine((period + 1).first_day(), dt.time.min))
    return start, end


def declarations_by_item_and_state(*, period: Period) -> dict:
    """Declarations submitted in the month: a row per item with a count per state, and the states used."""
    start, end = _month_bounds(period)
    counts = (
        Declaration.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
        .values_list("item_code", "state")
        .annotate(n=Count("id"))
    )
    table: dict[str, dict[str, int]] = defaultdict(dict)
    for code, state, n in counts:
        table[code][state] = n
    states = [s for s in State.values if any(s in row for row in table.values())]
    rows = []
    for code in sorted(table):
        item = get_item(code)
        rows.append(
            {
                "code": code,
                "name": item.name if item else code,
                "counts": [table[code].get(s, 0) for s in states],
                "total": sum(table[code].values()),
            }
        )
    return {"states": [(s, State(s).label) for s in states], "rows": rows}


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile of already sorted values (None when there are none)."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def review_hours(*, period: Period) -> dict:
    """Hours from submission to decision of declarations decided in the month: count, p50, p90, p95."""
    start, end = _month_bounds(period)
    pairs = Declaration.objects.filter(
        decided_at__gte=start, decided_at__lt=end, submitted_at__isnull=False
    ).values_list("submitted_at", "decided_at")
    hours = sorted((decided - submitted).total_seconds() / 3600 for submitted, decided in pairs)
    return {
        "count": len(hours),
        "p50": percentile(hours, 0.5),
        "p90": percentile(hours, 0.9),
        "p95": percentile(hours, 0.95),
    }


def period_totals(*, end: Period, months: int = 12) -> list[dict]:
    """Per settled period: employers, amount due, amount paid, and what is still owed (arrears)."""
    start = end - (months - 1)
    rows = (
        EmployerPeriod.objects.filter(period__gte=start.value, period__lte=end.value)
        .values("period")
        .annotate(
            employers=Count("id"),
            due=Sum("amount_due"),
            paid=Sum("amount_paid"),
            unpaid=Count("id", filter=Q(paid_on__isnull=True, amount_due__gt=0)),
        )
        .order_by("period")
    )
    return [
        {
            "period": r["period"],
            "employers": r["employers"],
            "due": _money(r["due"]),
            "paid": _money(r["paid"]),
            "owed": _money(r["due"]) - _money(r["paid"]),
            "unpaid": r["unpaid"],
        }
        for r in rows
    ]


def arrivals_by_month(*, end: Period, months: int = 12) -> list[dict]:
    start = end - (months - 1)
    rows = Arrival.objects.filter(
        received_on__gte=start.first_day(), received_on__lte=end.last_day()
    ).values_list("received_on", "amount")
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    counts: dict[int, int] = defaultdict(int)
    for day, amount in rows:
        key = Period.from_date(day).value
        totals[key] += amount
        counts[key] += 1
    return [{"period": p.value, "amount": totals.get(p.value, ZERO), "count": counts.get(p.value, 0)} for p in
            [start + i for i in range(months)]]  # fmt: skip


def headcount_by_insurance_and_district() -> dict:
    """Insured persons per insurance and district in the latest settled period (from the stored payables)."""
    latest = Payable.objects.aggregate(p=Max("period"))["p"]
    if latest is None:
        return {"period": None, "insurances": [], "rows": []}
    counts = (
        Payable.objects.filter(period=latest)
        .values_list("employer__district_code", "insurance")
        .annotate(n=Sum("headcount"))
    )
    table: dict[str, dict[str, int]] = defaultdict(dict)
    for district, insurance, n in counts:
        table[district or ""][insurance] = n or 0
    insurances = [(i, label) for i, label in Insurance.choices]
    rows = [{"district": d, "counts": [table[d].get(i, 0) for i, _ in insurances]} for d in sorted(table)]
    return {"period": latest, "insurances": insurances, "rows": rows}
