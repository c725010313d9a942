"""H12 in Chromium: the operator fills the retirement form, checks the pension with 检查/试算, submits; the reviewer
approves in the office; the operator finds the first pension payment in Q04 and prints the computation sheet.
Screenshots go to artifacts/screenshots/h12_*.png."""

import datetime as dt
from decimal import Decimal

import pytest

from shebao.conftest import browser_login, screenshot
from shebao.contributions.models import ContributionLine
from shebao.declarations.models import Declaration, State
from shebao.individual_accounts.models import PensionEntry
from shebao.testing import PASSWORD

from .test_browser_journey import approve_in_office
from .test_h12 import _retiree

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_h12_form_to_the_first_pension_payment_in_q04(personas, browser_context_factory):
    # The man of test_h12's worked example: monthly pension 3,804.20 from 202612.
    person = _retiree(
        personas, name="钱国华", birth=dt.date(1966, 3, 10), seq=71, employer=personas.employer_a,
        first=199611, ratio=Decimal("1"), closing=Decimal("150000.00"),
    )  # fmt: skip
    ContributionLine.objects.filter(person=person, period__gte=202601).update(base=Decimal("17500.00"))
    PensionEntry.objects.filter(person=person, year=2026).update(amount=Decimal("1400.00"))
    operator = browser_context_factory().new_page()
    reviewer = browser_context_factory().new_page()
    browser_login(operator, "a_operator", PASSWORD)
    browser_login(reviewer, "reviewer", PASSWORD, kind="staff")

    operator.goto("/portal/items/H12/")
    operator.fill("#id_id_number", person.id_number)
    operator.get_by_role("button", name="读取档案").click()
    operator.wait_for_load_state("networkidle")
    assert operator.input_value("#id_name") == "钱国华"
    operator.fill("#id_retirement_date", "2026-06-30")  # before his age (60 years 4 months): refused
    operator.get_by_role("button", name="申报", exact=True).click()
    operator.wait_for_load_state("networkidle")
    assert "未达到退休年龄" in operator.locator("#error-summary").inner_text()
    operator.fill("#id_retirement_date", "2026-11-20")
    operator.get_by_role("button", name="检查/试算").click()
    operator.wait_for_load_state("networkidle")
    preview = operator.locator(".preview").inner_text()
    assert "2,555.03" in preview and "1,249.17" in preview and "3,804.20" in preview
    screenshot(operator, "h12_preview")
    operator.get_by_role("button", name="申报", exact=True).click()
    operator.wait_for_load_state("networkidle")
    assert "申报成功" in operator.content()
    number = Declaration.objects.get(item_code="H12").number

    approve_in_office(reviewer, number, "h12")
    assert Declaration.objects.get(number=number).state == State.COMPLETED

    operator.goto(f"/portal/items/progress/?open={number}")
    assert "3,804.20" in operator.content() and "打印养老金计算表" in operator.content()
    screenshot(operator, "h12_progress")
    operator.goto("/portal/items/Q04/?period=202612")
    operator.wait_for_load_state("networkidle")
    page = operator.content()
    assert "钱国华" in page and "3,804.20" in page
    screenshot(operator, "h12_q04")
