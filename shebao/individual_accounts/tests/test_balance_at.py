"""The pension account balance at a date (money.md 'balance at retirement', used by H17's transfer out and meant
for H12's retirement): the rule by hand, then the selector over stored entries."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone

from shebao.individual_accounts import rules
from shebao.individual_accounts.models import PensionEntry, PensionYear
from shebao.individual_accounts.selectors import pension_balance_at
from shebao.parameters.models import CreditedInterestRate
from shebao.parameters.selectors import ParameterMissing

R = D("0.0262")
EVERY_MONTH = [(m, D("384.96")) for m in range(1, 13)]


@pytest.mark.parametrize(
    ("opening", "credits", "months", "interest"),
    [
        # k = 12 is money.md's yearly example: 1,375.56, and 1,356.23 with credits in months 3–12 only
        (D("50000.00"), EVERY_MONTH, 12, D("1375.56")),
        (D("50000.00"), EVERY_MONTH[2:], 12, D("1356.23")),
        # k = 6: (50,000 × 6 + 384.96 × (6+5+4+3+2+1 = 21)) × 0.0262 / 12 = 308,084.16 × 0.0262 / 12 = 672.6504…
        (D("50000.00"), EVERY_MONTH[:6], 6, D("672.65")),
        # credits after month k earn nothing yet
        (D("50000.00"), EVERY_MONTH, 6, D("672.65")),
        # k = 1: 50,000 × 0.0262 / 12 + 384.96 × 0.0262 / 12 = 109.1666… + 0.8404… = 110.0071…
        (D("50000.00"), EVERY_MONTH[:1], 1, D("110.01")),
        # k = 0 (nothing of the year yet)
        (D("50000.00"), [], 0, D("0.00")),
        # empty account
        (D("0.00"), [], 11, D("0.00")),
    ],
)
def test_interest_to_month(opening, credits, months, interest):
    assert rules.interest_to_month(opening, credits, R, months) == interest


def test_interest_to_month_twelve_is_the_yearly_interest():
    for start in range(1, 13):
        credits = EVERY_MONTH[start - 1 :]
        assert rules.interest_to_month(D("12345.67"), credits, R, 12) == rules.yearly_interest(
            D("12345.67"), credits, R
        )
    with pytest.raises(ValueError):
        rules.interest_to_month(D("1"), [], R, 13)


def entry(person, year, month, amount, credited_on, kind="credit"):
    return PensionEntry.objects.create(
        person=person, period=year * 100 + month, year=year, month=month, kind=kind, amount=D(amount),
        credited_on=credited_on,
    )  # fmt: skip


@pytest.mark.django_db
def test_balance_after_a_closed_year(personas):
    person = personas.person_1
    PensionYear.objects.create(
        person=person, year=2025, opening=D("45000.00"), credits=D("4000.00"), months_credited=12, rate=R,
        interest=D("1000.00"), closing=D("50000.00"), closed_at=timezone.now(),
    )  # fmt: skip
    entry(person, 2024, 5, "999.99", dt.date(2024, 6, 10))  # before the closed year: inside its closing
    for month in range(1, 12):
        entry(person, 2026, month, "384.96", dt.date(2026, month, 28))
    at = pension_balance_at(person=person, day=dt.date(2026, 11, 26))
    # the November credit is booked on the 28th, after the day: months 1–10 count
    # (50,000 × 11 + 384.96 × (11 + … + 2 = 65)) × 0.0262 / 12 = 575,022.40 × 0.0262 / 12 = 1,255.4655… → 1,255.47
    assert (at.closed_year, at.closed_balance, at.carried, at.opening) == (
        2025,
        D("50000.00"),
        0,
        D("50000.00"),
    )
    assert (at.credits_total, len(at.credits), at.months, at.rate_year, at.rate) == (
        D("3849.60"), 10, 11, 2024, R,
    )  # fmt: skip
    assert at.interest == D("1255.47")
    assert at.balance == D("55105.07")  # 50,000.00 + 3,849.60 + 1,255.47


@pytest.mark.django_db
def test_balance_without_a_closed_year_carries_earlier_credits(personas):
    person = personas.person_2
    entry(person, 2025, 12, "1000.00", dt.date(2026, 1, 10))  # last year's, never closed: carried
    entry(person, 2026, 1, "2000.00", dt.date(2026, 1, 5), kind="opening")  # a balance brought in
    entry(person, 2026, 2, "500.00", dt.date(2026, 3, 1))
    entry(person, 2026, 3, "700.00", dt.date(2026, 3, 20))  # after the day
    at = pension_balance_at(person=person, day=dt.date(2026, 3, 15))
    # opening 3,000.00; (3,000 × 3 + 500 × (3 + 1 − 2)) × 0.0262 / 12 = 10,000 × 0.0262 / 12 = 21.8333… → 21.83
    assert (at.closed_year, at.carried, at.opening, at.credits_total, at.months) == (
        None, D("1000.00"), D("3000.00"), D("500.00"), 3,
    )  # fmt: skip
    assert (at.interest, at.balance) == (D("21.83"), D("3521.83"))


@pytest.mark.django_db
def test_latest_published_rate_applies(personas):
    CreditedInterestRate.objects.create(year=2026, rate=D("0.0300"))
    entry(personas.person_1, 2026, 1, "1200.00", dt.date(2026, 1, 31))
    at = pension_balance_at(person=personas.person_1, day=dt.date(2026, 6, 30))
    # 1,200.00 × 0.03 × (6 + 1 − 1) / 12 = 18.00
    assert (at.rate_year, at.rate, at.interest, at.balance) == (2026, D("0.0300"), D("18.00"), D("1218.00"))


@pytest.mark.django_db
def test_no_published_rate_is_named(personas):
    CreditedInterestRate.objects.all().delete()
    with pytest.raises(ParameterMissing) as info:
        pension_balance_at(person=personas.person_1, day=dt.date(2026, 6, 30))
    assert "记账利率未设置" in info.value.message
