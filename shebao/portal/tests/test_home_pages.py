"""Home pages that answer: an employer's dues, arrears, declarations to fix and roster; an individual's status,
months and balances; a search box; recently used items. Figures from queryhelpers' History, by hand."""

import datetime as dt

import pytest
from django.utils import timezone

from .queryhelpers import frozen_now_fixture, history_fixture, text_of  # noqa: F401

pytestmark = pytest.mark.django_db


def test_employer_home_dues_declarations_and_roster(login_as, history, frozen_now):
    from shebao.declarations import services
    from shebao.declarations.tests.conftest import h01_raw

    p = history.personas
    # one declaration waiting, one returned for revision
    waiting = services.declaration_submit(
        employer=p.employer_a, item_code="H01", raw=h01_raw(start_period="202403"), actor=p.operator_a,
        today=dt.date(2024, 3, 15),
    )  # fmt: skip
    returned = services.declaration_submit(
        employer=p.employer_a,
        item_code="H08",
        raw={
            "id_number": p.person_2.id_number,
            "name": "陈丽",
            "period": "202403",
            "wage": "9000",
            "reason": "调薪",
        },
        actor=p.operator_a,
        today=dt.date(2024, 3, 15),
    )
    services.declaration_claim(declaration=returned, actor=p.reviewer)
    services.declaration_reject(
        declaration=returned, actor=p.reviewer, comment="请附工资表", today=dt.date(2024, 3, 15)
    )
    assert waiting.state == "submitted"

    text = text_of(login_as(p.operator_a).get("/portal/"))
    # 202403: 13,478.22 due by 2024-04-30; today 2024-03-15 → 16 + 30 = 46 days
    assert "应缴社保费 13,478.22 元 202403 期，缴费期限 2024-04-30 未缴，距缴费期限还有 46 天" in text
    assert "欠费 ✔ 没有欠费" in text  # 202402 is due only on 2024-03-31
    assert "等待审核： 1 退回待修改： 1" in text
    assert "修改 缴费基数调整 · 陈丽 请附工资表" in text
    html = login_as(p.operator_a).get("/portal/").content.decode()
    assert f'href="/portal/items/H08/?revise={returned.number}"' in html  # one click to fix
    assert "参保职工 3 人 202403 期新增 0 人，减少 0 人" in text


def test_employer_home_arrears_with_surcharge(login_as, history, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2024, 5, 10, 2, 0, tzinfo=dt.UTC))
    text = text_of(login_as(history.personas.operator_a).get("/portal/"))
    # owed: 202402 13,478.22 − 5,000.00 = 8,478.22 and 202403 13,478.22 → 21,956.44
    # surcharge at 0.05 %/day: 8,478.22 × 40 days = 169.56; 5,000.00 paid 5 days late = 12.50;
    # 13,478.22 × 10 days = 67.39 → 249.45
    assert "欠费 21,956.44 元 2 个结算期未缴清，滞纳金 249.45 元（截至今日）" in text


def test_individual_home(login_as, history, frozen_now):
    text = text_of(login_as(history.personas.individual).get("/portal/"))
    assert "参保状态 正常参保 杭州甲科技有限公司 自 202401 起" in text
    assert "养老： 3 个月 医疗： 3 个月 失业： 3 个月 工伤： 3 个月 生育： 3 个月" in text
    # pension: 50,000.00 + 1,985.00 interest (2023) + 384.96 credited for 202401; medical 96.24 − 30.50
    assert "养老帐户： 52,369.96 元 医疗帐户： 65.74 元" in text
    # 202403 at base 4,812.00: money.md's first row
    assert "最近一次缴费 202403 杭州甲科技有限公司 单位缴纳 1,270.37 元，个人缴纳 505.26 元" in text


def test_search_finds_items_and_own_employees_only(login_as, personas):
    operator = login_as(personas.operator_a)
    text = text_of(operator.get("/portal/search/", {"q": "王"}))
    assert "王小明" in text and "孙悦" not in text
    html = operator.get("/portal/search/", {"q": "缴费基数"}).content.decode()
    assert 'href="/portal/items/Q13/"' in html and 'href="/portal/items/H08/"' in html
    assert "孙悦" not in text_of(operator.get("/portal/search/", {"q": personas.person_b1.id_number}))


def test_recently_used_items_on_home(login_as, personas):
    operator = login_as(personas.operator_a)
    operator.get("/portal/items/Q02/")
    operator.get("/portal/items/Q11/")
    html = operator.get("/portal/").content.decode()
    recent = html.split("最近使用")[1].split("</section>")[0]
    assert recent.index("/portal/items/Q11/") < recent.index("/portal/items/Q02/")
