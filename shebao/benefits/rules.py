"""Pure benefit rules (money.md): no ORM here. Parameters (the divisor, the grant months, the leave days) come
in as arguments from the parameter tables (parameters.selectors)."""

from __future__ import annotations

from decimal import Decimal

from shebao.core.money import DEFAULT_ROUNDING, round_money


def maternity_allowance(average_base: Decimal, leave_days: int, rule: str = DEFAULT_ROUNDING) -> Decimal:
    """The employer's average monthly base ÷ 30 × leave days: 6,000.00 and 158 days → 31,600.00."""
    return round_money(average_base * leave_days / 30, rule)


def disability_grant(monthly_wage: Decimal, months: int, rule: str = DEFAULT_ROUNDING) -> Decimal:
    """Months of wage (by grade, from the parameter table): 6,000.00 × 9 → 54,000.00."""
    return round_money(monthly_wage * months, rule)


def basic_pension(
    average_wage: Decimal,
    contribution_index: Decimal,
    contribution_years: Decimal,
    rule: str = DEFAULT_ROUNDING,
) -> Decimal:
    """(A + A × I) / 2 × N × 1 %: A = 8,020, I = 1.0, N = 30 → 2,406.00."""
    a = average_wage
    return round_money((a + a * contribution_index) / 2 * contribution_years / 100, rule)


def basic_pension_for_months(
    average_wage: Decimal, contribution_index: Decimal, months: int, rule: str = DEFAULT_ROUNDING
) -> Decimal:
    """The basic pension with N = months ÷ 12 taken exactly: (A + A × I) / 2 × months / 12 × 1 %, rounded once."""
    a = average_wage
    return round_money((a + a * contribution_index) / 2 * months / 1200, rule)


def account_pension(balance: Decimal, divisor: Decimal, rule: str = DEFAULT_ROUNDING) -> Decimal:
    """Account balance ÷ the divisor (计发月数) of the retirement age: 150,000.00 ÷ 139 → 1,079.14."""
    return round_money(balance / Decimal(divisor), rule)


def contribution_index(ratios_sum: Decimal, months: int) -> Decimal:
    """The average contribution index I: the mean over paid months of base ÷ that year's average wage, kept
    to 4 decimals (half-up) as the computation sheet shows it."""
    return (ratios_sum / months).quantize(Decimal("0.0001"), rounding="ROUND_HALF_UP")
