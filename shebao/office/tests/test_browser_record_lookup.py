"""Browser walk: a clerk finds a person by name, opens the contributions, corrects the name and the post type with
a reason, then looks at the employer's roster as the employer sees it; an office administrator's access-log page
shows each step."""

import datetime as dt
from decimal import Decimal as D

import pytest

from shebao.conftest import browser_login, screenshot
from shebao.contributions.services import arrival_record, settlement_run
from shebao.persons.models import RecordChange
from shebao.testing import PASSWORD, Personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_finds_reads_corrects_and_the_access_log_shows_it(browser_context_factory):
    personas = Personas()
    settlement_run(period=202401)
    arrival_record(employer=personas.employer_a, received_on=dt.date(2024, 2, 20), amount=D("13478.22"))
    page = browser_context_factory().new_page()
    browser_login(page, personas.clerk.username, PASSWORD, kind="staff")
    page.get_by_role("link", name="人员档案").click()
    page.fill("input[name=q]", "陈")
    page.get_by_role("button", name="查询").click()
    page.get_by_role("link", name="陈丽").click()
    assert page.get_by_test_id("person-name").inner_text() == "陈丽"
    page.get_by_role("link", name="缴费明细").click()
    page.select_option("select[name=year]", "2024")
    page.get_by_role("button", name="查看").click()
    table = page.get_by_test_id("contributions").inner_text()
    assert "1,224.69" in table and "612.35" in table and "已到账" in table  # base 7,654.32 × 16 % / 8 %
    screenshot(page, "office-person-contributions")

    page.get_by_role("link", name="基本信息与参保关系").click()
    page.get_by_role("link", name="更正姓名或身份证号").click()
    page.fill("input[name=name]", "陈莉")
    page.get_by_role("button", name="保存更正").click()
    assert "请填写更正原因" in page.content()  # no reason: refused, nothing written
    assert not RecordChange.objects.filter(person=personas.person_2).exists()
    page.fill("input[name=reason]", "核对身份证原件，系录入错误")
    page.get_by_role("button", name="保存更正").click()
    assert page.get_by_test_id("person-name").inner_text() == "陈莉"
    assert "核对身份证原件，系录入错误" in page.get_by_test_id("changes").inner_text()
    page.get_by_role("link", name="更正岗位类型").click()
    page.select_option("select[name=post_type]", "cadre")
    page.get_by_role("button", name="保存更正").click()
    assert "请填写更正原因" in page.content()
    page.fill("input[name=reason]", "核对任职文件")
    page.get_by_role("button", name="保存更正").click()
    assert "已更正岗位类型：管理技术岗位" in page.content()
    assert "核对任职文件" in page.get_by_test_id("changes").inner_text()
    assert personas.person_2.employments.get().post_type == "cadre"
    screenshot(page, "office-person-corrected")

    page.get_by_role("link", name=personas.employer_a.name).first.click()
    page.locator("details.acting summary").click()
    page.get_by_role("link", name="Q02 参保职工名单查询").click()
    assert "工作人员只读查看" in page.locator(".acting-banner").inner_text()
    assert "陈莉" in page.content()
    screenshot(page, "office-sees-employer-q02")

    auditor_page = browser_context_factory().new_page()
    browser_login(auditor_page, personas.office_admin.username, PASSWORD, kind="staff")
    auditor_page.goto("/office/access-log/?user=clerk")
    log = auditor_page.get_by_test_id("access-log").inner_text()
    for step in (
        "人员查询",
        "人员档案·基本信息与参保关系",
        "人员档案·缴费明细",
        "人员档案·更正",
        "人员档案·更正岗位类型",
        "单位档案·单位信息",
        "Q02 参保职工名单查询",
    ):
        assert step in log, step
    assert "单位视角" in log
    screenshot(auditor_page, "office-access-log")
