import pytest

from shebao.conftest import browser_login, screenshot
from shebao.testing import PASSWORD, Personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator_logs_in_and_sees_portal_home_in_chinese(browser_page):
    personas = Personas()
    page = browser_page
    page.goto("/")
    assert "社会保险网上办事大厅" in page.content()
    browser_login(page, personas.operator_a.username, PASSWORD)
    assert page.url.endswith("/portal/")
    assert page.locator("h1").inner_text() == "杭州甲科技有限公司"
    assert page.get_by_text("单位基本信息查询").count() >= 1
    screenshot(page, "portal-home")
