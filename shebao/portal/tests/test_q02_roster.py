"""Q02 参保职工名单查询: roster, filters, search, sort, pagination, export, print, isolation."""

import datetime as dt

import pytest

from shebao.core.idnumbers import make_id_number
from shebao.persons.models import Coverage, Employment, Person, person_copies

from .queryhelpers import (  # noqa: F401
    OVERHEAD,
    frozen_now_fixture,
    history_fixture,
    read_csv,
    read_xlsx,
    table_rows,
    text_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]
URL = "/portal/items/Q02/"
ALL = "养老、医疗、失业、工伤、生育"


def test_roster_shows_active_employees_with_base_and_insurances(
    login_as, history, django_assert_max_num_queries
):
    p = history.personas
    client = login_as(p.operator_a)
    with django_assert_max_num_queries(OVERHEAD + 5):
        response = client.get(URL)
    # default: active only, in enrolment order; the retiree is not listed
    assert table_rows(response) == [
        [
            p.person_1.id_number,
            "王小明",
            "男",
            "1990-05-17",
            "202401",
            "正常参保",
            "3,000.00",
            "4,812.00",
            ALL,
            "工人岗位",
        ],
        [
            p.person_2.id_number,
            "陈丽",
            "女",
            "1985-11-02",
            "202401",
            "正常参保",
            "7,654.32",
            "7,654.32",
            ALL,
            "工人岗位",
        ],
        [
            p.person_3.id_number,
            "赵强",
            "男",
            "1978-01-30",
            "202401",
            "正常参保",
            "30,000.00",
            "24,060.00",
            ALL,
            "工人岗位",
        ],
    ]
    by_id = table_rows(client.get(URL + "?sort=id_number"))  # born 1978, 1985, 1990
    assert [r[1] for r in by_id] == ["赵强", "陈丽", "王小明"]
    assert "共 3 条记录" in text_of(response)


def test_status_and_insurance_filters(login_as, history):
    p = history.personas
    client = login_as(p.operator_a)
    assert len(table_rows(client.get(URL + "?status=all"))) == 4
    retired = table_rows(client.get(URL + "?status=retired"))
    assert [r[1] for r in retired] == ["钱老伯"] and retired[0][5] == "退休" and retired[0][8] == ""
    Coverage.objects.filter(person=p.person_3, insurance="maternity").update(stop_period=202403)
    maternity = table_rows(client.get(URL + "?insurance=maternity"))
    assert [r[1] for r in maternity] == ["王小明", "陈丽"]
    assert table_rows(client.get(URL))[2][8] == "养老、医疗、失业、工伤"
    bad = client.get(URL + "?insurance=pension2")
    assert "险种的取值「pension2」无效" in text_of(bad)


def test_search_by_id_number_or_name_and_sort(login_as, history):
    p = history.personas
    client = login_as(p.operator_a)
    assert [r[1] for r in table_rows(client.get(URL + "?q=陈"))] == ["陈丽"]
    assert [r[1] for r in table_rows(client.get(URL + "?q=" + p.person_1.id_number))] == ["王小明"]
    assert [r[1] for r in table_rows(client.get(URL + "?q=" + p.person_1.id_number.lower()[:10]))] == [
        "王小明"
    ]
    assert "没有符合条件的参保职工" in text_of(client.get(URL + "?q=孙悦"))
    by_birth = table_rows(client.get(URL + "?sort=-birth_date"))
    assert [r[1] for r in by_birth] == ["王小明", "陈丽", "赵强"]
    by_name = table_rows(client.get(URL + "?sort=name&status=all"))
    assert len(by_name) == 4
    # an unknown sort column falls back to the default, never an error
    assert table_rows(client.get(URL + "?sort=password"))[0][1] == "王小明"


