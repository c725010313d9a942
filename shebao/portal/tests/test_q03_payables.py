"""Q03 社保应付信息查询 with its drill-down: money.md's worked example, employer A's three employees."""

from decimal import Decimal as D

import pytest

from shebao.contributions.services import settlement_run

from .queryhelpers import (  # noqa: F401
    OVERHEAD,
    footer_row,
    frozen_now_fixture,
    links_in,
    read_csv,
    read_xlsx,
    table_rows,
    text_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]
URL = "/portal/items/Q03/"

# Employer A, 202403, by hand from money.md's table (three persons, class 2):
# pension  E 769.92 + 1,224.69 + 3,849.60 = 5,844.21   I 384.96 + 612.35 + 1,924.80 = 2,922.11
# medical  E 433.08 + 688.89 + 2,165.40 = 3,287.37     I 96.24 + 153.09 + 481.20 = 730.53
# unemp.   E 24.06 + 38.27 + 120.30 = 182.63           I 182.63
# injury   E 19.25 + 30.62 + 96.24 = 146.11
# matern.  E 24.06 + 38.27 + 120.30 = 182.63
# totals   E 9,642.95   I 3,835.27   total 13,478.22
EXPECTED = [
    ["养老", "3", "5,844.21", "2,922.11", "8,766.32"],
    ["医疗", "3", "3,287.37", "730.53", "4,017.90"],
    ["失业", "3", "182.63", "182.63", "365.26"],
    ["工伤", "3", "146.11", "0.00", "146.11"],
    ["生育", "3", "182.63", "0.00", "182.63"],
]


@pytest.fixture
def settled(personas):
    for period in (202402, 202403):
        assert settlement_run(period=period).status == "done"
    return personas


def test_q03_shows_payables_per_insurance_and_totals(login_as, settled, django_assert_max_num_queries):
    client = login_as(settled.operator_a)
    with django_assert_max_num_queries(OVERHEAD + 3):
        response = client.get(URL + "?period=202403")
    assert response.status_code == 200
    assert table_rows(response) == EXPECTED
    assert footer_row(response) == ["合计", "", "9,642.95", "3,835.27", "13,478.22"]
    assert "2024-04-30" in text_of(response)  # due date: end of the following month


def test_q03_period_defaults_to_current(login_as, settled):
    response = login_as(settled.operator_a).get(URL)
    assert 'value="202403"' in response.content.decode()
    assert table_rows(response) == EXPECTED


def test_q03_empty_period_says_so(login_as, settled):
    response = login_as(settled.operator_a).get(URL + "?period=202301")
    assert "202301 期没有应缴费用" in text_of(response)


def test_q03_bad_period_says_which_field(login_as, settled):
    response = login_as(settled.operator_a).get(URL + "?period=2024-13")
    assert response.status_code == 200
    assert "结算期「2024-13」格式不正确" in text_of(response)


def test_every_amount_drills_down_to_lines_that_add_up(login_as, settled, django_assert_max_num_queries):
    client = login_as(settled.operator_a)
    summary = client.get(URL + "?period=202403")
    drill = [h for h in links_in(summary) if "part=" in h]
    # 5 insurances × 3 parts + 3 totals, less the two zero individual parts (injury, maternity)
    assert len(drill) == 16
    figures = {}
    for row in EXPECTED:
        figures[row[0]] = row[2:]
    pension_employer = next(h for h in drill if "insurance=pension" in h and "part=employer" in h)
    with django_assert_max_num_queries(OVERHEAD + 5):
        detail = client.get(URL + pension_employer + "&sort=id_number")
    rows = table_rows(detail)
    # sorted by ID number: born 1978, 1985, 1990
    assert [(r[1], r[-1]) for r in rows] == [("赵强", "3,849.60"), ("陈丽", "1,224.69"), ("王小明", "769.92")]
    assert footer_row(detail)[-1] == "5,844.21"  # equals the parent figure
    # every drill-down's total equals the figure it was opened from
    for href in drill:
        detail = client.get(URL + href)
        assert detail.status_code == 200
        total = footer_row(detail)[-1]
        if "insurance=" not in href:
            expected = {"employer": "9,642.95", "individual": "3,835.27", "total": "13,478.22"}
        else:
            insurance = href.split("insurance=")[1].split("&")[0]
            label = {
                "pension": "养老",
                "medical": "医疗",
                "unemployment": "失业",
                "injury": "工伤",
                "maternity": "生育",
            }[insurance]
            employer_part, individual_part, total_part = figures[label]
            expected = {"employer": employer_part, "individual": individual_part, "total": total_part}
        part = href.split("part=")[1].split("&")[0]
        assert total == expected[part], href
        # and the lines themselves (every one of them, as exported) add up to it
        lines = read_csv(client.get(URL + href + "&export=csv"))[1:-1]
        assert sum(D(line[-1]) for line in lines) == D(expected[part].replace(",", "")), href


