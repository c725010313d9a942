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


def account_pension_divisor(
    table: dict[int, Decimal], age_months: int, *, interpolation: str = "linear"
) -> Decimal:
    """The divisor (计发月数) for a retirement age of y years and k months, from the divisor table (whole years →
    months): d(y) − (d(y) − d(y+1)) × k / 12 rounded half-up to 0.01 (money.md; 60 years 4 months → 136.67);
    with interpolation "whole_years" the age's whole years alone. KeyError names a missing age."""
    years, k = divmod(int(age_months), 12)
    low = table[years]
    if k == 0 or interpolation == "whole_years":
        return Decimal(low).quantize(Decimal("0.01"))
    high = table[years + 1]
    value = Decimal(low) - (Decimal(low) - Decimal(high)) * k / 12
    return value.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")


@dataclass(frozen=True)
class MaternityEntitlement:
    leave_days: int
    cost_limit: Decimal


def maternity_entitlement(
    table: dict[str, tuple[int, Decimal]], delivery_type: str, *, babies: int = 1, pregnancy_months: int = 0
) -> MaternityEntitlement:
    """Leave days and the medical-cost limit from the leave-days table (kind → (days, limit)):
    natural 158; caesarean 173; a multiple birth is a natural one plus `extra_baby` for each baby after the
    first (any delivery type may carry babies > 1); a miscarriage before 4 months of pregnancy 15, from 4
    months 42 (money.md's illustrative defaults)."""
    if delivery_type == "miscarriage":
        days, limit = table["miscarriage_late" if pregnancy_months >= 4 else "miscarriage_early"]
        return MaternityEntitlement(days, limit)
    base_kind = "caesarean" if delivery_type == "caesarean" else "natural"
    days, limit = table[base_kind]
    extra = max(int(babies), 1) - 1
    if extra:
        extra_days, extra_limit = table["extra_baby"]
        days, limit = days + extra * extra_days, limit + extra * extra_limit
    return MaternityEntitlement(days, limit)


def min_contribution_months(years: Decimal) -> int:
    """Minimum contribution years (15, 15.5 …) as months."""
    return int((Decimal(years) * 12).to_integral_value(rounding="ROUND_CEILING"))
