"""Browser walk: an office administrator files a work-injury case (工伤事故备案), follows the next-step link to
record its determination, and a bad date is refused in Chinese on its field. Screenshots kept as artifacts."""

import datetime as dt

import pytest

from shebao.benefits.models import InjuryCase
from shebao.conftest import browser_login, screenshot
from shebao.testing import PASSWORD, Personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_office_files_an_injury_case_and_determines_it(browser_page, settings):
    settings.SHEBAO_FIXED_TODAY = dt.date(2025, 1, 15)
    personas = Personas()
    page = browser_page
    browser_login(page, personas.office_admin.username, PASSWORD, kind="staff")
    page.goto("/office/benefits/?kind=injury_case")
    form = page.locator("form.form").first
    form.locator("[name=employer]").fill(personas.employer_a.number)
    form.locator("[name=id_number]").fill(personas.person_1.id_number)
    form.locator("[name=accident_date]").fill("2026-01-01")  # after "today": refused
    form.locator("[name=place]").fill("公司机房")
    form.locator("[name=description]").fill("搬运服务器时从梯子上摔下")
    form.locator("[name=injury]").fill("左腿骨折")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "事故日期" in page.locator("form.form").first.inner_text()
    assert not InjuryCase.objects.exists()
    screenshot(page, "office-injury-case-refused")

    page.locator("form.form").first.locator("[name=accident_date]").fill("2024-05-06")
    page.locator("form.form").first.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    opened = page.get_by_test_id("case-opened")
    assert "GS202405000001" in opened.inner_text() and "待认定" in opened.inner_text()
    screenshot(page, "office-injury-case-opened")

    opened.get_by_role("link").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[name=case_number]").input_value() == "GS202405000001"
    screenshot(page, "office-injury-case-determine")
    assert InjuryCase.objects.get().status == InjuryCase.Status.REPORTED
