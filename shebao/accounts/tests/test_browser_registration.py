"""The counter journey in a real browser: a clerk registers a new employer, its administrator logs in with the
first password, is made to change it, and sees the portal home."""

import pytest

from shebao.conftest import browser_login, screenshot
from shebao.testing import PASSWORD

from .conftest import NEW_CREDIT_CODE, NEW_PASSWORD, OPERATOR_ID_NUMBER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_registers_employer_which_logs_in_and_changes_first_password(
    personas, browser_page, browser_context_factory
):
    page = browser_page
    browser_login(page, personas.clerk.username, PASSWORD, kind="staff")
    page.goto("/office/counter/?kind=employer")
    page.fill("input[name=credit_code]", NEW_CREDIT_CODE)
    page.get_by_role("button", name="查找").click()
    form = page.get_by_test_id("register-form")
    form.locator("input[name=employer_name]").fill("杭州丙制造有限公司")
    form.locator("select[name=employer_type]").select_option("enterprise")
    form.locator("input[name=address]").fill("杭州市滨江区江南大道1号")
    form.locator("input[name=operator_name]").fill("郑敏")
    form.locator("input[name=operator_id_number]").fill(OPERATOR_ID_NUMBER)
    form.locator("input[name=operator_phone]").fill("13900001111")
    for code in ("code_certificate", "business_licence", "operator_id_card"):
        form.locator(f"input[name=documents][value={code}]").check()
    screenshot(page, "accounts-counter-form")
    form.get_by_role("button", name="开通帐户并生成初始密码").click()

    page.get_by_test_id("issued-password").wait_for()
    username = page.get_by_test_id("issued-username").inner_text().strip()
    password = page.get_by_test_id("issued-password").inner_text().strip()
    screenshot(page, "accounts-counter-registered")
    form = page.get_by_test_id("receipt-form")
    with page.context.expect_page() as opened:  # the receipt opens in a new tab, posted from the page
        form.get_by_role("button", name="打印回执单(PDF)").click()
    receipt_tab = opened.value
    receipt_tab.wait_for_load_state()
    fields = {
        name: form.locator(f"input[name={name}]").get_attribute("value")
        for name in ("csrfmiddlewaretoken", "user", "password")
    }
    receipt = page.request.post(form.get_attribute("action"), form=fields)
    assert receipt.ok and receipt.headers["content-type"] == "application/pdf"
    receipt_tab.close()

    employer_page = browser_context_factory().new_page()
    browser_login(employer_page, NEW_CREDIT_CODE, password, kind="employer")
    assert "/accounts/password/" in employer_page.url
    assert employer_page.get_by_role("heading", name="请修改初始密码").is_visible()
    employer_page.fill("input[name=old_password]", password)
    employer_page.fill("input[name=new_password]", NEW_PASSWORD)
    employer_page.fill("input[name=new_password_again]", NEW_PASSWORD)
    employer_page.get_by_role("button", name="确认修改").click()
    employer_page.wait_for_url("**/portal/")
    assert employer_page.get_by_role("heading", name="杭州丙制造有限公司").is_visible()
    assert employer_page.get_by_text("单位基本信息查询").first.is_visible()
    assert username in employer_page.content() or "郑敏" in employer_page.content()
    screenshot(employer_page, "accounts-employer-first-login-home")
