"""Property tests over the database: lines sum to the totals, a rerun of an open period changes nothing,
accounts get exactly the individual pension parts of paid lines, allocation never applies more than arrived."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shebao.contributions.models import Allocation, Arrival, ContributionLine, EmployerPeriod, Payable
from shebao.contributions.services import arrival_record, settlement_run
from shebao.individual_accounts.models import PensionEntry
from shebao.persons.models import ContributionBase

INSURANCES = ("pension", "medical", "unemployment", "injury", "maternity")
bases = st.decimals(min_value=D("0.00"), max_value=D("99999.99"), places=2)
SETTINGS = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _set_bases(personas, values):
    for person, value in zip(  # noqa: B905
        (personas.person_1, personas.person_2, personas.person_3, personas.person_b1), values
    ):
        ContributionBase.objects.filter(person=person).update(**{f"base_{i}": value for i in INSURANCES})


def _sum(qs, field):
    return D(str(qs.aggregate(s=Sum(field))["s"] or 0)).quantize(D("0.01"))


def _lines(period):
    return sorted(
        ContributionLine.objects.filter(period=period).values_list(
            "employer_id", "person_id", "insurance", "kind", "base", "employer_amount", "individual_amount"
        )
    )


@pytest.mark.django_db
@SETTINGS
@given(values=st.lists(bases, min_size=4, max_size=4))
def test_lines_sum_to_totals_and_rerun_changes_nothing(personas, values):
    with transaction.atomic():
        _set_bases(personas, values)
        settlement_run(period=202404)
        before = _lines(202404)
        for employer in (personas.employer_a, personas.employer_b):
            lines = ContributionLine.objects.filter(period=202404, employer=employer)
            payables = Payable.objects.filter(period=202404, employer=employer)
            assert _sum(lines, "employer_amount") == _sum(payables, "employer_amount")
            assert _sum(lines, "individual_amount") == _sum(payables, "individual_amount")
            for insurance in INSURANCES:
                p = payables.get(insurance=insurance)
                assert _sum(lines.filter(insurance=insurance), "employer_amount") == p.employer_amount
            due = EmployerPeriod.objects.get(period=202404, employer=employer).amount_due
            assert due == _sum(lines, "employer_amount") + _sum(lines, "individual_amount")
        settlement_run(period=202404)
        assert _lines(202404) == before
        transaction.set_rollback(True)


amounts = st.decimals(min_value=D("0.01"), max_value=D("20000.00"), places=2)


@pytest.mark.django_db
@SETTINGS
@given(
    values=st.lists(bases, min_size=4, max_size=4),
    payments=st.lists(st.tuples(amounts, st.integers(0, 120)), min_size=1, max_size=5),
    new_base=bases,
)
def test_allocation_and_pension_credits(personas, values, payments, new_base):
    with transaction.atomic():
        a = personas.employer_a
        _set_bases(personas, values)
        for period in (202401, 202402, 202403):
            settlement_run(period=period)
        for n, (amount, day) in enumerate(payments):
            arrival_record(
                employer=a,
                received_on=dt.date(2024, 2, 1) + dt.timedelta(days=day),
                amount=amount,
                reference=f"P{n}",
            )
        # a late base change, then reruns: paid periods get adjustments, open ones are replaced
        ContributionBase.objects.filter(person=personas.person_2).update(
            **{f"base_{i}": new_base for i in INSURANCES}
        )
        for period in (202401, 202402, 202403):
            settlement_run(period=period)

        for arrival in Arrival.objects.filter(employer=a):
            assert (
                _sum(Allocation.objects.filter(arrival=arrival), "amount")
                == arrival.allocated
                <= arrival.amount
            )
        assert _sum(Allocation.objects.filter(employer=a), "amount") <= sum(p for p, _ in payments)
        for ep in EmployerPeriod.objects.filter(employer=a):
            mine = Allocation.objects.filter(employer=a, period=ep.period)
            assert ep.amount_paid == _sum(mine.filter(kind="contributions"), "amount")
            # the surcharge ledger: paid by surcharge allocations, assessed on the late contribution parts
            assert ep.surcharge_paid == _sum(mine.filter(kind="surcharge"), "amount")
            assert ep.surcharge_assessed == _sum(mine.filter(kind="contributions"), "surcharge")
            assert ep.surcharge_paid <= ep.surcharge_assessed
            assert ep.amount_paid <= max(
                ep.amount_due, ep.amount_paid
            )  # never allocated beyond what was owed
            paid_lines = ContributionLine.objects.filter(
                employer=a, period=ep.period, insurance="pension", id__lte=ep.credited_through_line
            )
            credited = _sum(PensionEntry.objects.filter(employer=a, period=ep.period), "amount")
            if ep.paid_on:
                assert credited == _sum(paid_lines, "individual_amount")
            elif ep.credited_through_line == 0:
                assert credited == D("0.00")
        transaction.set_rollback(True)
