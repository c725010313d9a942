"""Q17 工伤事故查询, Q18 年度对账单, Q19 缴费趋势分析 (SVG charts with the numbers as a table)."""

import pytest

from .queryhelpers import (  # noqa: F401
    OVERHEAD,
    footer_row,
    frozen_now_fixture,
    history_fixture,
    read_xlsx,
    table_rows,
    text_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]
Q17, Q18, Q19 = "/portal/items/Q17/", "/portal/items/Q18/", "/portal/items/Q19/"


def test_q17_injury_cases(login_as, history, django_assert_max_num_queries):
    p = history.personas
    client = login_as(p.operator_a)
    with django_assert_max_num_queries(OVERHEAD + 4):
        response = client.get(Q17)
    rows = table_rows(response)
    assert [(r[2], r[3], r[6], r[7], r[8]) for r in rows] == [
        ("陈丽", "2024-03-08", "已备案", "", ""),
        ("王小明", "2024-02-10", "认定为工伤", "2024-03-01", "9"),
    ]
    assert rows[1][0] == history.case.case_number
    assert [r[2] for r in table_rows(client.get(Q17 + "?status=determined"))] == ["王小明"]
    assert [r[2] for r in table_rows(client.get(Q17 + "?q=陈丽"))] == ["陈丽"]
    assert "本单位没有工伤事故记录" in text_of(login_as(p.operator_b).get(Q17))


def test_q18_annual_statement(login_as, history, django_assert_max_num_queries):
    client = login_as(history.personas.operator_a)
    with django_assert_max_num_queries(OVERHEAD + 4):
        response = client.get(Q18)  # 2024
    assert table_rows(response) == [
        ["202401", "3", "13,478.22", "13,478.22", "0.00", "2024-02-20", "0.00", "0.00", "0.00"],
        # 5,000.00 paid 5 days late: 12.50 surcharge assessed, not yet paid
        ["202402", "3", "13,478.22", "5,000.00", "8,478.22", "", "12.50", "0.00", "0.00"],
        ["202403", "3", "13,478.22", "0.00", "13,478.22", "", "0.00", "0.00", "0.00"],
    ]
    assert footer_row(response) == [
        "合计", "", "40,434.66", "18,478.22", "21,956.44", "", "12.50", "0.00", "0.00",
    ]  # fmt: skip
    assert "2023 年度没有结算记录" in text_of(client.get(Q18 + "?year=2023"))
    b = table_rows(login_as(history.personas.operator_b).get(Q18))
    assert [r[2] for r in b] == ["2,214.00"] * 3


def test_q19_charts_and_table(login_as, history, django_assert_max_num_queries):
    client = login_as(history.personas.operator_a)
    with django_assert_max_num_queries(OVERHEAD + 4):
        response = client.get(Q19)  # 202304–202403
    html = response.content.decode()
    assert html.count("<svg") == 3 and "<script" not in html.split("<main>")[1]
    assert "参保人数" in html and "各险种应缴金额" in html
    rows = table_rows(response)
    assert len(rows) == 12 and rows[0] == ["202304", "0", "0.00", *["0.00"] * 6]
    # base total 4,812.00 + 7,654.32 + 24,060.00 = 36,526.32; payables as in Q03
    expected = ["3", "36,526.32", "8,766.32", "4,017.90", "365.26", "146.11", "182.63", "13,478.22"]
    assert rows[9:] == [[p, *expected] for p in ("202401", "202402", "202403")]
    assert "养老 24/03: 8,766.32" in html  # a point's tooltip
    sheet = read_xlsx(client.get(Q19 + "?export=xlsx"))
    assert len(sheet) == 13 and sheet[10][0] == 202401 and float(sheet[10][2]) == 36526.32


def test_q19_range_must_be_12_to_36_months(login_as, history):
    client = login_as(history.personas.operator_a)
    assert "查询区间为 6 个月，应在 12 至 36 个月之间" in text_of(
        client.get(Q19 + "?start=202310&end=202403")
    )
    assert "查询区间为 37 个月" in text_of(client.get(Q19 + "?start=202103&end=202403"))
    ok = client.get(Q19 + "?start=202104&end=202403")
    assert len(table_rows(ok)) == 36
    assert "没有结算数据" in text_of(
        login_as(history.personas.operator_b).get(Q19 + "?start=202201&end=202212")
    )
