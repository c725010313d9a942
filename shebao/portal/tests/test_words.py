"""Words, not codes: what a portal user reads is Chinese they understand, not our item codes or internal names."""

import re

import pytest

from .queryhelpers import frozen_now_fixture, history_fixture, text_of  # noqa: F401

pytestmark = pytest.mark.django_db


def test_stop_period_before_the_paid_months_names_the_earliest_allowed(login_as, history, frozen_now):
    p = history.personas  # x
    operator = login_as(p.operator_a)
    page = operator.get("/portal/items/H04/").content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    response = operator.post(
        "/portal/items/H04/",
        {
            "id_number": p.person_1.id_number,
            "name": p.person_1.name,
            "stop_period": "202401",
            "reason": "11",
            "action": "submit",
            "form_token": token,
        },
    )
    assert response.status_code == 200
    assert "202402 及以前的月份已缴费，停保期最早为 202403（填写的是 202401）" in text_of(response)


def test_a_chinese_reason_keeps_its_full_width_punctuation(login_as, personas):
    from shebao.declarations.items import definition_for

    evaluation = definition_for("H08").evaluate(
        {
            "id_number": personas.person_1.id_number,
            "name": personas.person_1.name,
            "period": "202611",
            "wage": "5000",
            "reason": "年度调薪，含岗位津贴（见合同）",
        },
        employer=personas.employer_a,
        today=__import__("datetime").date(2026, 11, 26),
    )
    assert evaluation.stored["reason"] == "年度调薪，含岗位津贴（见合同）"
