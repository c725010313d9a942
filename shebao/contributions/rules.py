"""Pure money rules (money.md): no ORM here. Parameters come in as arguments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from shebao.core.money import DEFAULT_ROUNDING, round_money


def clamp_base(declared_wage: Decimal, floor: Decimal, ceiling: Decimal) -> Decimal:
    """The base used: the declared wage clamped to [floor, ceiling]."""
    return min(max(declared_wage, floor), ceiling)


def contribution(base: Decimal, rate: Decimal, rule: str = DEFAULT_ROUNDING) -> Decimal:
    """One part of one insurance for one person and month: round(base × rate)."""
    return round_money(base * rate, rule)


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


# ---------------------------------------------------------------------------------------------------------------
# Arrears, late surcharge, allocation.
# ---------------------------------------------------------------------------------------------------------------


def due_date(period: int, due_months_after: int = 1) -> dt.date:
    """Last day to pay period P: the last day of the month `due_months_after` months after P."""
    year, month = divmod(period, 100)
    index = year * 12 + (month - 1) + due_months_after + 1  # first month after the due month
    first_after = dt.date(index // 12, index % 12 + 1, 1)
    return first_after - dt.timedelta(days=1)


def days_late(due: dt.date, paid: dt.date) -> int:
    """Days counted from the day after the due date to the day paid, both included (0 if on time)."""
    return max(0, (paid - due).days)


def late_surcharge(amount: Decimal, days: int, daily_rate: Decimal, rule: str = DEFAULT_ROUNDING) -> Decimal:
    """round(overdue amount × daily rate × days): 10,000.00 × 0.0005 × 20 → 100.00."""
    return round_money(amount * daily_rate * days, rule)


@dataclass(frozen=True)
class Owed:
    period: int
    amount: Decimal  # still owed, > 0


def allocate(
    amount: Decimal, owed: list[Owed], *, named_period: int | None = None
) -> list[tuple[int, Decimal]]:
    """Split `amount` over owed periods: the named period first, then oldest first. Never more than `amount`
    in total, never more than a period owes. What is left is the employer's credit."""
    order = sorted(owed, key=lambda o: (o.period != named_period, o.period))
    left = amount
    result = []
    for row in order:
        if left <= 0:
            break
        part = min(left, row.amount)
        if part > 0:
            result.append((row.period, part))
            left -= part
    return result


# ---------------------------------------------------------------------------------------------------------------
# Pension account interest.
# ---------------------------------------------------------------------------------------------------------------


def interest_to_month(
    opening: Decimal,
    credits: list[tuple[int, Decimal]],
    rate: Decimal,
    months: int,
    rule: str = DEFAULT_ROUNDING,
) -> Decimal:
    """A year's interest up to month k = `months` (money.md 'balance at retirement'): opening × r × k/12 +
    Σ credit_m × r × (k + 1 − m)/12 over the credited months m ≤ k, rounded once. Credits after month k earn
    nothing yet. k = 12 is the yearly interest. credits: (month 1–12, amount)."""
    if not 0 <= months <= 12:
        raise ValueError(f"months {months} not in 0–12")
    weighted = sum(
        (amount * (months + 1 - month) for month, amount in credits if month <= months), Decimal(0)
    )
    return round_money((opening * months + weighted) * rate / 12, rule)


def yearly_interest(
    opening: Decimal, credits: list[tuple[int, Decimal]], rate: Decimal, rule: str = DEFAULT_ROUNDING
) -> Decimal:
    """opening × r + Σ credit_m × r × (13 − m) / 12, rounded once (money.md). credits: (month 1–12, amount)."""
    return interest_to_month(opening, credits, rate, 12, rule)


@dataclass(frozen=True)
class AccountYear:
    opening: Decimal
    credits: Decimal
    interest: Decimal
    closing: Decimal


def close_account_year(
    opening: Decimal, credits: list[tuple[int, Decimal]], rate: Decimal, rule: str = DEFAULT_ROUNDING
) -> AccountYear:
    total = sum((amount for _month, amount in credits), Decimal("0.00"))
    interest = yearly_interest(opening, credits, rate, rule)
    return AccountYear(opening, total, interest, opening + total + interest)


# ---------------------------------------------------------------------------------------------------------------
# Benefits.
# ---------------------------------------------------------------------------------------------------------------

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
