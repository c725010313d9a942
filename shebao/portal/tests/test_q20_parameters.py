"""Q20 政策参数查询: public, readable without login."""

import pytest

from .queryhelpers import OVERHEAD, frozen_now_fixture, read_xlsx, table_rows, text_of  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]
URL = "/portal/items/Q20/"


def test_q20_is_public_and_shows_the_year(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(OVERHEAD + 8):
        response = client.get(URL)  # logged out; default year 2024
    assert response.status_code == 200
    text = text_of(response)
    assert "社会平均工资(月) 8,020.00" in text
    assert "个人养老帐户记账利率 2.62%" in text
    assert table_rows(response) == [
        ["养老", "全部", "201001", "16%", "8%", "4,812.00", "24,060.00"],
        ["医疗", "全部", "201001", "9%", "2%", "4,812.00", "24,060.00"],
        ["失业", "全部", "201001", "0.5%", "0.5%", "4,812.00", "24,060.00"],
        ["工伤", "全部", "201001", "按工伤风险类别", "0%", "4,812.00", "24,060.00"],
        ["生育", "全部", "201001", "0.5%", "0%", "4,812.00", "24,060.00"],
    ]
    assert "2 类 201001 0.4%" in text and "8 类 201001 1.9%" in text


def test_q20_other_years_unpublished_years_and_export(client):
    assert "社会平均工资(月) 8,750.00" in text_of(client.get(URL + "?year=2026"))
    assert "社会平均工资(月) 尚未公布" in text_of(client.get(URL + "?year=2030"))
    sheet = read_xlsx(client.get(URL + "?year=2025&export=xlsx"))
    assert sheet[0][0] == "险种" and sheet[1][5] == 5040 and sheet[1][6] == 25200


def test_public_home_links_to_q20(client, login_as, personas):
    assert 'href="/portal/items/Q20/"' in client.get("/").content.decode()
    assert login_as(personas.individual).get(URL).status_code == 200
    assert login_as(personas.operator_b).get(URL).status_code == 200
