"""政策参数 pages: rows a settlement used are locked, a change is a new row from a later period, a rate change
is previewed on next period's city totals (hand-computed below) before it is saved, and the preview writes
nothing."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from shebao.contributions.services import settlement_run
from shebao.parameters.models import BaseLimit, CreditedInterestRate, InsuranceRate, PolicySetting
from shebao.parameters.selectors import rates_for

URL = reverse("office:parameters")

# Pension bases settled in 202401: employer A 4,812.00 + 7,654.32 + 24,060.00, employer B 6,000.00 = 42,526.32
# (all enterprises, risk class 2). At 16 % / 8 %: 6,804.21 + 3,402.11 = 10,206.32; with the employer rate at
# 15 %: 6,378.95 + 3,402.11 = 9,781.06, a change of −425.26.


@pytest.fixture
def admin(personas, login_as):
    settlement_run(period=202401)
    return login_as(personas.office_admin)


def pension_15(**overrides):
    data = {
        "kind": "insurance_rate",
        "insurance": "pension",
        "employer_type": "",
        "effective_from": "202402",
        "employer_rate": "15",
        "individual_rate": "8",
        "action": "preview",
    }
    data.update(overrides)
    return data


def test_used_rows_are_locked_and_a_change_before_the_next_period_is_refused(admin):
    page = admin.get(URL).content.decode()
    assert "已结算至 202401 期" in page and "已用于结算(锁定)" in page
    response = admin.post(URL, pension_15(effective_from="202401"))
    assert response.status_code == 400
    assert "202401 期及以前已经结算，参数不能改动；请从 202402 期起新增一行" in response.content.decode()


def test_preview_shows_next_periods_city_totals_and_writes_nothing(admin, personas):
    before = InsuranceRate.objects.count()
    response = admin.post(URL, pension_15())
    page = response.content.decode()
    assert response.status_code == 200
    assert "对 202402 期全市应缴的预计影响" in page
    assert "10,206.32" in page and "9,781.06" in page and "-425.26" in page
    assert InsuranceRate.objects.count() == before
    assert rates_for(employer=personas.employer_a, insurance="pension", period=202402)[0] == D("0.16")

    saved = admin.post(URL, pension_15(action="save"))
    assert saved.status_code == 302
    row = InsuranceRate.objects.get(insurance="pension", employer_type="", effective_from=202402)
    assert (row.employer_rate, row.individual_rate) == (D("0.15"), D("0.08"))
    assert rates_for(employer=personas.employer_a, insurance="pension", period=202402)[0] == D("0.15")
    assert rates_for(employer=personas.employer_a, insurance="pension", period=202401)[0] == D("0.16")

    # The same key again replaces the unused row; deleting it is allowed, deleting a used one is not.
    admin.post(URL, pension_15(action="save", employer_rate="14.5"))
    row = InsuranceRate.objects.get(insurance="pension", employer_type="", effective_from=202402)
    assert row.employer_rate == D("0.145")
    admin.post(URL, {"kind": "insurance_rate", "action": "delete", "pk": row.pk})
    assert not InsuranceRate.objects.filter(pk=row.pk).exists()
    used = InsuranceRate.objects.filter(insurance="pension", effective_from__lte=202401).first()
    response = admin.post(URL, {"kind": "insurance_rate", "action": "delete", "pk": used.pk}, follow=True)
    assert "不能删除" in response.content.decode() and InsuranceRate.objects.filter(pk=used.pk).exists()


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"employer_rate": "abc"}, "须为数字"),
        ({"employer_rate": "100"}, "0 至 100"),
        ({"employer_rate": "-1"}, "0 至 100"),
        ({"employer_rate": "1.00001"}, "最多 4 位小数"),
        ({"employer_rate": "\x00"}, "「employer_rate」"),  # refused at the edge
        ({"employer_rate": "1" * 10_000}, "0 至 100"),
        ({"effective_from": "202413"}, "起始期"),
        ({"effective_from": ""}, "起始期"),
        ({"insurance": "nope"}, "请选择险种"),
        ({"employer_type": "x\x00"}, "「employer_type」"),
    ],
)
def test_bad_rate_input_is_refused_by_field_and_nothing_written(admin, overrides, field_message):
    before = InsuranceRate.objects.count()
    for action in ("preview", "save"):
        response = admin.post(URL, pension_15(action=action, **overrides))
        assert response.status_code == 400
        assert field_message in response.content.decode()
    assert InsuranceRate.objects.count() == before


def test_year_rows_and_settings(admin):
    response = admin.post(
        URL,
        {
            "kind": "base_limit",
            "year": "2024",
            "insurance": "pension",
            "floor": "1",
            "ceiling": "2",
            "action": "save",
        },
    )
    assert response.status_code == 400 and "2024 年度的参数已用于结算或结息" in response.content.decode()
    response = admin.post(
        URL,
        {
            "kind": "base_limit",
            "year": "2027",
            "insurance": "pension",
            "floor": "5000",
            "ceiling": "4000",
            "action": "save",
        },
    )
    assert response.status_code == 400 and "基数上限不能低于下限" in response.content.decode()
    admin.post(
        URL,
        {
            "kind": "base_limit",
            "year": "2027",
            "insurance": "pension",
            "floor": "5000",
            "ceiling": "25000",
            "action": "save",
        },
    )
    assert BaseLimit.objects.filter(base_year=2027, insurance="pension", floor=D("5000.00")).exists()
    preview = admin.post(URL, {"kind": "interest_rate", "year": "2027", "rate": "2.62", "action": "preview"})
    assert "不改变缴费比例" in preview.content.decode()
    admin.post(URL, {"kind": "interest_rate", "year": "2027", "rate": "2.62", "action": "save"})
    assert CreditedInterestRate.objects.get(year=2027).rate == D("0.0262")
    bad = admin.post(
        URL,
        {
            "kind": "setting",
            "key": "rounding_rule",
            "effective_from": "202402",
            "value": "up",
            "action": "save",
        },
    )
    assert bad.status_code == 400 and "舍入规则须为" in bad.content.decode()
    admin.post(
        URL,
        {
            "kind": "setting",
            "key": "min_contribution_years",
            "effective_from": "202402",
            "value": "16",
            "action": "save",
        },
    )
    assert PolicySetting.objects.get(key="min_contribution_years", effective_from=202402).value == "16"


def test_readers_see_but_cannot_change(personas, login_as, staff):
    settlement = login_as(staff("is_settlement"))
    page = settlement.get(URL).content.decode()
    assert "缴费比例" in page and "预览影响" not in page
    assert settlement.post(URL, pension_15(action="save")).status_code == 403
    assert not InsuranceRate.objects.filter(effective_from=202402).exists()
    assert login_as(personas.clerk).get(URL).status_code == 403


def test_benefit_tables_are_shown_read_only(personas, login_as, staff):
    page = login_as(staff("is_auditor")).get(URL).content.decode()
    assert 'data-testid="rows-divisors"' in page and ">139.00<" in page  # 60 years: 139 months (money.md)
    assert 'data-testid="rows-grants"' in page and 'data-testid="rows-maternity"' in page
    assert "顺产" in page and "5,000.00" in page and ">158<" in page
