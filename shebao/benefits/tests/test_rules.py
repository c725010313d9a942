"""Table tests of the pure money rules (money.md worked examples), computed by hand."""

from decimal import Decimal as D

import pytest

from shebao.benefits import rules


def test_maternity_allowance_worked_example():
    assert rules.maternity_allowance(D("6000.00"), 158) == D("31600.00")


@pytest.mark.parametrize(
    ("a", "i", "n", "expected"), [("8020", "1.0", "30", "2406.00"), ("8020", "0.85", "27.5", "2040.09")]
)
def test_basic_pension_worked_examples(a, i, n, expected):
    assert rules.basic_pension(D(a), D(i), D(n)) == D(expected)


def test_account_pension_worked_example():
    assert rules.account_pension(D("150000.00"), 60) == D("1079.14")
    assert rules.basic_pension(D("8020"), D("1.0"), D("30")) + rules.account_pension(D("150000.00"), 60) == D(
        "3485.14"
    )


def test_disability_grant_months_by_grade():
    assert rules.disability_grant(D("5000.00"), 1) == D("135000.00")
    assert rules.disability_grant(D("5000.00"), 10) == D("35000.00")
