import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shebao.core.money import format_money, round_money, to_decimal
from shebao.core.period import Period, period_range


def test_period_arithmetic_and_display():
    p = Period(202411)
    assert p + 1 == Period(202412)
    assert p + 2 == Period(202501)
    assert p - 11 == Period(202312)
    assert Period(202501) - Period(202312) == 13
    assert p.first_day() == dt.date(2024, 11, 1)
    assert Period(202402).last_day() == dt.date(2024, 2, 29)
    assert p.label() == "2024年11月" and str(p) == "202411"
    assert [int(x) for x in period_range(202411, 202502)] == [202411, 202412, 202501, 202502]
    assert period_range(202502, 202411) == []


@pytest.mark.parametrize("bad", [202400, 202413, 189912, 210101])
def test_period_rejects_invalid(bad):
    with pytest.raises(ValueError):
        Period(bad)


def test_current_period_is_shanghai_month():
    # 2026-11-30 17:00 UTC is already 2026-12-01 01:00 in Shanghai.
    assert Period.current(dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.UTC)) == Period(202612)


@given(st.integers(min_value=190001 // 100 * 12, max_value=2100 * 12 - 24), st.integers(-500, 500))
def test_period_add_sub_roundtrip(index, months):
    start = Period.of(index // 12, index % 12 + 1)
    moved_index = index + months
    if not (1900 * 12 <= moved_index <= 2100 * 12 + 11):
        return
    assert (start + months) - start == months
    assert (start + months) - months == start


@pytest.mark.parametrize(
    ("value", "rule", "expected"),
    [
        ("769.9200", "half_up", "769.92"),
        ("30.6240", "half_up", "30.62"),
        ("0.005", "half_up", "0.01"),
        ("0.015", "half_even", "0.02"),
        ("0.025", "half_even", "0.02"),
        ("0.019", "down", "0.01"),
        ("0.011", "up", "0.02"),
    ],
)
def test_round_money_rules(value, rule, expected):
    assert round_money(Decimal(value), rule) == Decimal(expected)


def test_money_refuses_float_and_formats_with_separators():
    with pytest.raises(TypeError):
        to_decimal(1.5)
    assert format_money(Decimal("1234567.8")) == "1,234,567.80"
    assert format_money(None) == ""
