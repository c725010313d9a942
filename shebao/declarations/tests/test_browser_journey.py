"""The journey in Chromium: the operator (one browser context) enrols a new person with H01, the reviewer
(another context) claims and approves, the roster shows the person and settlement includes them; then H04
stops them and the next settlement does not. Screenshots go to artifacts/screenshots/decl_*.png."""

import pytest

from shebao.conftest import browser_login, screenshot
from shebao.contributions.models import ContributionLine
from shebao.contributions.services import settlement_run
from shebao.declarations.models import Declaration, State
from shebao.testing import PASSWORD

from .conftest import NEW_ID

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def approve_in_office(reviewer, number: str, shot: str):
    reviewer.goto("/office/review/")
    reviewer.get_by_role("link", name=number).click()
    reviewer.get_by_role("button", name="认领").click()
    reviewer.wait_for_load_state("networkidle")
    assert "认领人" in reviewer.content()
    screenshot(reviewer, f"decl_{shot}_review_page")
    reviewer.locator("textarea[name=comment]").fill("材料齐全，同意")
    reviewer.get_by_role("button", name="审核通过", exact=True).click()
    reviewer.wait_for_load_state("networkidle")
    assert "审核通过" in reviewer.content()
    screenshot(reviewer, f"decl_{shot}_approved")


def test_enrol_review_settle_stop_in_two_browsers(personas, browser_context_factory):
    operator = browser_context_factory().new_page()
    reviewer = browser_context_factory().new_page()
    browser_login(operator, "a_operator", PASSWORD)
    browser_login(reviewer, "reviewer", PASSWORD, kind="staff")

    # Operator: H01 — the ID number pre-fills gender and birth date.
    operator.goto("/portal/items/H01/")
    operator.fill("#id_id_number", NEW_ID)
    operator.get_by_role("button", name="读取档案").click()
    operator.wait_for_load_state("networkidle")
    assert operator.input_value("#id_birth_date") == "1995-03-08"
    assert operator.input_value("#id_gender") == "M"
    # A first try with a bad wage and no name shows every problem at once.
    operator.fill("#id_wage", "12.345")
    operator.get_by_role("button", name="申报", exact=True).click()
    operator.wait_for_load_state("networkidle")
    summary = operator.locator("#error-summary").inner_text()
    assert "姓名不能为空" in summary and "最多保留两位小数" in summary
    screenshot(operator, "decl_h01_errors")
    operator.fill("#id_name", "刘洋")
    operator.select_option("#id_ethnicity", "汉族")
    operator.select_option("#id_hukou_type", "local_urban")
    operator.fill("#id_phone", "13900000001")
    operator.fill("#id_start_period", "202611")
    operator.fill("#id_wage", "7654.32")
    screenshot(operator, "decl_h01_form")
    operator.get_by_role("button", name="申报", exact=True).click()
    operator.wait_for_load_state("networkidle")
    assert "申报成功" in operator.content()
    screenshot(operator, "decl_h01_submitted")
    number = Declaration.objects.get(item_code="H01").number

    # Reviewer: claim and approve.
    approve_in_office(reviewer, number, "h01")
    assert Declaration.objects.get(number=number).state == State.COMPLETED

    # Operator: the header counts one unread result; the progress query shows it completed.
    operator.goto("/portal/")
    assert operator.locator(".unread-results .badge").inner_text() == "1"
    operator.locator(".unread-results").click()
    operator.get_by_role("link", name=number).click()
    operator.wait_for_load_state("networkidle")
    assert "已办结" in operator.content()
    screenshot(operator, "decl_progress_detail")
    operator.goto("/portal/items/Q02/")
    assert "刘洋" in operator.content()
    screenshot(operator, "decl_roster")

    settlement_run(period=202611)
    assert ContributionLine.objects.filter(person__id_number=NEW_ID, period=202611).count() == 5

    # Operator: H04 stops them from 202612.
    operator.goto("/portal/items/H04/")
    operator.fill("#id_id_number", NEW_ID)
    operator.get_by_role("button", name="读取档案").click()
    operator.wait_for_load_state("networkidle")
    assert operator.input_value("#id_name") == "刘洋"
    operator.fill("#id_stop_period", "202612")
    operator.select_option("#id_reason", "11")
    operator.get_by_role("button", name="申报", exact=True).click()
    operator.wait_for_load_state("networkidle")
    assert "申报成功" in operator.content()
    stop = Declaration.objects.get(item_code="H04").number
    approve_in_office(reviewer, stop, "h04")

    settlement_run(period=202612)
    assert not ContributionLine.objects.filter(person__id_number=NEW_ID, period=202612).exists()
    assert ContributionLine.objects.filter(person=personas.person_1, period=202612).exists()
