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


def test_wrong_user_type_at_login_gets_a_hint(client, personas):
    id_number = personas.person_1.id_number
    as_employer = client.post(
        "/accounts/login/", {"kind": "employer", "username": id_number, "password": "x1"}
    )
    assert as_employer.status_code == 401
    assert "您输入的像是公民身份号码。以个人身份登录，请在上方选择「个人用户」。" in text_of(as_employer)
    credit = personas.employer_a.credit_code
    as_person = client.post("/accounts/login/", {"kind": "individual", "username": credit, "password": "x1"})
    assert "您输入的像是单位的统一社会信用代码。办理单位业务，请在上方选择「单位用户」。" in text_of(
        as_person
    )
    plain = client.post("/accounts/login/", {"kind": "employer", "username": "nobody", "password": "x1"})
    assert plain.status_code == 401 and "您输入的像是" not in text_of(plain)


def test_csv_export_says_how_excel_keeps_id_numbers(login_as, personas):
    page = text_of(login_as(personas.operator_a).get("/portal/items/Q02/"))
    assert "18 位身份证号会变成 3.30106E+17" in page and "导出 Excel" in page


def test_titles_and_lists_carry_no_item_codes(login_as, personas):
    operator = login_as(personas.operator_a)
    home = text_of(operator.get("/portal/"))
    assert "批量导入" in home and "BATCH" not in home and "PROGRESS" not in home
    assert not re.search(r"\b[QH]\d\d\b", home)
    for url in ("/portal/items/Q03/", "/portal/items/H01/", "/portal/items/progress/"):
        html = operator.get(url).content.decode()
        title = re.search(r"<title>(.*?)</title>", html, flags=re.S).group(1)
        h1 = re.search(r"<h1>(.*?)</h1>", html, flags=re.S).group(1)
        assert not re.search(r"[QH]\d\d|PROGRESS", title + h1), (url, title, h1)
    assert "shebao" not in text_of(operator.get("/portal/"))
