"""Q07 个人养老帐户, Q08 个人医疗帐户, Q09 个人缴费明细: for an employer's employee, or the individual themselves."""

import pytest

from .queryhelpers import (  # noqa: F401
    OVERHEAD,
    footer_row,
    frozen_now_fixture,
    history_fixture,
    read_csv,
    table_rows,
    text_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]
Q07, Q08, Q09 = "/portal/items/Q07/", "/portal/items/Q08/", "/portal/items/Q09/"


def test_q07_closed_and_open_years(login_as, history, django_assert_max_num_queries):
    p = history.personas
    client = login_as(p.operator_a)
    assert "请输入职工的公民身份号码" in text_of(client.get(Q07))
    closed = text_of(client.get(f"{Q07}?id_number={p.person_1.id_number}&name=王小明&year=2023"))
    # 50,000.00 brought in; 2023 rate 3.97 % → interest 1,985.00; closing 51,985.00
    assert (
        "上年结转 50,000.00 记账月数 0 本年记账 0.00 记账利率 3.97% 本年利息 1,985.00 年末余额 51,985.00"
        in closed
    )
    with django_assert_max_num_queries(OVERHEAD + 6):
        response = client.get(f"{Q07}?id_number={p.person_1.id_number}")  # default year 2024
    text = text_of(response)
    # 202401 paid on 2024-02-20: 8 % of 4,812.00 = 384.96 credited in month 1; 202402/03 not paid yet
    assert "上年结转 51,985.00 记账月数 1 本年记账 384.96" in text and "尚未结息" in text
    assert table_rows(response) == [["202401", "384.96"]]
    assert read_csv(client.get(f"{Q07}?id_number={p.person_1.id_number}&export=csv"))[1] == [
        "202401",
        "384.96",
    ]


def test_q07_not_found_for_anyone_not_employed_here(login_as, history):
    p = history.personas
    client = login_as(p.operator_a)
    text = text_of(client.get(f"{Q07}?id_number={p.person_b1.id_number}&year=2024"))
    assert f"本单位没有身份证号为 {p.person_b1.id_number} 的参保职工" in text and "上年结转" not in text
    assert "不符" in text_of(client.get(f"{Q07}?id_number={p.person_1.id_number}&name=李四"))
    assert "上年结转" not in text_of(login_as(p.operator_b).get(f"{Q07}?id_number={p.person_1.id_number}"))


def test_q07_individual_sees_only_themselves(login_as, history):
    p = history.personas
    client = login_as(p.individual)
    response = client.get(
        f"{Q07}?id_number={p.person_2.id_number}&year=2024"
    )  # someone else's number: ignored
    text = text_of(response)
    assert "王小明" in text and "陈丽" not in text and p.person_2.id_number not in text
    assert "上年结转 51,985.00" in text
    assert 'name="id_number"' not in response.content.decode()


def test_q08_medical_account_year(login_as, history):
    p = history.personas
    response = login_as(p.operator_a).get(f"{Q08}?id_number={p.person_1.id_number}&year=2024")
    # credit 2 % of 4,812.00 = 96.24 on 2024-02-20; spending 30.50 on 2024-03-01
    assert "上年结转 0.00 本年划入 96.24 本年支出 30.50 年末余额 65.74" in text_of(response)
    assert table_rows(response) == [
        ["2024-02-20", "202401", "个人缴费划入", "96.24", "", ""],
        ["2024-03-01", "202403", "医疗消费", "-30.50", "杭州市第一人民医院", ""],
    ]
    own = login_as(p.individual).get(f"{Q08}?year=2024&id_number={p.person_3.id_number}")
    assert "年末余额 65.74" in text_of(own) and "赵强" not in text_of(own)


def test_q09_contributions_month_by_month(login_as, history, django_assert_max_num_queries):
    p = history.personas
    client = login_as(p.operator_a)
    with django_assert_max_num_queries(OVERHEAD + 6):
        response = client.get(f"{Q09}?id_number={p.person_1.id_number}&start=202401&end=202403")
    rows = table_rows(response)
    assert len(rows) == 15  # 3 periods × 5 insurances
    assert rows[0] == ["202401", "养老", "4,812.00", "769.92", "384.96", "1,154.88", "已到账", "2024-02-20"]
    assert rows[5][:2] == ["202402", "养老"] and rows[5][6:] == ["未到账", ""]
    # three months of money.md's first row: 1,270.37 / 505.26 / 1,775.63 each
    assert footer_row(response)[3:6] == ["3,811.11", "1,515.78", "5,326.89"]
    default = client.get(f"{Q09}?id_number={p.person_1.id_number}")
    assert 'name="start" value="202304"' in default.content.decode()
    assert len(table_rows(default)) == 15


def test_q09_individual_and_isolation(login_as, history):
    p = history.personas
    own = login_as(p.individual).get(f"{Q09}?start=202401&end=202401&id_number={p.person_3.id_number}")
    rows = table_rows(own)
    assert len(rows) == 5 and rows[0][1] == "杭州甲科技有限公司" and rows[0][3] == "4,812.00"
    b = login_as(p.operator_b)
    assert "本单位没有身份证号为" in text_of(b.get(f"{Q09}?id_number={p.person_1.id_number}"))
    assert "没有缴费记录" in text_of(
        b.get(f"{Q09}?id_number={p.person_b1.id_number}&start=202301&end=202312")
    )
