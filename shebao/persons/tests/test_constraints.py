"""The database itself keeps the core record's invariants."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from shebao.persons.models import ContributionBase, Coverage, Employment, Person, person_copies
from shebao.testing import enrol, make_employer, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def record():
    employer = make_employer(number="20000001", name="测试单位", org8="MA2KTE8X")
    person = make_person(name="张三", birth=dt.date(1990, 1, 1), seq=101)
    return employer, person


def refused(**kwargs):
    kwargs = {**person_copies(kwargs["person"]), **kwargs}
    with pytest.raises(IntegrityError), transaction.atomic():
        Employment.objects.create(**kwargs)


def test_one_open_employment_per_person(record):
    employer, person = record
    other = make_employer(number="20000002", name="另一单位", org8="MA2KTE9Y")
    Employment.objects.create(
        person=person, employer=employer, enrolment_type="01", start_period=202401, **person_copies(person)
    )
    refused(person=person, employer=other, enrolment_type="01", start_period=202402)
    # A closed employment and a new open one may coexist.
    Employment.objects.filter(person=person).update(stop_period=202402, status="stopped", stop_reason="11")
    Employment.objects.create(
        person=person, employer=other, enrolment_type="02", start_period=202402, **person_copies(person)
    )
    assert Employment.objects.filter(person=person, stop_period__isnull=True).count() == 1


def test_employment_without_the_persons_fields_refused(record):
    employer, person = record
    refused(person=person, employer=employer, enrolment_type="01", start_period=202401, person_id_number="")
    with pytest.raises(IntegrityError), transaction.atomic():  # no birth date
        Employment.objects.create(person=person, employer=employer, enrolment_type="01", start_period=202401)


@pytest.mark.parametrize("period", [202400, 202413, 189912, 999999])
def test_invalid_periods_refused(record, period):
    employer, person = record
    refused(person=person, employer=employer, enrolment_type="01", start_period=period)


def test_stop_not_before_start_and_status_matches(record):
    employer, person = record
    refused(
        person=person,
        employer=employer,
        enrolment_type="01",
        start_period=202405,
        stop_period=202404,
        status="stopped",
    )
    refused(
        person=person,
        employer=employer,
        enrolment_type="01",
        start_period=202405,
        stop_period=202406,
        status="active",
    )
    refused(person=person, employer=employer, enrolment_type="01", start_period=202405, status="stopped")


def test_unique_id_number(record):
    _, person = record
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(
            id_number=person.id_number, name="李四", gender="M", birth_date=dt.date(1990, 1, 1)
        )


def test_one_open_coverage_per_insurance_and_valid_periods(record):
    employer, person = record
    employment = enrol(person=person, employer=employer, start_period=202401, wage="6000", base_year=2024)
    with pytest.raises(IntegrityError), transaction.atomic():
        Coverage.objects.create(
            employment=employment, person=person, employer=employer, insurance="pension", start_period=202402
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Coverage.objects.filter(employment=employment, insurance="medical").update(stop_period=202312)


def test_base_rows_unique_and_non_negative(record):
    employer, person = record
    enrol(person=person, employer=employer, start_period=202401, wage="6000", base_year=2024)
    fields = dict(
        person=person,
        employer=employer,
        base_year=2024,
        declared_wage=Decimal("1"),
        base_pension=Decimal("1"),
        base_medical=Decimal("1"),
        base_unemployment=Decimal("1"),
        base_injury=Decimal("1"),
        base_maternity=Decimal("1"),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ContributionBase.objects.create(start_period=202401, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContributionBase.objects.create(start_period=202406, **{**fields, "base_medical": Decimal("-1")})


def test_employer_risk_class_within_1_to_8(record):
    employer, _ = record
    from shebao.employers.models import Employer

    with pytest.raises(IntegrityError), transaction.atomic():
        Employer.objects.filter(pk=employer.pk).update(risk_class=9)
