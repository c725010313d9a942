"""Batch import in Chromium: the operator downloads the H01 template, uploads a file with bad rows, downloads
the rejected rows, fixes one in that file and uploads it as it is, confirms both batches; the reviewer sees each
batch as one line of the queue and approves it in one action. Screenshots: artifacts/screenshots/batch_*.png."""

from pathlib import Path

import openpyxl
import pytest

from shebao.conftest import browser_login, screenshot
from shebao.declarations.models import Declaration, ImportBatch, State
from shebao.testing import PASSWORD

from . import batch_files as files

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def upload(page, path: Path, item: str = "H01") -> None:
    page.goto("/portal/items/BATCH/")
    page.select_option("#id_item", item)
    page.set_input_files("#id_file", str(path))
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_load_state("networkidle")


def test_upload_fix_rejected_rows_confirm_and_approve(personas, browser_context_factory, tmp_path):
    operator = browser_context_factory().new_page()
    reviewer = browser_context_factory().new_page()
    browser_login(operator, "a_operator", PASSWORD)
    browser_login(reviewer, "reviewer", PASSWORD, kind="staff")

    # The template comes from the item: the operator fills it in (here: the test fills it for them).
    operator.goto("/portal/items/BATCH/")
    with operator.expect_download() as template:
        operator.get_by_test_id("template-H01").click()
    book = openpyxl.load_workbook(open(template.value.path(), "rb"))
    sheet = book["数据"]
    assert [c.value for c in sheet[1]] == files.H01_HEADERS
    for row in (
        files.h01_row(101),
        files.h01_row(103, name="周敏", wage="3000"),
        files.h01_row(105, name="", gender="未知"),  # two problems
        files.h01_row(107, name="吴刚", start="202613"),  # a month that does not exist
    ):
        sheet.append(row)
    first = tmp_path / "h01.xlsx"
    book.save(first)

    upload(operator, first)
    assert operator.get_by_test_id("accepted-count").inner_text() == "2"
    assert operator.get_by_test_id("rejected-count").inner_text() == "2"
    rejected = operator.get_by_test_id("rejected-rows").inner_text()
    assert (
        "姓名不能为空" in rejected and "性别「未知」不在可选范围内" in rejected and "月份 13 无效" in rejected
    )
    assert "1,937.25" in operator.get_by_test_id("accepted-rows").inner_text()  # 3,000 → floor 5,250
    screenshot(operator, "batch_result")
    first_number = operator.get_by_test_id("batch-number").inner_text()

    # Download the rejected rows, fix one, upload the file as it is.
    with operator.expect_download() as download:
        operator.get_by_test_id("download-rejected").click()
    back = openpyxl.load_workbook(open(download.value.path(), "rb"))
    rows = list(back.active.iter_rows())
    assert [c.value for c in rows[0]][-1] == "错误原因" and len(rows) == 3
    for row in rows[1:]:
        if row[1].value == "吴刚":
            row[9].value = "202611"
    fixed = tmp_path / "fixed.xlsx"
    back.save(fixed)

    operator.get_by_test_id("confirm").click()
    operator.wait_for_load_state("networkidle")
    assert "已提交 2 件申报" in operator.content()
    upload(operator, fixed)
    assert operator.get_by_test_id("accepted-count").inner_text() == "1"
    assert operator.get_by_test_id("rejected-count").inner_text() == "1"
    second_number = operator.get_by_test_id("batch-number").inner_text()
    operator.get_by_test_id("confirm").click()
    operator.wait_for_load_state("networkidle")
    assert operator.get_by_test_id("confirmed").is_visible()
    screenshot(operator, "batch_confirmed")

    # Found again in the progress query.
    operator.goto("/portal/items/progress/")
    operator.get_by_text("最近的批量导入").click()
    assert first_number in operator.get_by_test_id("progress-batches").inner_text()

    # The reviewer: each batch one line; open one, approve every clean row at once.
    reviewer.goto("/office/review/")
    lines = reviewer.get_by_test_id("queue-batches").inner_text()
    assert first_number in lines and second_number in lines
    screenshot(reviewer, "batch_queue")
    reviewer.get_by_role("link", name=first_number).click()
    reviewer.wait_for_load_state("networkidle")
    assert "共 2 件" in reviewer.get_by_test_id("batch-states").inner_text()
    reviewer.get_by_test_id("approve-clean").click()
    reviewer.wait_for_load_state("networkidle")
    assert "已审核通过 2 件" in reviewer.content()
    screenshot(reviewer, "batch_approved")
    states = set(Declaration.objects.filter(batch_number=first_number).values_list("state", flat=True))
    assert states == {State.COMPLETED}
    assert ImportBatch.objects.get(number=second_number).status == "confirmed"
