"""injury_case_open's rules (工伤事故备案, by the office or H13's effect): the accident date, the person's work-injury
coverage at the employer on that date, the text lengths — each refusal names its field and writes nothing — and
case numbers that stay unique when two filings race (a stale number is drawn again inside a savepoint; real
threads on PostgreSQL)."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections, transaction

from shebao.benefits import services
from shebao.benefits.models import InjuryCase
from shebao.benefits.selectors import injury_covered_on
from shebao.benefits.services import injury_case_open
from shebao.core.errors import DomainError
from shebao.persons.models import Coverage
from shebao.testing import enrol, make_person

TODAY = dt.date(2025, 1, 15)


def open_case(personas, **overrides):
    values = {
        "person": personas.person_1,
        "employer": personas.employer_a,
        "accident_date": dt.date(2024, 5, 6),
        "place": "车间",
        "description": "搬运时扭伤",
        "injury": "腰部扭伤",
        "today": TODAY,
    }
    values.update(overrides)
    return injury_case_open(**values)


def refused(personas, **overrides) -> DomainError:
    before = InjuryCase.objects.count()
    with pytest.raises(DomainError) as info:
        open_case(personas, **overrides)
    assert InjuryCase.objects.count() == before
    return info.value


@pytest.mark.django_db
def test_numbers_run_per_accident_month_and_texts_are_trimmed(personas):
    first = open_case(personas, place="  车间 ", witness=" 同班组工友 ")
    second = open_case(personas, person=personas.person_2, accident_date=dt.date(2024, 5, 31))
    other_month = open_case(personas, accident_date=dt.date(2024, 6, 1))
    assert [first.case_number, second.case_number, other_month.case_number] == [
        "GS202405000001",
        "GS202405000002",
        "GS202406000001",
    ]
    first.refresh_from_db()
    assert (first.place, first.witness, first.status) == ("车间", "同班组工友", InjuryCase.Status.REPORTED)


@pytest.mark.django_db
def test_accident_today_is_accepted_tomorrow_is_not(personas):
    assert open_case(personas, accident_date=TODAY).accident_date == TODAY
    error = refused(personas, accident_date=TODAY + dt.timedelta(days=1))
    assert error.field == "accident_date"
    assert error.message == "事故日期 2025-01-16 不能晚于今天（2025-01-15）"


@pytest.mark.django_db
def test_accident_before_1990_is_refused(personas):
    error = refused(personas, accident_date=dt.date(1989, 12, 31))
    assert (error.field, error.message) == ("accident_date", "事故日期不能早于 1990-01-01")


@pytest.mark.django_db
def test_person_without_employment_at_the_employer_is_refused(personas):
    error = refused(personas, person=personas.person_b1)  # 孙悦 works at employer B
    assert error.field == "id_number"
    assert (
        f"公民身份号码 {personas.person_b1.id_number}（孙悦）在「杭州甲科技有限公司」没有参保记录"
        == error.message
    )


@pytest.mark.django_db
def test_accident_before_the_coverage_started_is_refused(personas):
    # insured at A from 202401: an accident in December 2023 was not covered
    error = refused(personas, accident_date=dt.date(2023, 12, 31))
    assert error.field == "accident_date"
    assert error.message == "事故日期 2023-12-31：王小明 当时未在「杭州甲科技有限公司」参加工伤保险"
    assert open_case(personas, accident_date=dt.date(2024, 1, 1)).case_number == "GS202401000001"


@pytest.mark.django_db
def test_stopped_injury_coverage_counts_up_to_its_stop_period_exclusive(personas):
    Coverage.objects.filter(person=personas.person_1, insurance="injury").update(stop_period=202407)
    assert open_case(personas, accident_date=dt.date(2024, 6, 30)).case_number == "GS202406000001"
    error = refused(personas, accident_date=dt.date(2024, 7, 1))
    assert error.field == "accident_date" and "未在「杭州甲科技有限公司」参加工伤保险" in error.message


@pytest.mark.django_db
def test_employed_but_not_insured_for_work_injury_is_refused(personas):
    person = make_person(name="钱多多", birth=dt.date(1988, 3, 3), seq=51)
    enrol(
        person=person,
        employer=personas.employer_a,
        start_period=202401,
        wage="6000.00",
        base_year=2024,
        insurances=("pension", "medical"),
    )
    assert not injury_covered_on(person=person, employer=personas.employer_a, day=dt.date(2024, 5, 6))
    error = refused(personas, person=person)
    assert (
        error.field == "accident_date"
        and "钱多多 当时未在「杭州甲科技有限公司」参加工伤保险" in error.message
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("place", "   ", "请填写事故地点"),
        ("description", "", "请填写事故经过"),
        ("injury", "", "请填写受伤部位及程度"),
        ("place", "地" * 101, "事故地点最多 100 个字（现有 101 个）"),
        ("injury", "伤" * 201, "受伤部位及程度最多 200 个字（现有 201 个）"),
        ("witness", "证" * 61, "证人最多 60 个字（现有 61 个）"),
        ("description", "经" * 2001, "事故经过最多 2000 个字（现有 2001 个）"),
    ],
)
@pytest.mark.django_db
def test_texts_are_required_and_within_the_models_lengths(personas, field, value, message):
    error = refused(personas, **{field: value})
    assert (error.field, error.message) == (field, message)


@pytest.mark.django_db
def test_texts_at_their_maximum_lengths_are_accepted(personas):
    case = open_case(
        personas, place="地" * 100, injury="伤" * 200, witness="证" * 60, description="经" * 2000
    )
    case.refresh_from_db()
    assert (len(case.place), len(case.injury), len(case.witness), len(case.description)) == (
        100,
        200,
        60,
        2000,
    )


@pytest.mark.django_db
def test_a_number_taken_meanwhile_is_drawn_again_inside_the_callers_transaction(personas, monkeypatch):
    open_case(personas)  # GS202405000001
    real = services._next_case_number
    stale = iter(["GS202405000001"])  # what a concurrent filing that read before our commit would compute

    def next_number(accident_date):
        return next(stale, None) or real(accident_date)

    monkeypatch.setattr(services, "_next_case_number", next_number)
    with transaction.atomic():
        case = open_case(personas, person=personas.person_2)
        assert InjuryCase.objects.count() == 2  # the outer transaction is still usable after the retry
    assert case.case_number == "GS202405000002"


@pytest.mark.django_db
def test_numbers_that_keep_colliding_give_a_chinese_error_and_write_nothing(personas, monkeypatch):
    open_case(personas)
    monkeypatch.setattr(services, "_next_case_number", lambda accident_date: "GS202405000001")
    error = refused(personas, person=personas.person_2)
    assert error.message == "工伤案件编号生成冲突，请稍后重试"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="thread races need PostgreSQL")
def test_filings_in_the_same_month_at_once_all_get_their_own_number(personas):
    people = [personas.person_1, personas.person_2, personas.person_3, personas.person_1]
    barrier = threading.Barrier(len(people))
    outcomes: list = [None] * len(people)

    def run(index, person):
        try:
            barrier.wait()
            outcomes[index] = open_case(personas, person=person).case_number
        except Exception as exc:  # reported by the assertion below
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, p)) for i, p in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes, key=str) == [f"GS202405{n:06d}" for n in range(1, 5)], outcomes
