"""Table tests of the pure money rules (money.md worked examples), computed by hand."""

from decimal import Decimal as D

import pytest

from shebao.benefits import rules
from shebao.parameters.models import AccountPensionDivisor
from shebao.parameters.selectors import (
    ParameterMissing,
    account_pension_divisor_for,
    disability_grant_months_for,
    divisor_table,
    maternity_entitlement_for,
)


def test_maternity_allowance_worked_example():
    assert rules.maternity_allowance(D("6000.00"), 158) == D("31600.00")


@pytest.mark.parametrize(
    ("a", "i", "n", "expected"), [("8020", "1.0", "30", "2406.00"), ("8020", "0.85", "27.5", "2040.09")]
)
def test_basic_pension_worked_examples(a, i, n, expected):
    assert rules.basic_pension(D(a), D(i), D(n)) == D(expected)


def test_account_pension_worked_example():
    assert rules.account_pension(D("150000.00"), D("139")) == D("1079.14")
    assert rules.basic_pension(D("8020"), D("1.0"), D("30")) + rules.account_pension(
        D("150000.00"), D("139")
    ) == D("3485.14")
    assert rules.basic_pension_for_months(D("8020"), D("0.85"), 330) == D("2040.09")


# money.md's divisor table, typed again here by hand: age → months.
DIVISORS = {
    40: 233, 41: 230, 42: 226, 43: 223, 44: 220, 45: 216, 46: 212, 47: 207, 48: 204, 49: 199, 50: 195,
    51: 190, 52: 185, 53: 180, 54: 175, 55: 170, 56: 164, 57: 158, 58: 152, 59: 145, 60: 139, 61: 132,
    62: 125, 63: 117, 64: 109, 65: 101, 66: 93, 67: 84, 68: 75, 69: 65, 70: 56,
}  # fmt: skip


@pytest.mark.django_db
def test_divisor_table_is_data_seeded_with_money_md():
    assert divisor_table(period=202611) == {age: D(months) for age, months in DIVISORS.items()}
    for age, months in DIVISORS.items():
        assert account_pension_divisor_for(age_months=age * 12, period=202611) == D(months)
    assert account_pension_divisor_for(age_months=60 * 12 + 4, period=202611) == D("136.67")  # money.md
    assert account_pension_divisor_for(age_months=50 * 12 + 3, period=202611) == D("193.75")  # 195 − 5 × 3/12
    assert account_pension_divisor_for(age_months=69 * 12 + 11, period=202611) == D(
        "56.75"
    )  # 65 − 9 × 11/12 = 65 − 8.25
    with pytest.raises(ParameterMissing, match="71 周岁"):
        account_pension_divisor_for(age_months=70 * 12 + 1, period=202611)  # needs 71
    AccountPensionDivisor.objects.create(effective_from=202701, age_years=60, months=D("140"))
    assert account_pension_divisor_for(age_months=60 * 12, period=202701) == D("140.00")
    with pytest.raises(ParameterMissing):  # a new table replaces the whole one: 61 is not in it
        account_pension_divisor_for(age_months=61 * 12, period=202701)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("grade", "months"),
    [(1, 27), (2, 25), (3, 23), (4, 21), (5, 18), (6, 16), (7, 13), (8, 11), (9, 9), (10, 7)],
)
def test_disability_grant_months_by_grade(grade, months):
    assert disability_grant_months_for(grade=grade, period=202611) == months
    assert rules.disability_grant(D("5000.00"), disability_grant_months_for(grade=grade, period=202611)) == D(
        5000 * months
    ).quantize(D("0.01"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("delivery", "babies", "pregnancy", "days"),
    [
        ("natural", 1, 0, 158),
        ("caesarean", 1, 0, 173),
        ("multiple", 2, 0, 173),
        ("multiple", 3, 0, 188),
        ("caesarean", 2, 0, 188),
        ("miscarriage", 1, 3, 15),
        ("miscarriage", 1, 4, 42),
    ],
)
def test_leave_days_from_the_table(delivery, babies, pregnancy, days):
    got = maternity_entitlement_for(
        delivery_type=delivery, period=202611, babies=babies, pregnancy_months=pregnancy
    )
    assert got.leave_days == days
