"""H17 in Chromium: the operator transfers out a stopped employee's pension relation, the reviewer approves in the
office, the operator sees the certified balance on the progress page and prints the 参保缴费凭证, whose QR page
verifies it. Screenshots go to artifacts/screenshots/items_*.png."""

import pytest

from shebao.conftest import browser_login, screenshot
from shebao.declarations.models import Declaration, State
from shebao.individual_accounts.models import PensionTransfer
from shebao.testing import PASSWORD

from .test_browser_journey import approve_in_office
from .test_h17 import ready

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_h17_transfer_out_to_the_printed_certificate(personas, browser_context_factory):
    ready(personas)  # 赵强 stopped from 202611; 2025 closed at 50,000.00; 2026 credits for months 1–10
    operator = browser_context_factory().new_page()
    reviewer = browser_context_factory().new_page()
    browser_login(operator, "a_operator", PASSWORD)
    browser_login(reviewer, "reviewer", PASSWORD, kind="staff")

    operator.goto("/portal/")
    operator.get_by_role("link", name="养老关系转出").click()
    operator.wait_for_load_state("networkidle")
    operator.fill("#id_id_number", personas.person_3.id_number)
    operator.get_by_role("button", name="读取档案").click()
    operator.wait_for_load_state("networkidle")
    assert operator.input_value("#id_name") == "赵强"
    operator.get_by_role("button", name="申报", exact=True).click()  # no destination yet
    operator.wait_for_load_state("networkidle")
    assert "转往地区不能为空" in operator.locator("#error-summary").inner_text()
    operator.fill("#id_destination", "江苏省南京市")
    operator.fill("#id_reason", "到南京就业")
    screenshot(operator, "items_h17_form")
    operator.get_by_role("button", name="申报", exact=True).click()
    operator.wait_for_load_state("networkidle")
    assert "申报成功" in operator.content()
    number = Declaration.objects.get(item_code="H17").number

    approve_in_office(reviewer, number, "h17")
    assert Declaration.objects.get(number=number).state == State.COMPLETED

    operator.goto(f"/portal/items/progress/?open={number}")
    outcome = operator.locator("table.outcome").inner_text()
    assert "70,721.99 元" in outcome and "江苏省南京市" in outcome
    screenshot(operator, "items_h17_progress")
    href = operator.get_by_role("link", name="打印参保缴费凭证").get_attribute("href")
    assert href == f"?document={number}"
    response = operator.request.get(f"/portal/items/progress/{href}")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"

    certificate = PensionTransfer.objects.get().certificate_number
    public = browser_context_factory().new_page()
    public.goto(f"/verify/certificate/{certificate}/")
    assert "参保缴费凭证" in public.content() and "70,721.99 元" in public.content()
    screenshot(public, "items_h17_verified")
