"""Pension account yearly closing (money.md formula and both worked examples), medical account, benefits."""

import datetime as dt
from decimal import Decimal as D

import pytest

from shebao.core.errors import DomainError
from shebao.individual_accounts.models import PensionEntry, PensionYear
from shebao.individual_accounts.selectors import medical_account_year, pension_account_year
from shebao.individual_accounts.services import interest_close, medical_debit_record, pension_opening_record

TODAY = dt.date(2025, 3, 1)


def _credit(person, year, months, amount="384.96"):
    PensionEntry.objects.bulk_create(
        PensionEntry(
            person=person, period=year * 100 + m, year=year, month=m, amount=D(amount),
            credited_on=dt.date(year, m, 15),
        )
        for m in months
    )  # fmt: skip


@pytest.mark.django_db
def test_interest_closing_reproduces_both_worked_examples(personas):
    full, partial = personas.person_1, personas.person_2
    for person in (full, partial):
        pension_opening_record(
            person=person, year=2024, amount=D("50000.00"), credited_on=dt.date(2024, 1, 1)
        )
    _credit(full, 2024, range(1, 13))
    _credit(partial, 2024, range(3, 13))
    closing = interest_close(year=2024, today=TODAY)
    assert closing.accounts == 2 and closing.rate == D("0.0262")
    row = PensionYear.objects.get(person=full, year=2024)
    assert (row.opening, row.credits, row.months_credited, row.interest, row.closing) == (
        D("50000.00"), D("4619.52"), 12, D("1375.56"), D("55995.08"),
    )  # fmt: skip
    row = PensionYear.objects.get(person=partial, year=2024)
    assert (row.opening, row.credits, row.months_credited, row.interest, row.closing) == (
        D("50000.00"), D("3849.60"), 10, D("1356.23"), D("55205.83"),
    )  # fmt: skip
    shown = pension_account_year(person=full, year=2024)
    assert shown.closed and shown.closing == D("55995.08") and len(shown.monthly) == 12


@pytest.mark.django_db
def test_next_year_opens_with_last_closing_and_years_close_in_order(personas):
    from shebao.parameters.models import CreditedInterestRate

    person = personas.person_1
    pension_opening_record(person=person, year=2023, amount=D("1000.00"), credited_on=dt.date(2023, 1, 1))
    interest_close(year=2023, today=TODAY)  # 1000 × 3.97 % = 39.70
    assert PensionYear.objects.get(person=person, year=2023).closing == D("1039.70")
    with pytest.raises(DomainError, match="已结息"):
        interest_close(year=2023, today=TODAY)
    with pytest.raises(DomainError, match="尚未结束"):
        interest_close(year=2025, today=TODAY)
    _credit(person, 2024, [12], "100.00")
    interest_close(year=2024, today=TODAY)
    # opening 1039.70 × 2.62 % = 27.24014; 100 × 2.62 % × 1/12 = 0.21833 → 27.46
    row = PensionYear.objects.get(person=person, year=2024)
    assert (row.opening, row.interest, row.closing) == (D("1039.70"), D("27.46"), D("1167.16"))
    with pytest.raises(DomainError, match="请先结息 2025"):
        interest_close(year=2026, today=dt.date(2028, 1, 1))
    CreditedInterestRate.objects.filter(year=2025).delete()  # money.md has no 2025 rate
    with pytest.raises(DomainError, match="记账利率未设置"):
        interest_close(year=2025, today=dt.date(2028, 1, 1))
    assert pension_account_year(person=person, year=2025).opening == D("1167.16")


@pytest.mark.django_db
def test_medical_account_credits_and_debits(personas):
    from shebao.individual_accounts.models import MedicalEntry

    person = personas.person_1
    MedicalEntry.objects.create(
        person=person, period=202401, kind="credit", amount=D("96.24"), entry_date=dt.date(2024, 2, 10)
    )
    medical_debit_record(person=person, amount=D("30.00"), entry_date=dt.date(2024, 3, 1), place="社区药房")
    with pytest.raises(DomainError, match="余额不足"):
        medical_debit_record(person=person, amount=D("70.00"), entry_date=dt.date(2024, 3, 2))
    year = medical_account_year(person=person, year=2024)
    assert (year.opening, year.credits, year.debits, year.closing) == (
        D("0.00"), D("96.24"), D("30.00"), D("66.24"),
    )  # fmt: skip


@pytest.mark.django_db
def test_a_late_payment_for_a_closed_year_is_credited_in_the_first_open_month(personas):
    """Decision (money.md is silent): a closed year is never reopened. Contributions for its months paid after
    the closing are booked as month 1 of the first open year (keeping their own period), so they earn a full year
    of interest there and the closed balances stay what was reported."""
    from shebao.contributions.services import arrival_record, settlement_run

    settlement_run(period=202412)
    interest_close(year=2024, today=TODAY)  # nothing credited for 202412 yet: unpaid
    closed = PensionYear.objects.filter(year=2024).count()
    arrival_record(employer=personas.employer_a, received_on=dt.date(2025, 3, 10), amount=D("13478.22"))
    entry = PensionEntry.objects.get(person=personas.person_1, period=202412)
    assert (entry.year, entry.month, entry.amount) == (2025, 1, D("384.96"))
    assert PensionYear.objects.filter(year=2024).count() == closed  # the closed year is untouched
    shown = pension_account_year(person=personas.person_1, year=2025)
    assert shown.credits == D("384.96")
