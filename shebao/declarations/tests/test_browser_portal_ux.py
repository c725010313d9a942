"""Issue 16 in Chromium: the cost preview appears as the operator types (htmx) and stays on the progress page;
a failed submit puts the focus on the error summary; the home page counts what waits; a decided declaration's
review page shows the checks of its decision; 读取档案 of someone insured here says so; 撤回 asks first.
Screenshots at desktop and phone size go to artifacts/screenshots/ux_*.png."""

import pytest

from shebao.conftest import browser_login, screenshot
from shebao.testing import PASSWORD

from .conftest import NEW_ID

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def both_sizes(page, name):
    screenshot(page, f"ux_{name}_desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, f"ux_{name}_phone")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_check_before_submit_decision_checks_and_flow(personas, browser_context_factory):
    operator = browser_context_factory().new_page()
    reviewer = browser_context_factory().new_page()
    browser_login(operator, "a_operator", PASSWORD)
    browser_login(reviewer, "reviewer", PASSWORD, kind="staff")

    operator.goto("/portal/items/H01/")
    assert operator.input_value("#id_start_period") == "202611"  # the current period, prefilled
    operator.fill("#id_id_number", NEW_ID)
    operator.get_by_role("button", name="读取档案").click()
    operator.wait_for_load_state("networkidle")
    # A failed submit: the focus goes to the error summary.
    operator.get_by_role("button", name="申报", exact=True).click()
    operator.wait_for_load_state("networkidle")
    assert operator.evaluate("document.activeElement && document.activeElement.id") == "error-summary"

    operator.fill("#id_name", "刘洋")
    operator.select_option("#id_ethnicity", "汉族")
    operator.select_option("#id_hukou_type", "local_urban")
    operator.locator("#id_wage").press_sequentially("120000", delay=30)
    preview = operator.locator("#cost-preview")
    preview.get_by_text("按上限 26,250.00 计").wait_for()
    # 26,250 × (16 %+8 %, 9 %+2 %, 0.5 %+0.5 %, 0.4 %, 0.5 %) = 9,686.25 a month
    assert "9,686.25" in preview.inner_text() and "6,930.00" in preview.inner_text()
    both_sizes(operator, "h01_preview")
    operator.get_by_role("button", name="申报", exact=True).click()
    operator.wait_for_load_state("networkidle")
    assert (
        "按上限 26,250.00 计" in operator.locator(".cost-preview").inner_text()
    )  # kept on the progress page
    both_sizes(operator, "h01_progress")

    operator.goto("/portal/")
    assert "等待审核：1" in operator.locator(".card.declarations").inner_text().replace(" ", "")
    both_sizes(operator, "home")

    # The reviewer approves; the completed declaration's page shows the checks as they were at approval.
    reviewer.goto("/office/")
    assert "待审核" in reviewer.locator(".reviewer-summary").inner_text()
    screenshot(reviewer, "ux_reviewer_home")
    reviewer.goto("/office/review/")
    number = reviewer.locator("table a").filter(has_text="20").first.inner_text()
    reviewer.get_by_role("link", name=number).click()
    reviewer.get_by_role("button", name="认领").click()
    reviewer.wait_for_load_state("networkidle")
    reviewer.get_by_role("button", name="审核通过", exact=True).click()
    reviewer.wait_for_load_state("networkidle")
    reviewer.goto(f"/office/review/{number}/")
    checks = reviewer.locator("table.checks").inner_text()
    assert "✘" not in checks and "✔" in checks
    assert "以下为审核决定时" in reviewer.content() and "审核通过将被拒绝" not in reviewer.content()
    screenshot(reviewer, "ux_decided_checks")

    # 读取档案 for the person now insured here: said at once, with where to go instead.
    operator.goto("/portal/items/H01/")
    operator.fill("#id_id_number", NEW_ID)
    operator.get_by_role("button", name="读取档案").click()
    operator.wait_for_load_state("networkidle")
    assert "该人员已在本单位参保" in operator.locator(".notice").inner_text()
    both_sizes(operator, "h01_insured_here")
    operator.locator(".notice").get_by_role("link", name="查看缴费明细").click()
    operator.wait_for_load_state("networkidle")
    assert "刘洋" in operator.content()

    # A wage more than 3× the previous one is warned; 撤回 asks before it acts.
    person = personas.person_1
    operator.goto(f"/portal/items/H08/?id_number={person.id_number}&lookup=1")
    operator.fill("#id_reason", "调薪")
    operator.locator("#id_wage").fill("")
    operator.locator("#id_wage").press_sequentially("12000", delay=30)
    operator.locator("#cost-preview .warning").wait_for()
    assert "3,000.00 的 4.0 倍" in operator.locator("#cost-preview .warning").inner_text()
    operator.get_by_role("button", name="申报", exact=True).click()
    operator.wait_for_load_state("networkidle")
    confirm = operator.get_by_role("button", name="确认撤回")
    assert not confirm.is_visible()  # one click does not withdraw
    operator.locator("details.confirm-withdraw summary").click()
    assert confirm.is_visible()
    both_sizes(operator, "withdraw_confirm")
    confirm.click()
    operator.wait_for_load_state("networkidle")
    assert "已撤回" in operator.content()
