"""Pure rules of the personal accounts (money.md): no ORM here. Parameters come in as arguments."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shebao.core.money import DEFAULT_ROUNDING, round_money


def yearly_interest(
    opening: Decimal, credits: list[tuple[int, Decimal]], rate: Decimal, rule: str = DEFAULT_ROUNDING
) -> Decimal:
    """opening × r + Σ credit_m × r × (13 − m) / 12, rounded once (money.md). credits: (month 1–12, amount)."""
    weighted = sum((amount * (13 - month) for month, amount in credits), Decimal(0))
    return round_money((opening * 12 + weighted) * rate / 12, rule)


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
