"""Money: Decimal only. Rounding happens here and nowhere else."""

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# Rounding rules an office can choose in its parameters (money.md: half-up to 0.01 by default).
ROUNDING_MODES = {
    "half_up": ROUND_HALF_UP,
    "half_even": ROUND_HALF_EVEN,
    "down": ROUND_DOWN,
    "up": ROUND_UP,
}
DEFAULT_ROUNDING = "half_up"


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Build a Decimal from a string or int (never from a float)."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    return value if isinstance(value, Decimal) else Decimal(str(value))


def round_money(value: Decimal, rule: str = DEFAULT_ROUNDING, unit: Decimal = CENT) -> Decimal:
    """Round an amount to `unit` (0.01 yuan) with the named rule."""
    return to_decimal(value).quantize(unit, rounding=ROUNDING_MODES[rule])


def from_sum(value) -> Decimal:
    """A Sum() result as an exact two-place Decimal (SQLite sums REALs); ZERO when there was nothing to sum."""
    return round_money(Decimal(value)) if value is not None else ZERO


def format_money(value: Decimal | None) -> str:
    """Two decimals and thousands separators: 1,234,567.80."""
    if value is None:
        return ""
    return f"{round_money(value):,.2f}"
