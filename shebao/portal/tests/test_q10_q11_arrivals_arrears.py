"""Q10 单位缴费到账查询 and Q11 单位欠费查询."""

import datetime as dt

import pytest
from django.utils import timezone

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
Q10, Q11 = "/portal/items/Q10/", "/portal/items/Q11/"


def test_q10_arrivals_and_what_they_paid(login_as, history, django_assert_max_num_queries):
    client = login_as(history.personas.operator_a)
    with django_assert_max_num_queries(OVERHEAD + 5):
        default = client.get(Q10)  # 202304–202403: only the February arrival
    assert table_rows(default) == [
        ["2024-02-20", "A-0220", "13,478.22", "13,478.22", "0.00", "", "202401: 13,478.22"]
    ]
    both = table_rows(client.get(Q10 + "?start=202401&end=202404"))
    assert both[0] == ["2024-04-05", "A-0405", "5,000.00", "5,000.00", "0.00", "", "202402: 5,000.00"]
    by_period = table_rows(client.get(Q10 + "?start=202401&end=202403&tab=periods"))
    # 202402 was due 2024-03-31; 5,000.00 paid on 2024-04-05 is 5 days late: 5,000.00 × 0.05 % × 5 = 12.50
    assert by_period == [
        ["202402", "费款", "5,000.00", "2024-04-05", "A-0405", "5", "12.50"],
        ["202401", "费款", "13,478.22", "2024-02-20", "A-0220", "0", "0.00"],
    ]
    rows = read_csv(client.get(Q10 + "?start=202401&end=202404&export=csv"))
    assert rows[1][:3] == ["2024-04-05", "A-0405", "5000.00"]
    b = table_rows(login_as(history.personas.operator_b).get(Q10 + "?start=202401&end=202404"))
    assert [r[1] for r in b] == ["B-0225"]


def test_q11_no_arrears_yet_on_march_15(login_as, history):
    # 202402 is due only on 2024-03-31 and 202401 was paid on time
    assert "本单位没有欠费" in text_of(login_as(history.personas.operator_a).get(Q11))


def test_q11_arrears_and_surcharge(login_as, history, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2024, 4, 15, 2, 0, tzinfo=dt.UTC))
    client = login_as(history.personas.operator_a)
    with django_assert_max_num_queries(OVERHEAD + 6):
        response = client.get(Q11)
    # 202402: 13,478.22 due 2024-03-31, 5,000.00 paid → 8,478.22 owed, 15 days overdue on 2024-04-15:
    # 8,478.22 × 0.05 % × 15 = 63.59, plus 12.50 on the part paid 5 days late → 76.09
    assert table_rows(response) == [
        ["202402", "13,478.22", "5,000.00", "8,478.22", "2024-03-31", "15", "12.50", "63.59", "76.09"],
    ]
    assert footer_row(response) == ["合计", "", "", "8,478.22", "", "", "", "", "76.09"]
    b = login_as(history.personas.operator_b).get(Q11)
    # B: 2,214.00 of 202402 unpaid, 15 days: 2,214.00 × 0.05 % × 15 = 16.605 → 16.61
    assert table_rows(b) == [
        ["202402", "2,214.00", "0.00", "2,214.00", "2024-03-31", "15", "0.00", "16.61", "16.61"]
    ]
