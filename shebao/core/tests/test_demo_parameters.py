from decimal import Decimal

import pytest

from shebao.demo.parameters import demo_parameters_ensure
from shebao.parameters.models import AverageWage, BaseLimit

pytestmark = pytest.mark.django_db


def test_missing_years_are_filled_from_the_latest_known_and_reported():
    added = demo_parameters_ensure(first_year=2025, last_year=2028)
    # 2025 and 2026 are published (seeded); 2027 = 8,750 × 1.04 = 9,100; 2028 = 8,750 × 1.04² = 9,464.
    assert AverageWage.objects.get(year=2027).monthly_amount == Decimal("9100")
    assert AverageWage.objects.get(year=2028).monthly_amount == Decimal("9464")
    limit = BaseLimit.objects.get(base_year=2027, insurance="pension")
    assert (limit.floor, limit.ceiling) == (Decimal("5460"), Decimal("27300"))
    assert BaseLimit.objects.filter(base_year=2028).count() == 5
    assert len(added) == 4 and all("演示值" in line for line in added)
    assert BaseLimit.objects.get(base_year=2026, insurance="pension").floor == Decimal("5250")  # untouched
    assert demo_parameters_ensure(first_year=2025, last_year=2028) == []  # idempotent
