"""Illustrative parameters for demo years the published tables do not cover yet.

The seeded parameters (money.md) end with base year 2026. A demo started later still needs an average wage and base
limits for every year in its 36-month window, so the demo (never a real office) fills a missing year from the
latest known one, grown by DEMO_WAGE_GROWTH, with limits at 60 % / 300 % of it. Each row it adds is reported.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from shebao.core.choices import Insurance
from shebao.parameters.models import AverageWage, BaseLimit

DEMO_WAGE_GROWTH = Decimal("1.04")
FLOOR_SHARE, CEILING_SHARE = Decimal("0.6"), Decimal("3")


@transaction.atomic
def demo_parameters_ensure(*, first_year: int, last_year: int) -> list[str]:
    """Add illustrative average wages and base limits for missing years; return what was added."""
    added: list[str] = []
    known = dict(AverageWage.objects.values_list("year", "monthly_amount"))
    for year in range(first_year, last_year + 1):
        if year not in known:
            earlier = [y for y in known if y < year]
            if not earlier:
                continue
            previous = max(earlier)
            wage = (known[previous] * DEMO_WAGE_GROWTH ** (year - previous)).quantize(
                Decimal("1"), ROUND_HALF_UP
            )
            AverageWage.objects.create(year=year, monthly_amount=wage)
            known[year] = wage
            added.append(f"{year} 年社会平均工资 {wage}(演示值)")
        have = set(BaseLimit.objects.filter(base_year=year).values_list("insurance", flat=True))
        missing = [ins for ins in Insurance.values if ins not in have]
        if missing:
            wage = known[year]
            floor = (wage * FLOOR_SHARE).quantize(Decimal("1"), ROUND_HALF_UP)
            ceiling = (wage * CEILING_SHARE).quantize(Decimal("1"), ROUND_HALF_UP)
            BaseLimit.objects.bulk_create(
                BaseLimit(base_year=year, insurance=ins, floor=floor, ceiling=ceiling) for ins in missing
            )
            added.append(f"{year} 年缴费基数上下限 {floor} / {ceiling}(演示值)")
    return added
