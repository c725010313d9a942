"""Pension account yearly closing (money.md formula and both worked examples), medical account, benefits."""

import datetime as dt
from decimal import Decimal as D

import pytest

from shebao.benefits.models import InjuryCase
from shebao.benefits.services import (
    injury_case_determine,
    injury_case_open,
    injury_payment_record,
    maternity_payment_record,
)
from shebao.core.errors import DomainError


@pytest.mark.django_db
def test_maternity_allowance_from_the_employers_average_base(personas):
    from shebao.contributions.services import settlement_run

    for period in range(202401, 202413):
        settlement_run(period=period)
    # employer B: one employee at 6,000.00 → average 6,000.00; 158 days → 31,600.00
    payment = maternity_payment_record(
        person=personas.person_b1, employer=personas.employer_b, delivery_date=dt.date(2025, 1, 8),
        delivery_type="natural", paid_on=dt.date(2025, 2, 1), medical_costs=D("3500.00"),
    )  # fmt: skip
    assert (payment.average_base, payment.leave_days, payment.allowance, payment.total) == (
        D("6000.00"), 158, D("31600.00"), D("35100.00"),
    )  # fmt: skip


@pytest.mark.django_db
def test_injury_payment_needs_a_determined_case(personas):
    case = injury_case_open(
        person=personas.person_1, employer=personas.employer_a, accident_date=dt.date(2024, 5, 6),
        place="车间", description="搬运时扭伤", injury="腰部扭伤",
    )  # fmt: skip
    assert case.status == InjuryCase.Status.REPORTED and case.case_number == "GS202405000001"
    with pytest.raises(DomainError, match="尚未认定"):
        injury_payment_record(case=case, item="medical", amount=D("800.00"), paid_on=dt.date(2024, 6, 1))
    injury_case_determine(
        case=case, status="determined", determined_on=dt.date(2024, 6, 1), disability_grade=10
    )
    payment = injury_payment_record(
        case=case, item="medical", amount=D("800.00"), paid_on=dt.date(2024, 6, 20)
    )
    assert (payment.period, payment.employer_id) == (202406, personas.employer_a.pk)
