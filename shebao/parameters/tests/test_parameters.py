"""Policy parameters as effective-dated data, and the one selector that answers which value applies."""

import datetime as dt
from decimal import Decimal

import pytest

from shebao.parameters.models import InsuranceRate, RiskClassRate
from shebao.parameters.rules import RetirementRule, clamp_base, retirement_age_months, retirement_period
from shebao.parameters.selectors import (
    ParameterMissing,
    average_wage_for,
    base_limits_for,
    interest_rate_for,
    policy_decimal,
    rates_for,
    retirement_rule_for,
)
from shebao.testing import make_employer

pytestmark = pytest.mark.django_db


@pytest.fixture
def employer():
    return make_employer(number="30000001", name="费率测试单位", org8="MA3KTE8X", risk_class=2)


def test_seeded_defaults_match_money_md(employer):
    assert rates_for(employer=employer, insurance="pension", period=202406) == (
        Decimal("0.16"),
        Decimal("0.08"),
    )
    assert rates_for(employer=employer, insurance="medical", period=202406) == (
        Decimal("0.09"),
        Decimal("0.02"),
    )
    assert rates_for(employer=employer, insurance="unemployment", period=202406) == (
        Decimal("0.005"),
        Decimal("0.005"),
    )
    assert rates_for(employer=employer, insurance="injury", period=202406) == (Decimal("0.004"), Decimal("0"))
    assert rates_for(employer=employer, insurance="maternity", period=202406) == (
        Decimal("0.005"),
        Decimal("0"),
    )
    assert base_limits_for(base_year=2024, insurance="pension") == (Decimal("4812"), Decimal("24060"))
    assert base_limits_for(base_year=2026, insurance="medical") == (Decimal("5250"), Decimal("26250"))
    assert average_wage_for(year=2025) == Decimal("8400")
    assert interest_rate_for(year=2024) == Decimal("0.0262")
    assert policy_decimal("late_surcharge_daily_rate", period=202406) == Decimal("0.0005")


def test_newer_rate_applies_from_its_period_and_type_row_wins(employer):
    InsuranceRate.objects.create(
        insurance="pension",
        employer_type="",
        effective_from=202501,
        employer_rate=Decimal("0.15"),
        individual_rate=Decimal("0.08"),
    )
    InsuranceRate.objects.create(
        insurance="pension",
        employer_type="enterprise",
        effective_from=202507,
        employer_rate=Decimal("0.14"),
        individual_rate=Decimal("0.08"),
    )
    assert rates_for(employer=employer, insurance="pension", period=202412)[0] == Decimal("0.16")
    assert rates_for(employer=employer, insurance="pension", period=202501)[0] == Decimal("0.15")
    assert rates_for(employer=employer, insurance="pension", period=202507)[0] == Decimal("0.14")
    employer.employer_type = "institution"
    assert rates_for(employer=employer, insurance="pension", period=202507)[0] == Decimal("0.15")


def test_risk_class_rate_follows_class_and_period(employer):
    employer.risk_class = 8
    assert rates_for(employer=employer, insurance="injury", period=202406)[0] == Decimal("0.019")
    RiskClassRate.objects.create(risk_class=8, effective_from=202601, rate=Decimal("0.018"))
    assert rates_for(employer=employer, insurance="injury", period=202601)[0] == Decimal("0.018")


def test_missing_parameter_says_which(employer):
    with pytest.raises(ParameterMissing) as err:
        base_limits_for(base_year=2031, insurance="pension")
    assert "2031" in err.value.message
    with pytest.raises(ParameterMissing):
        rates_for(employer=employer, insurance="pension", period=200001)


@pytest.mark.parametrize(
    ("wage", "expected"), [("3000.00", "4812.00"), ("7654.32", "7654.32"), ("30000.00", "24060.00")]
)
def test_clamp_base_worked_examples(wage, expected):
    assert clamp_base(Decimal(wage), Decimal("4812.00"), Decimal("24060.00")) == Decimal(expected)


MALE = RetirementRule(196412, 720, 4, 756)


FEMALE_WORKER = RetirementRule(197412, 600, 2, 660)


FEMALE_CADRE = RetirementRule(196912, 660, 4, 696)


@pytest.mark.parametrize(
    ("rule", "birth", "months"),
    [
        (MALE, dt.date(1964, 12, 31), 720),  # born before the change: 60
        (MALE, dt.date(1965, 1, 10), 721),  # 1965-01…04 → 60 years 1 month
        (MALE, dt.date(1965, 4, 30), 721),
        (MALE, dt.date(1965, 5, 1), 722),
        (MALE, dt.date(1976, 8, 1), 755),
        (MALE, dt.date(1976, 9, 1), 756),  # 1976-09 or later → 63
        (MALE, dt.date(1990, 1, 1), 756),
        (FEMALE_WORKER, dt.date(1975, 1, 1), 601),
        (FEMALE_WORKER, dt.date(1975, 3, 1), 602),
        (FEMALE_WORKER, dt.date(1984, 12, 1), 660),
        (FEMALE_CADRE, dt.date(1970, 4, 1), 661),
        (FEMALE_CADRE, dt.date(1970, 5, 1), 662),
        (FEMALE_CADRE, dt.date(1981, 12, 1), 696),
    ],
)
def test_retirement_age_gradual_raise(rule, birth, months):
    assert retirement_age_months(birth, rule) == months


def test_retirement_period_and_seeded_rules():
    assert retirement_period(dt.date(1965, 1, 10), MALE) == 202502  # 60 years 1 month after 1965-01
    assert retirement_rule_for("male") == MALE
    assert retirement_rule_for("female_worker") == FEMALE_WORKER
    assert retirement_rule_for("female_cadre") == FEMALE_CADRE
