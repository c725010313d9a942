"""Property (hypothesis): whatever base changes are approved, into open or paid periods, in any order and however
often, after the next run every settled period's lines — regular plus 补差 — equal a fresh settlement of the
current record computed independently in Python (rules.contribution with the rates in force); nothing counts twice."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal as D

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shebao.contributions import rules
from shebao.contributions.models import ContributionLine, EmployerPeriod, Payable, SettlementMark
from shebao.contributions.services import (
    arrival_record,
    settlement_mark_record_changes,
    settlement_marks_process,
    settlement_run,
)
from shebao.parameters.selectors import rates_for
from shebao.persons.models import ContributionBase, Coverage, RecordChange
from shebao.persons.services import base_set

PERIODS = [202601, 202602, 202603, 202604]
pytestmark = pytest.mark.django_db


class _Rollback(Exception):
    pass


@pytest.fixture
def settled(personas):
    for period in PERIODS:
        assert settlement_run(period=period).status == "done"
    a = personas.employer_a
    paid = sum(EmployerPeriod.objects.get(employer=a, period=p).amount_due for p in PERIODS[:2])
    arrival_record(employer=a, received_on=dt.date(2026, 3, 5), amount=paid)  # 202601 and 202602 paid
    return personas


def expected(period):
    """A fresh settlement of the current record, in Python: per (employer, person, insurance) the two parts."""
    out = {}
    for coverage in Coverage.objects.select_related("employer").filter(start_period__lte=period):
        if coverage.stop_period is not None and coverage.stop_period <= period:
            continue
        base_row = (
            ContributionBase.objects.filter(
                person_id=coverage.person_id, employer_id=coverage.employer_id, start_period__lte=period
            )
            .order_by("-start_period")
            .first()
        )
        if base_row is None:
            continue
        base = getattr(base_row, f"base_{coverage.insurance}")
        employer_rate, individual_rate = rates_for(
            employer=coverage.employer, insurance=coverage.insurance, period=period
        )
        out[(coverage.employer_id, coverage.person_id, coverage.insurance)] = (
            rules.contribution(base, employer_rate),
            rules.contribution(base, individual_rate),
        )
    return out


def actual(period):
    out = defaultdict(lambda: (D("0.00"), D("0.00")))
    for line in ContributionLine.objects.filter(period=period):
        key = (line.employer_id, line.person_id, line.insurance)
        e, i = out[key]
        out[key] = (e + line.employer_amount, i + line.individual_amount)
    return {k: v for k, v in out.items() if v != (D("0.00"), D("0.00")) or k in expected(period)}


def expected_bases(period):
    """Per (employer, insurance): the bases in force now of the persons counted, from the record."""
    out = defaultdict(lambda: (D("0.00"), 0))
    for coverage in Coverage.objects.filter(start_period__lte=period):
        if coverage.stop_period is not None and coverage.stop_period <= period:
            continue
        base_row = (
            ContributionBase.objects.filter(
                person_id=coverage.person_id, employer_id=coverage.employer_id, start_period__lte=period
            )
            .order_by("-start_period")
            .first()
        )
        if base_row is None:
            continue
        total, heads = out[(coverage.employer_id, coverage.insurance)]
        out[(coverage.employer_id, coverage.insurance)] = (
            total + getattr(base_row, f"base_{coverage.insurance}"),
            heads + 1,
        )
    return dict(out)


def expected_payables(period):
    """What a fresh settlement's payables hold: per (employer, insurance) the amounts, base total, headcount."""
    amounts = defaultdict(lambda: (D("0.00"), D("0.00")))
    for (employer_id, _person, insurance), (e, i) in expected(period).items():
        se, si = amounts[(employer_id, insurance)]
        amounts[(employer_id, insurance)] = (se + e, si + i)
    bases = expected_bases(period)
    return {key: (*amounts[key], *bases[key]) for key in bases}


def payables(period):
    return {
        (p.employer_id, p.insurance): (p.employer_amount, p.individual_amount, p.base_total, p.headcount)
        for p in Payable.objects.filter(period=period)
    }


changes = st.lists(
    st.tuples(
        st.sampled_from(["person_1", "person_2", "person_3"]),
        st.sampled_from(PERIODS),
        st.decimals(min_value=D("3000"), max_value=D("40000"), places=2),
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=changes, next_run=st.sampled_from([202604, 202605]))
def test_after_the_next_run_every_period_equals_a_fresh_settlement(settled, changes, next_run):
    personas = settled
    a = personas.employer_a
    paid_lines = set(
        ContributionLine.objects.filter(period__in=PERIODS[:2]).values_list("id", "employer_amount")
    )
    try:
        with transaction.atomic():
            for n, (who, period, wage) in enumerate(changes):
                tag = f"P{n}"
                base_set(
                    person=getattr(personas, who),
                    employer=a,
                    base_year=2026,
                    start_period=period,
                    declared_wage=wage,
                    declaration_number=tag,
                )
                queued = settlement_mark_record_changes(
                    changes=RecordChange.objects.filter(declaration_number=tag), reason=tag
                )
                # what the background task does once the approval commits
                for employer_id, periods in queued.items():
                    settlement_marks_process(employer_ids=[employer_id], periods=periods)
            assert settlement_run(period=next_run).status == "done"
            assert not SettlementMark.objects.filter(run__isnull=True).exists()
            for period in PERIODS:
                assert actual(period) == expected(period), period
                assert payables(period) == expected_payables(period), period
            # paid periods kept their paid lines: the differences are adjustment lines only
            regular = ContributionLine.objects.filter(period__in=PERIODS[:2], kind="regular")
            assert set(regular.values_list("id", "employer_amount")) == paid_lines
            raise _Rollback
    except _Rollback:
        pass
