"""Q12 人员增减变动查询 and Q13 缴费基数查询."""

import datetime as dt

import pytest

from shebao.persons.models import Employment, person_copies
from shebao.testing import make_person

from .queryhelpers import OVERHEAD, frozen_now_fixture, history_fixture, read_csv, table_rows, text_of  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]
Q12, Q13 = "/portal/items/Q12/", "/portal/items/Q13/"


@pytest.fixture
def leaver(history):
    """Someone at A from 202305 who resigned, stopping from 202312."""
    person = make_person(name="李离", birth=dt.date(1993, 2, 2), seq=61)
    Employment.objects.create(
        person=person,
        employer=history.personas.employer_a,
        enrolment_type="02",
        start_period=202305,
        stop_period=202312,
        stop_reason="11",
        status="stopped",
        **person_copies(person),
    )
    return person


def test_q12_default_range_is_twelve_months_to_current(
    login_as, history, leaver, django_assert_max_num_queries
):
    p = history.personas
    client = login_as(p.operator_a)
    with django_assert_max_num_queries(OVERHEAD + 4):
        response = client.get(Q12)
    html = response.content.decode()
    assert 'name="start" value="202304"' in html and 'name="end" value="202403"' in html
    rows = table_rows(response)
    # newest first; the retiree's stop (202301) is outside the range
    assert [r[:3] for r in rows] == [
        ["202401", "增员", "新参保"],
        ["202401", "增员", "新参保"],
        ["202401", "增员", "新参保"],
        ["202312", "减员", "辞职"],
        ["202305", "增员", "续保"],
    ]
    assert {r[4] for r in rows[:3]} == {"王小明", "陈丽", "赵强"}


def test_q12_filters_search_and_export(login_as, history, leaver):
    client = login_as(history.personas.operator_a)
    stops = table_rows(client.get(Q12 + "?type=stop"))
    assert stops == [["202312", "减员", "辞职", leaver.id_number, "李离"]]
    assert len(table_rows(client.get(Q12 + "?type=02"))) == 1
    assert [r[4] for r in table_rows(client.get(Q12 + "?q=李离"))] == ["李离", "李离"]
    assert table_rows(client.get(Q12 + "?start=202201&end=202301&type=stop"))[0][4] == "钱老伯"
    rows = read_csv(client.get(Q12 + "?export=csv&sort=period"))
    assert rows[0] == ["变动期", "增减", "变动类型/原因", "公民身份号码", "姓名"]
    assert rows[1][:3] == ["202305", "增员", "续保"]


def test_q12_bad_range_says_why(login_as, history):
    client = login_as(history.personas.operator_a)
    assert "起始期 202403 晚于截止期 202401" in text_of(client.get(Q12 + "?start=202403&end=202401"))
    assert "截止期「abc」格式不正确" in text_of(client.get(Q12 + "?end=abc"))


def test_q12_isolation(login_as, history, leaver):
    client = login_as(history.personas.operator_b)
    rows = table_rows(client.get(Q12))
    assert [r[4] for r in rows] == ["孙悦"]


def test_q13_bases_of_the_year_and_limits(login_as, history, django_assert_max_num_queries):
    p = history.personas
    client = login_as(p.operator_a)
    with django_assert_max_num_queries(OVERHEAD + 4):
        response = client.get(Q13 + "?sort=id_number")  # default year: the current one, 2024
    assert 'name="year" value="2024"' in response.content.decode()
    text = text_of(response)
    assert "养老 4,812.00 24,060.00" in text  # the 2024 limits
    assert table_rows(response) == [
        [p.person_3.id_number, "赵强", "202401", "30,000.00", *["24,060.00"] * 5],
        [p.person_2.id_number, "陈丽", "202401", "7,654.32", *["7,654.32"] * 5],
        [p.person_1.id_number, "王小明", "202401", "3,000.00", *["4,812.00"] * 5],
    ]
    by_wage = table_rows(client.get(Q13 + "?sort=declared_wage"))
    assert [r[1] for r in by_wage] == ["王小明", "陈丽", "赵强"]


def test_q13_empty_year_bad_year_and_isolation(login_as, history):
    client = login_as(history.personas.operator_a)
    assert "2023 年度没有缴费基数记录" in text_of(client.get(Q13 + "?year=2023"))
    assert "年度「20x4」格式不正确" in text_of(client.get(Q13 + "?year=20x4"))
    rows = table_rows(login_as(history.personas.operator_b).get(Q13 + "?year=2024"))
    assert [r[1] for r in rows] == ["孙悦"] and rows[0][4] == "6,000.00"


def test_q12_includes_insurances_added_or_dropped(login_as, history, leaver):
    from shebao.persons.models import RecordChange

    p = history.personas
    RecordChange.objects.create(
        employer=p.employer_a, person=p.person_3, kind="coverage_closed", period=202403, insurance="maternity"
    )
    RecordChange.objects.create(
        employer=p.employer_b, person=p.person_b1, kind="coverage_closed", period=202403, insurance="medical"
    )
    client = login_as(p.operator_a)
    rows = table_rows(client.get(Q12))
    assert rows[0] == ["202403", "险种减少", "生育", p.person_3.id_number, "赵强"]
    assert len(rows) == 6
    assert table_rows(client.get(Q12 + "?type=coverage")) == [rows[0]]
    searched = table_rows(client.get(Q12 + "?q=赵强"))
    assert [(r[1], r[4]) for r in searched] == [("险种减少", "赵强"), ("增员", "赵强")]
