"""Browser walk: an office administrator starts a period's settlement; the run page shows it queued, and when
the background worker has done it the page updates itself (htmx poll, no reload) to the result, all in Chinese.
Screenshots kept as artifacts."""

import pytest

from shebao.conftest import browser_login, screenshot
from shebao.contributions.models import SettlementRun
from shebao.contributions.services import settlement_execute
from shebao.testing import PASSWORD, Personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_settlement_run_page_follows_the_run_to_its_result(browser_page):
    personas = Personas()
    page = browser_page
    browser_login(page, personas.office_admin.username, PASSWORD, kind="staff")
    page.goto("/office/settlements/")
    page.locator("form.form [name=period]").fill("202403")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    status = page.get_by_test_id("run-status")
    assert "排队中" in status.inner_text()  # no worker in this test: the run waits in the queue
    screenshot(page, "office-settlement-queued")
    page.evaluate("window.__same_page = true")

    settlement_execute(run=SettlementRun.objects.get())  # what the worker does with the queued task

    page.get_by_test_id("run-result").wait_for(timeout=15_000)  # the 2-second poll brings the result
    assert page.evaluate("window.__same_page") is True  # updated in place, not reloaded
    assert "已完成" in status.inner_text()
    result = page.get_by_test_id("run-result").inner_text()
    assert "15,692.22" in result  # A 13,478.22 (money.md example) + B 2,214.00
    assert "四舍五入" in result
    steps = page.get_by_test_id("run-steps").inner_text()
    assert "核定缴费明细" in steps and "lines" not in steps
    screenshot(page, "office-settlement-done")

    page.goto("/office/settlements/")
    assert "202403" in page.locator("table").inner_text() and "已完成" in page.locator("table").inner_text()
