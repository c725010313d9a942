"""Pure benefit rules (money.md): no ORM here. Parameters come in as arguments."""

from __future__ import annotations

from decimal import Decimal

from shebao.core.money import DEFAULT_ROUNDING, round_money

# Lump-sum disability grant in months of wage, by disability grade 1–10 (money.md).
DISABILITY_GRANT_MONTHS = {1: 27, 2: 25, 3: 23, 4: 21, 5: 18, 6: 16, 7: 13, 8: 11, 9: 9, 10: 7}

# Retirement age (years) → divisor of the account pension (money.md).
ACCOUNT_PENSION_DIVISORS = {50: 195, 55: 170, 60: 139, 61: 132, 62: 125, 63: 117}


def maternity_allowance(average_base: Decimal, leave_days: int, rule: str = DEFAULT_ROUNDING) -> Decimal:
    """The employer's average monthly base ÷ 30 × leave days: 6,000.00 and 158 days → 31,600.00."""
    return round_money(average_base * leave_days / 30, rule)


def disability_grant(monthly_wage: Decimal, grade: int, rule: str = DEFAULT_ROUNDING) -> Decimal:
    return round_money(monthly_wage * DISABILITY_GRANT_MONTHS[grade], rule)


def basic_pension(
    average_wage: Decimal,
    contribution_index: Decimal,
    contribution_years: Decimal,
    rule: str = DEFAULT_ROUNDING,
) -> Decimal:
    """(A + A × I) / 2 × N × 1 %: A = 8,020, I = 1.0, N = 30 → 2,406.00."""
    a = average_wage
    return round_money((a + a * contribution_index) / 2 * contribution_years / 100, rule)


def account_pension(balance: Decimal, retirement_age_years: int, rule: str = DEFAULT_ROUNDING) -> Decimal:
    """Account balance ÷ the divisor of the retirement age: 150,000.00 at 60 → 1,079.14."""
    return round_money(balance / ACCOUNT_PENSION_DIVISORS[retirement_age_years], rule)
