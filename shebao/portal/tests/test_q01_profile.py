import pytest

from shebao.persons.models import Coverage

from .queryhelpers import OVERHEAD, frozen_now_fixture, history_fixture, read_csv, table_rows, text_of  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]
URL = "/portal/items/Q01/"


def test_q01_shows_own_profile_and_headcount(login_as, personas, django_assert_max_num_queries):
    # person_3 of A drops maternity from 202403 on: 3 insured for every insurance but maternity (2) in 202403.
    Coverage.objects.filter(person=personas.person_3, insurance="maternity").update(stop_period=202403)
    client = login_as(personas.operator_a)
    with django_assert_max_num_queries(OVERHEAD + 3):
        response = client.get(URL)
    assert response.status_code == 200
    text = text_of(response)
    assert "10000001" in text and "杭州甲科技有限公司" in text
    assert personas.employer_a.credit_code in text
    assert "0.4%" in text  # risk class 2
    assert "参保人数（202403 期）" in text
    assert table_rows(response) == [["养老", "3"], ["医疗", "3"], ["失业", "3"], ["工伤", "3"], ["生育", "2"]]
    assert "杭州乙贸易有限公司" not in text


def test_q01_employer_b_sees_only_itself(login_as, personas):
    text = text_of(login_as(personas.operator_b).get(URL))
    assert "杭州乙贸易有限公司" in text and "杭州甲科技有限公司" not in text
    assert "10000001" not in text


def test_q01_exports_and_prints(login_as, personas):
    client = login_as(personas.operator_a)
    rows = read_csv(client.get(URL + "?export=csv"))
    assert rows[0] == ["险种", "参保人数"] and rows[1] == ["养老", "3"]
    printed = client.get(URL + "?print=1")
    assert printed.status_code == 200
    assert 'data-action="print"' in printed.content.decode()
    assert "导出 Excel" not in printed.content.decode()


def test_q01_needs_login_and_an_employer_user(client, login_as, personas):
    assert client.get(URL).status_code == 302
    assert login_as(personas.individual).get(URL).status_code == 403


def test_q01_settled_period_counts_the_settled_headcount(login_as, history):
    response = login_as(history.personas.operator_a).get(URL)  # 202403 is settled
    assert [row[1] for row in table_rows(response)] == ["3"] * 5
    assert "本期已核定" in text_of(response)
