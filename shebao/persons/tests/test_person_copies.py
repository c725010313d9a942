"""Employment repeats the person's ID number, name, gender and birth date; persons.services keeps them in step."""

import datetime as dt

import pytest

from shebao.core.idnumbers import make_id_number
from shebao.persons import services
from shebao.persons.models import Employment
from shebao.testing import make_employer, make_person

pytestmark = pytest.mark.django_db
COPIES = ("person_id_number", "person_name", "person_gender", "person_birth_date")


def copies(employment) -> tuple:
    employment.refresh_from_db()
    return tuple(getattr(employment, f) for f in COPIES)


@pytest.fixture
def employers():
    return (
        make_employer(number="30000001", name="甲单位", org8="MA2KTE8X"),
        make_employer(number="30000002", name="乙单位", org8="MA2KTE9Y"),
    )


def test_employment_open_copies_the_person(employers):
    a, _b = employers
    person = make_person(name="张三", birth=dt.date(1990, 1, 1), seq=101)
    employment = services.employment_open(
        person=person, employer=a, start_period=202401, enrolment_type="01", insurances=["pension"]
    )
    assert copies(employment) == (person.id_number, "张三", "M", dt.date(1990, 1, 1))


def test_person_update_changes_every_employment_of_the_person(employers):
    a, b = employers
    person = make_person(name="张三", birth=dt.date(1990, 1, 1), seq=101)
    past = services.employment_open(
        person=person, employer=b, start_period=202301, enrolment_type="01", insurances=["pension"]
    )
    services.employment_stop(employment=past, stop_period=202312, reason="11")
    current = services.employment_open(
        person=person, employer=a, start_period=202401, enrolment_type="02", insurances=["pension"]
    )
    other = make_person(name="李四", birth=dt.date(1985, 6, 1), seq=103)
    bystander = services.employment_open(
        person=other, employer=a, start_period=202401, enrolment_type="01", insurances=["pension"]
    )
    new_id = make_id_number("330106", dt.date(1991, 2, 3), 22)  # a woman's
    changed = services.person_update(
        person=person,
        employer=a,
        changes={"name": "张珊", "id_number": new_id, "gender": "F", "birth_date": dt.date(1991, 2, 3)},
    )
    assert set(changed) == {"name", "id_number", "gender", "birth_date"}
    expected = (new_id, "张珊", "F", dt.date(1991, 2, 3))
    assert copies(past) == expected and copies(current) == expected
    assert copies(bystander) == (other.id_number, "李四", "M", dt.date(1985, 6, 1))
    # A change of a field that is not repeated leaves the employments alone (no UPDATE needed).
    services.person_update(person=person, employer=a, changes={"phone": "13900000000"})
    assert copies(current) == expected


def test_employment_open_reads_the_person_as_stored_not_the_callers_copy(employers):
    """H01 updates a known person's details, then opens the employment with the instance it read first."""
    a, _b = employers
    person = make_person(name="张三", birth=dt.date(1990, 1, 1), seq=101)
    stale = type(person).objects.get(pk=person.pk)
    services.person_update(person=person, employer=a, changes={"name": "张叁"})
    employment = services.employment_open(
        person=stale, employer=a, start_period=202401, enrolment_type="01", insurances=["pension"]
    )
    assert copies(employment)[1] == "张叁"
    assert Employment.objects.get(pk=employment.pk).person.name == "张叁"


@pytest.mark.django_db
def test_counter_registration_of_a_person_and_a_concurrent_duplicate():
    from shebao.core.errors import DomainError
    from shebao.persons.models import Person

    number = make_id_number("330106", dt.date(1990, 5, 1), 7)
    person = services.person_register(
        id_number=number, name="赵六", gender="M", birth_date=dt.date(1990, 5, 1)
    )
    assert Person.objects.get(id_number=number) == person
    with pytest.raises(DomainError) as caught:  # another counter registered the same number a moment before
        services.person_register(id_number=number, name="赵六", gender="M", birth_date=dt.date(1990, 5, 1))
    assert "刚刚由其他窗口登记" in caught.value.message
    assert Person.objects.filter(id_number=number).count() == 1
