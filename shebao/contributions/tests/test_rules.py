"""Table tests of the pure money rules (money.md worked examples), computed by hand."""

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shebao.contributions import rules


@pytest.mark.parametrize(
    ("period", "months", "due"),
    [
        (202401, 1, "2024-02-29"),
        (202312, 1, "2024-01-31"),
        (202411, 1, "2024-12-31"),
        (202403, 2, "2024-05-31"),
    ],
)
def test_due_date_is_last_day_of_following_month(period, months, due):
    assert rules.due_date(period, months) == dt.date.fromisoformat(due)


def test_surcharge_worked_example():
    # 10,000.00 overdue 20 days at 0.05 % a day → 100.00
    due = dt.date(2024, 2, 29)
    days = rules.days_late(due, dt.date(2024, 3, 20))
    assert days == 20
    assert rules.late_surcharge(D("10000.00"), days, D("0.0005")) == D("100.00")


@pytest.mark.parametrize(
    ("amount", "days", "expected"),
    [
        ("1775.63", 1, "0.89"),
        ("1775.63", 31, "27.52"),
        ("0.01", 1, "0.00"),
        ("999.99", 0, "0.00"),
        ("1000.00", 1, "0.50"),
    ],
)
def test_surcharge_rounding(amount, days, expected):
    # 1775.63 × 0.0005 = 0.887815 → 0.89; × 31 = 27.522265 → 27.52
    assert rules.late_surcharge(D(amount), days, D("0.0005")) == D(expected)


def test_paid_on_or_before_due_is_not_late():
    due = dt.date(2024, 2, 29)
    assert rules.days_late(due, due) == 0
    assert rules.days_late(due, dt.date(2024, 2, 1)) == 0


def test_allocation_oldest_first_then_credit():
    owed = [rules.Owed(202403, D("100.00")), rules.Owed(202401, D("50.00")), rules.Owed(202402, D("70.00"))]
    assert rules.allocate(D("130.00"), owed) == [
        (202401, D("50.00")),
        (202402, D("70.00")),
        (202403, D("10.00")),
    ]
    assert rules.allocate(D("300.00"), owed) == [
        (202401, D("50.00")),
        (202402, D("70.00")),
        (202403, D("100.00")),
    ]


def test_allocation_named_period_first():
    owed = [rules.Owed(202401, D("50.00")), rules.Owed(202403, D("100.00"))]
    assert rules.allocate(D("120.00"), owed, named_period=202403) == [
        (202403, D("100.00")),
        (202401, D("20.00")),
    ]


amounts = st.decimals(min_value=D("0.01"), max_value=D("100000"), places=2)


@given(
    amount=amounts,
    owed=st.lists(st.tuples(st.integers(1, 12), amounts), max_size=8, unique_by=lambda t: t[0]),
)
def test_allocation_never_applies_more_than_arrived(amount, owed):
    rows = [rules.Owed(202400 + m, a) for m, a in owed]
    parts = rules.allocate(amount, rows)
    assert sum((p for _, p in parts), D(0)) <= amount
    limits = {r.period: r.amount for r in rows}
    assert all(0 < p <= limits[period] for period, p in parts)
    # everything owed is paid before anything is left over
    assert sum((p for _, p in parts), D(0)) == min(amount, sum(limits.values(), D(0)))
