"""Policy parameters as effective-dated data, and the one selector that answers which value applies."""

from decimal import Decimal

import pytest

from shebao.contributions.rules import contribution

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("base", "rate", "expected"),
    [
        ("4812.00", "0.16", "769.92"),
        ("7654.32", "0.08", "612.35"),
        ("7654.32", "0.004", "30.62"),
        ("24060.00", "0.005", "120.30"),
        ("7654.32", "0.005", "38.27"),
    ],
)
def test_contribution_rounds_half_up(base, rate, expected):
    assert contribution(Decimal(base), Decimal(rate)) == Decimal(expected)
