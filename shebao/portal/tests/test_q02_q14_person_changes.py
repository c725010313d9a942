"""Q02 and Q14 search, sort and filter on the person's fields that each employment repeats: after a change
approved through H09 (name; ID number, which brings gender and birth date) the pages follow it."""

import datetime as dt

import pytest
from django.urls import reverse

from shebao.core.idnumbers import make_id_number
from shebao.declarations import services as declarations
from shebao.declarations.models import Declaration, State

from .queryhelpers import frozen_now_fixture, history_fixture, table_rows, text_of  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]
Q02, Q14 = "/portal/items/Q02/", "/portal/items/Q14/"
TODAY = dt.date(2024, 3, 15)  # frozen_now


def approve_h09(login_as, personas, raw) -> Declaration:
    """The operator's H09 declaration, claimed and approved by the reviewer on the office page."""
    declaration = declarations.declaration_submit(
        employer=personas.employer_a, item_code="H09", raw=raw, actor=personas.operator_a, today=TODAY
    )
    reviewer = login_as(personas.reviewer)
    url = reverse("office:review_detail", args=[declaration.number])
    reviewer.post(url, {"action": "claim"})
    reviewer.post(url, {"action": "approve"})
    declaration.refresh_from_db()
    assert declaration.state == State.AWAITING_COUNTER  # approved (effect applied); the counter checks papers
    return declaration


def names(response) -> list[str]:
    return [row[1] for row in table_rows(response)]


def test_q02_sort_and_search_follow_a_name_changed_through_h09(login_as, history):
    p = history.personas
    operator = login_as(p.operator_a)
    assert names(operator.get(Q02 + "?sort=name")) == ["王小明", "赵强", "陈丽"]
    approve_h09(login_as, p, {"id_number": p.person_1.id_number, "new_name": "陈晓明"})
    operator = login_as(p.operator_a)
    assert names(operator.get(Q02 + "?sort=name")) == ["赵强", "陈丽", "陈晓明"]
    assert names(operator.get(Q02 + "?sort=-name")) == ["陈晓明", "陈丽", "赵强"]
    assert names(operator.get(Q02 + "?q=陈晓")) == ["陈晓明"]
    assert "没有符合条件的参保职工" in text_of(operator.get(Q02 + "?q=王小"))
    # The retiree's and the other employer's lists are untouched; B still sees none of A's people.
    assert names(operator.get(Q02 + "?status=all&sort=name")) == ["赵强", "钱老伯", "陈丽", "陈晓明"]
    assert "陈晓明" not in text_of(login_as(p.operator_b).get(Q02 + "?q=陈晓"))


def test_q02_and_q14_follow_an_id_number_changed_through_h09(login_as, history):
    """A corrected ID number brings its gender and birth date: the sort by birth date and the
    reaching-retirement list (born 1963-08: a man of 60 from 202308) change with it."""
    p = history.personas
    operator = login_as(p.operator_a)
    assert "六个月内没有到达退休年龄的在职人员" in text_of(operator.get(Q14 + "?tab=due"))
    corrected = make_id_number("330106", dt.date(1963, 8, 1), 13)
    approve_h09(login_as, p, {"id_number": p.person_2.id_number, "new_id_number": corrected})
    operator = login_as(p.operator_a)
    by_birth = table_rows(operator.get(Q02 + "?sort=birth_date"))
    assert [(r[0], r[1], r[2], r[3]) for r in by_birth] == [
        (corrected, "陈丽", "男", "1963-08-01"),
        (p.person_3.id_number, "赵强", "男", "1978-01-30"),
        (p.person_1.id_number, "王小明", "男", "1990-05-17"),
    ]
    assert names(operator.get(Q02 + f"?q={corrected}")) == ["陈丽"]
    assert names(operator.get(Q02 + f"?q={corrected[:10]}")) == ["陈丽"]
    assert "没有符合条件的参保职工" in text_of(operator.get(Q02 + f"?q={p.person_2.id_number}"))
    due = table_rows(operator.get(Q14 + "?tab=due"))
    assert [(r[0], r[1], r[2], r[3], r[5], r[6], r[7]) for r in due] == [
        (corrected, "陈丽", "男", "1963-08-01", "60岁", "202308", "已到龄")
    ]
    assert "六个月内没有到达退休年龄的在职人员" in text_of(login_as(p.operator_b).get(Q14 + "?tab=due"))
