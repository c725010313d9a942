"""Q04 养老支付明细, Q05 生育支付明细, Q06 工伤支付明细: totals that open their rows."""

from decimal import Decimal as D

import pytest

from .queryhelpers import (  # noqa: F401
    OVERHEAD,
    footer_row,
    frozen_now_fixture,
    history_fixture,
    links_in,
    read_csv,
    read_xlsx,
    table_rows,
    text_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]
Q04, Q05, Q06 = "/portal/items/Q04/", "/portal/items/Q05/", "/portal/items/Q06/"


def test_q04_pension_payments_with_components(login_as, history, django_assert_max_num_queries):
    client = login_as(history.personas.operator_a)
    with django_assert_max_num_queries(OVERHEAD + 4):
        response = client.get(Q04)  # default 202403
    assert table_rows(response) == [
        [
            history.retiree.id_number,
            "钱老伯",
            "2,406.00",
            "1,079.50",
            "0.00",
            "0.00",
            "3,485.50",
            "2024-03-10",
        ]
    ]
    assert footer_row(response) == ["合计", "", "2,406.00", "1,079.50", "0.00", "0.00", "3,485.50", ""]
    assert "202401 期没有养老金支付记录" in text_of(client.get(Q04 + "?period=202401"))
    assert "没有养老金支付记录" in text_of(login_as(history.personas.operator_b).get(Q04))


def test_q05_totals_open_their_rows(login_as, history, django_assert_max_num_queries):
    client = login_as(history.personas.operator_a)
    summary = client.get(Q05)
    # allowance = 6,000.00 ÷ 30 × 158 = 31,600.00; medical costs 3,200.00
    assert table_rows(summary) == [["生育津贴", "31,600.00"], ["医疗费用", "3,200.00"], ["合计", "34,800.00"]]
    links = [h for h in links_in(summary) if "detail=" in h]
    assert len(links) == 3
    expected = {"allowance": (7, "31,600.00"), "medical_costs": (8, "3,200.00"), "total": (9, "34,800.00")}
    for href in links:
        key = href.split("detail=")[1]
        with django_assert_max_num_queries(OVERHEAD + 6):
            detail = client.get(Q05 + href)
        rows = table_rows(detail)
        assert [r[1] for r in rows] == ["陈丽"]
        column, figure = expected[key]
        assert footer_row(detail)[column] == figure
    rows = read_csv(client.get(Q05 + "?period=202403&detail=total&export=csv"))
    assert rows[1][1:4] == ["陈丽", "2024-03-02", "顺产"] and rows[1][7:10] == [
        "31600.00",
        "3200.00",
        "34800.00",
    ]
    assert "没有生育待遇支付记录" in text_of(login_as(history.personas.operator_b).get(Q05))
    other = login_as(history.personas.operator_b).get(Q05 + "?period=202403&detail=total")
    assert "陈丽" not in text_of(other)


def test_q06_totals_per_cost_item_open_their_rows(login_as, history):
    client = login_as(history.personas.operator_a)
    summary = client.get(Q06 + "?period=202403")
    assert table_rows(summary) == [
        ["医疗费", "1,250.50"],
        ["住院伙食补助费", "300.00"],
        ["一次性伤残补助金", "43,308.00"],
        ["合计", "44,858.50"],
    ]
    grant = client.get(Q06 + "?period=202403&detail=disability_grant")
    rows = table_rows(grant)
    assert len(rows) == 1 and rows[0][1] == "王小明" and rows[0][5] == "43,308.00"
    assert footer_row(grant)[5] == "43,308.00"
    everything = client.get(Q06 + "?period=202403&detail=total")
    assert len(table_rows(everything)) == 3 and footer_row(everything)[5] == "44,858.50"
    sheet = read_xlsx(client.get(Q06 + "?period=202403&detail=total&export=xlsx"))
    assert D(str(sheet[-1][5])) == D("44858.50")
    assert "缴费项目" not in text_of(
        client.get(Q06 + "?detail=bogus")
    ) and "明细项目的取值「bogus」无效" in text_of(client.get(Q06 + "?detail=bogus"))
    assert "没有工伤待遇支付记录" in text_of(
        login_as(history.personas.operator_b).get(Q06 + "?period=202403")
    )