def _bulk_employees(employer, count: int) -> None:
    persons = Person.objects.bulk_create(
        Person(
            id_number=make_id_number("330106", dt.date(1995, 1, 1) + dt.timedelta(days=i), 100 + i % 800),
            name=f"职工{i:03d}",
            gender="M" if i % 2 else "F",
            birth_date=dt.date(1995, 1, 1) + dt.timedelta(days=i),
        )
        for i in range(count)
    )
    employments = Employment.objects.bulk_create(
        Employment(
            person=person,
            employer=employer,
            enrolment_type="01",
            start_period=202402,
            status="active",
            **person_copies(person),
        )
        for person in persons
    )
    Coverage.objects.bulk_create(
        Coverage(
            employment=e, person_id=e.person_id, employer=employer, insurance="pension", start_period=202402
        )
        for e in employments
    )


def test_pagination_50_a_page_and_no_n_plus_one(login_as, history, django_assert_max_num_queries):
    p = history.personas
    client = login_as(p.operator_a)
    with django_assert_max_num_queries(OVERHEAD + 5) as few:
        client.get(URL)
    _bulk_employees(p.employer_a, 60)
    with django_assert_max_num_queries(len(few.captured_queries)):
        first = client.get(URL)  # 63 rows, 50 shown: same number of queries as for 3
    assert len(table_rows(first)) == 50
    assert "共 63 条记录" in text_of(first)
    assert 'href="?page=2"' in first.content.decode()
    second = client.get(URL + "?page=2")
    assert len(table_rows(second)) == 13
    assert len(table_rows(client.get(URL + "?page=999"))) == 13  # past the end: the last page
    assert len(table_rows(client.get(URL + "?page=x"))) == 50
    printed = client.get(URL + "?print=1")
    assert len(table_rows(printed)) == 63 and "page=2" not in printed.content.decode()
    assert len(read_csv(client.get(URL + "?export=csv"))) == 1 + 63


def test_export_csv_and_xlsx_read_back_with_neutralised_cells(login_as, history):
    p = history.personas
    Person.objects.filter(pk=p.person_2.pk).update(name='=HYPERLINK("http://x")')
    Person.objects.filter(pk=p.person_1.pk).update(name="@SUM(A1)")
    client = login_as(p.operator_a)
    response = client.get(URL + "?export=csv&sort=id_number")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"] and ".csv" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == [
        "公民身份号码",
        "姓名",
        "性别",
        "出生日期",
        "参保开始期",
        "参保状态",
        "申报工资",
        "当前缴费基数",
        "参保险种",
        "岗位类型",
    ]
    assert rows[1] == [
        p.person_3.id_number,
        "赵强",
        "男",
        "1978-01-30",
        "202401",
        "正常参保",
        "30000.00",
        "24060.00",
        ALL,
        "工人岗位",
    ]
    assert rows[2][1] == '\'=HYPERLINK("http://x")' and rows[3][1] == "'@SUM(A1)"
    sheet = read_xlsx(client.get(URL + "?export=xlsx&sort=id_number"))
    assert sheet[0][0] == "公民身份号码"
    assert sheet[1][0] == p.person_3.id_number and sheet[1][4] == 202401
    assert float(sheet[1][7]) == 24060.0
    assert sheet[2][1] == '\'=HYPERLINK("http://x")'


def test_print_view_is_printer_friendly(login_as, history):
    response = login_as(history.personas.operator_a).get(URL + "?print=1")
    html = response.content.decode()
    assert 'data-action="print"' in html and "杭州甲科技有限公司" in html
    assert 'name="q"' not in html and "导出 Excel" not in html


def test_employer_b_sees_only_its_own(login_as, history):
    p = history.personas
    client = login_as(p.operator_b)
    assert [r[1] for r in table_rows(client.get(URL + "?status=all"))] == ["孙悦"]
    assert "没有符合条件" in text_of(client.get(URL + "?q=" + p.person_1.id_number))
    assert p.person_1.id_number not in read_csv(client.get(URL + "?export=csv&status=all"))[1]
