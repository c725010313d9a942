"""Q14 退休及到龄人员查询 and Q15 单位缴费比例查询."""

import datetime as dt

import pytest

from shebao.parameters.models import InsuranceRate
from shebao.persons.models import Employment
from shebao.testing import enrol, make_person

from .queryhelpers import OVERHEAD, frozen_now_fixture, history_fixture, read_csv, table_rows, text_of  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]
Q14, Q15 = "/portal/items/Q14/", "/portal/items/Q15/"


def test_q14_retirees_with_latest_pension(login_as, history, django_assert_max_num_queries):
    client = login_as(history.personas.operator_a)
    with django_assert_max_num_queries(OVERHEAD + 4):
        response = client.get(Q14)
    assert table_rows(response) == [
        [history.retiree.id_number, "钱老伯", "男", "1962-04-03", "202301", "3,485.50", "202403"]
    ]
    assert "本单位没有退休人员" in text_of(login_as(history.personas.operator_b).get(Q14))


def test_q14_employees_reaching_retirement_age_within_six_months(login_as, history):
    a = history.personas.employer_a
    # current period 202403 → flagged if the retirement month is 202409 or earlier
    cases = {
        "甲男": (dt.date(1964, 6, 10), "M"),  # born before 1965: 60 → 202406
        "乙女": (dt.date(1974, 5, 20), "F"),  # born before 1975 (worker post): 50 → 202405
        "丙女": (dt.date(1973, 1, 1), "F"),  # 50 → 202301: already reached
        "丁男": (dt.date(1965, 3, 1), "M"),  # 60 years 1 month → 202504: not yet
        "戊女": (dt.date(1974, 12, 15), "F"),  # 50 → 202412: not yet
        "己女": (dt.date(1968, 8, 1), "F"),  # a cadre post: 55 → 202308, already reached
        "庚女": (dt.date(1973, 1, 1), "F"),  # a cadre post: 55 → 202801, not yet (a worker would be)
    }
    for seq, (name, (birth, gender)) in enumerate(cases.items(), start=71):
        person = make_person(name=name, birth=birth, seq=seq, gender=gender)
        employment = enrol(person=person, employer=a, start_period=202401, wage="6000.00", base_year=2024)
        if name in ("己女", "庚女"):
            Employment.objects.filter(pk=employment.pk).update(post_type="cadre")
    rows = table_rows(login_as(history.personas.operator_a).get(Q14 + "?tab=due"))
    assert [(r[1], r[5], r[6], r[7], r[8]) for r in rows] == [
        ("甲男", "60岁", "202406", "3个月后", "工人岗位"),
        ("己女", "55岁", "202308", "已到龄", "管理技术岗位"),
        ("丙女", "50岁", "202301", "已到龄", "工人岗位"),
        ("乙女", "50岁", "202405", "2个月后", "工人岗位"),
    ]
    assert "六个月内没有到达退休年龄的在职人员" in text_of(
        login_as(history.personas.operator_b).get(Q14 + "?tab=due")
    )


RATES_202403 = [
    ["养老", "16%", "8%", "24%"],
    ["医疗", "9%", "2%", "11%"],
    ["失业", "0.5%", "0.5%", "1%"],
    ["工伤", "0.4%", "", "0.4%"],
    ["生育", "0.5%", "", "0.5%"],
]


def test_q15_rates_for_the_employer_in_a_period(login_as, history, django_assert_max_num_queries):
    client = login_as(history.personas.operator_a)
    with django_assert_max_num_queries(OVERHEAD + 8):
        response = client.get(Q15)
    assert 'name="period" value="202403"' in response.content.decode()
    assert table_rows(response) == RATES_202403
    InsuranceRate.objects.create(
        insurance="pension",
        employer_type="",
        effective_from=202405,
        employer_rate="0.15",
        individual_rate="0.08",
    )
    InsuranceRate.objects.create(
        insurance="medical",
        employer_type="organ",
        effective_from=202401,
        employer_rate="0.07",
        individual_rate="0.02",
    )
    assert table_rows(client.get(Q15 + "?period=202406"))[0] == ["养老", "15%", "8%", "23%"]
    assert (
        table_rows(client.get(Q15 + "?period=202404")) == RATES_202403
    )  # the organ row is not for enterprises
    rows = read_csv(client.get(Q15 + "?period=202403&export=csv"))
    assert rows[1] == ["养老", "16%", "8%", "24%"]


def test_q15_risk_class_decides_injury_rate(login_as, history):
    b = history.personas.employer_b
    b.risk_class = 5
    b.save()
    rows = table_rows(login_as(history.personas.operator_b).get(Q15 + "?period=202403"))
    assert rows[3] == ["工伤", "1.1%", "", "1.1%"]
    assert "格式不正确" in text_of(login_as(history.personas.operator_b).get(Q15 + "?period=13"))
