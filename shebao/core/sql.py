"""SQL fragments shared by the set-based services, written to run on SQLite and PostgreSQL alike.

Money in SQL is computed in integers so that no float ever decides a rounding (SQLite stores decimals as REAL and
its ROUND is float-based):

- an amount with two decimals becomes integer cents with ``CAST(ROUND(x * 100) AS BIGINT)`` — exact, because
  x × 100 is within a tiny fraction of an integer for any amount below 2^53 cents;
- a rate with six decimals is held in millionths (SettlementRate.employer_micro);
- cents × millionths is an exact integer in units of 1e-8 yuan; rounding it back to cents is an integer
  division with the office's rounding rule (``round_div``), identical to ``core.money.round_money``.

Rules supported in SQL: half_up (default, money.md), half_even, down, up — every rule of ``ROUNDING_MODES``.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.utils.translation import gettext as _

from .errors import DomainError

RULES = ("half_up", "half_even", "down", "up")

# A period's settlement (and the yearly interest closing) reads whole tables: hash joins, not nested loops driven
# by the planner's (badly correlated) row estimates; on SQLite a page cache the line indexes fit in.
# Transaction-local on PostgreSQL.
SESSION_TUNING = {
    "postgresql": "SET LOCAL enable_nestloop = off; SET LOCAL work_mem = '256MB'",
    "sqlite": "PRAGMA cache_size = -262144",
}


def is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def micro(rate: Decimal) -> int:
    """A rate with at most six decimals in millionths (0.160000 → 160000); more decimals are refused."""
    value = rate * 1_000_000
    if value != value.to_integral_value():
        raise DomainError(_("费率 %(rate)s 超过六位小数") % {"rate": rate})
    return int(value)


def cents(expr: str) -> str:
    """Integer cents of a two-decimal money column or expression."""
    return f"CAST(ROUND(({expr}) * 100) AS BIGINT)"


def from_cents(expr: str) -> str:
    """Back from integer cents to a money value: exact numeric on PostgreSQL, the nearest REAL on SQLite
    (÷ 100.0 is correctly rounded; × 0.01 would not be)."""
    return f"(({expr}) / 100.0)"


def money_sum(expr: str) -> str:
    """An exact SUM of a money column: numeric on PostgreSQL, integer cents on SQLite."""
    if is_sqlite():
        return from_cents(f"SUM({cents(expr)})")
    return f"SUM({expr})"


def round_div(numerator: str, denominator: int, rule: str, *, signed: bool = False) -> str:
    """round(numerator / denominator) to an integer with `rule`, in integer arithmetic only.

    numerator must be an integer expression; denominator a positive even integer literal. With signed=False the
    numerator must be ≥ 0 (settlement: bases and rates are non-negative by constraint). With signed=True rounding
    is symmetric about zero, as Python's Decimal rounds (ROUND_HALF_UP = half away from zero, DOWN = toward 0)."""
    if rule not in RULES:
        raise ValueError(f"unsupported rounding rule {rule}")
    d = int(denominator)
    if d <= 0 or d % 2:
        raise ValueError("denominator must be a positive even integer")

    def positive(n: str) -> str:
        if rule == "half_up":
            return f"((({n}) + {d // 2}) / {d})"
        if rule == "down":
            return f"(({n}) / {d})"
        if rule == "up":
            return f"((({n}) + {d - 1}) / {d})"
        # half_even: half up, minus one when exactly half and the lower neighbour is even.
        return (
            f"((({n}) + {d // 2}) / {d} - CASE WHEN ({n}) % {d} = {d // 2} "
            f"AND ((({n}) / {d}) % 2) = 0 THEN 1 ELSE 0 END)"
        )

    if not signed:
        return positive(numerator)
    return (
        f"(CASE WHEN ({numerator}) >= 0 THEN {positive(numerator)} ELSE -{positive(f'-({numerator})')} END)"
    )
