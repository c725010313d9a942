"""Pure money rules of contributions (money.md): no ORM here. Parameters come in as arguments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from shebao.core.money import DEFAULT_ROUNDING, round_money


def contribution(base: Decimal, rate: Decimal, rule: str = DEFAULT_ROUNDING) -> Decimal:
    """One part of one insurance for one person and month: round(base × rate)."""
    return round_money(base * rate, rule)


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
