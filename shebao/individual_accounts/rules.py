"""Pure rules of the personal accounts (money.md): no ORM here. Parameters come in as arguments."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shebao.core.money import DEFAULT_ROUNDING, round_money


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
