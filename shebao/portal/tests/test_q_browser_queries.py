"""Browser journey: Q03 payables, a drill-down link, an export; screenshots kept as artifacts."""

import io

import pytest

from shebao.conftest import browser_login, screenshot
from shebao.testing import PASSWORD, Personas

from .queryhelpers import History

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_q03_drill_down_and_export(browser_page):
    from openpyxl import load_workbook

    personas = Personas()
    History(personas)
    page = browser_page
    browser_login(page, personas.operator_a.username, PASSWORD)
    page.goto("/portal/items/Q03/")
    page.fill("input[name=period]", "202403")
    page.locator("form.query-inputs button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("table.list tbody tr").count() == 5
    assert page.locator("table.list tfoot").inner_text().split()[-1] == "13,478.22"
    screenshot(page, "q03-payables")

    page.get_by_role("link", name="5,844.21").click()
    page.wait_for_load_state("networkidle")
    assert "养老 单位缴纳明细" in page.locator("h2").first.inner_text()
    assert page.locator("table.list tbody tr").count() == 3
    assert page.locator("table.list tfoot").inner_text().split()[-1] == "5,844.21"
    screenshot(page, "q03-drill-down-pension-employer")

    with page.expect_download() as download_info:
        page.locator("a.export-xlsx").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(open(download.path(), "rb").read()), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "公民身份号码" and len(rows) == 1 + 3 + 1

    page.goto(page.url + "&print=1")
    assert page.locator("button", has_text="打印").count() == 1
    screenshot(page, "q03-drill-down-print")