def test_drill_down_is_searchable_sortable_and_exports(login_as, settled):
    client = login_as(settled.operator_a)
    base = URL + "?period=202403&part=total"
    by_name = client.get(base + "&q=陈丽")
    rows = table_rows(by_name)
    assert {r[1] for r in rows} == {"陈丽"} and len(rows) == 5
    assert footer_row(by_name)[-1] == "2,824.45"
    by_id = client.get(base + "&q=" + settled.person_3.id_number)
    assert footer_row(by_id)[-1] == "8,878.14"
    by_amount = table_rows(client.get(base + "&insurance=pension&sort=-employer_amount"))
    assert [r[1] for r in by_amount] == ["赵强", "陈丽", "王小明"]
    csv_rows = read_csv(client.get(base + "&insurance=pension&export=csv&sort=employer_amount"))
    assert csv_rows[0][:2] == ["公民身份号码", "姓名"]
    assert [r[1] for r in csv_rows[1:4]] == ["王小明", "陈丽", "赵强"]
    assert csv_rows[1][-3:] == ["769.92", "384.96", "1154.88"]
    assert csv_rows[-1][0] == "合计" and csv_rows[-1][-1] == "8766.32"
    xlsx = read_xlsx(client.get(base + "&export=xlsx"))
    assert xlsx[0][0] == "公民身份号码" and len(xlsx) == 1 + 15 + 1
    assert xlsx[-1][0] == "合计" and D(str(xlsx[-1][-1])) == D("13478.22")
    assert isinstance(xlsx[1][0], str) and len(xlsx[1][0]) == 18  # ID numbers stay text


def test_q03_summary_exports(login_as, settled):
    rows = read_csv(login_as(settled.operator_a).get(URL + "?period=202403&export=csv"))
    assert rows[0] == ["险种", "人数", "单位缴纳", "个人缴纳", "合计"]
    assert rows[1] == ["养老", "3", "5844.21", "2922.11", "8766.32"]
    assert rows[-1] == ["合计", "", "9642.95", "3835.27", "13478.22"]


def test_employer_b_sees_nothing_of_a(login_as, settled):
    client = login_as(settled.operator_b)
    response = client.get(URL + "?period=202403")
    # B's one employee: base 6,000 → pension 960.00 + 480.00
    assert table_rows(response)[0] == ["养老", "1", "960.00", "480.00", "1,440.00"]
    detail = client.get(URL + "?period=202403&part=total&q=" + settled.person_1.id_number)
    assert "没有符合条件的应缴明细" in text_of(detail)
    assert settled.person_1.name not in text_of(client.get(URL + "?period=202403&part=total"))


def test_bad_drill_down_parameter_is_a_message(login_as, settled):
    response = login_as(settled.operator_a).get(URL + "?period=202403&part=bonus")
    assert response.status_code == 200
    assert "缴费项目的取值「bonus」无效" in text_of(response)
