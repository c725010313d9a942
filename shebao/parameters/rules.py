"""Pure rules of the policy parameters (money.md): no ORM here. Parameters come in as arguments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal


def clamp_base(declared_wage: Decimal, floor: Decimal, ceiling: Decimal) -> Decimal:
    """The base used: the declared wage clamped to [floor, ceiling]."""
    return min(max(declared_wage, floor), ceiling)


@dataclass(frozen=True)
class RetirementRule:
    pivot_birth_month: int  # YYYYMM: born in or before it keeps the old age
    base_age_months: int
    step_birth_months: int
    target_age_months: int


def retirement_age_months(birth_date: dt.date, rule: RetirementRule) -> int:
    """Statutory retirement age in months for a birth date under the gradual-raise rule."""
    pivot_year, pivot_month = divmod(rule.pivot_birth_month, 100)
    months_after = (birth_date.year * 12 + birth_date.month) - (pivot_year * 12 + pivot_month)
    if months_after <= 0:
        return rule.base_age_months
    delay = (months_after - 1) // rule.step_birth_months + 1
    return min(rule.base_age_months + delay, rule.target_age_months)


def retirement_period(birth_date: dt.date, rule: RetirementRule) -> int:
    """The YYYYMM in which the person reaches retirement age (birth month + age in months)."""
    index = birth_date.year * 12 + (birth_date.month - 1) + retirement_age_months(birth_date, rule)
    return (index // 12) * 100 + index % 12 + 1
