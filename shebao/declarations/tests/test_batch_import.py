"""Batch import (workflow.md 'Batch import'), through the pages an operator and a reviewer use: templates derived
from the item, uploads in every format, every row checked by the item's own checks plus across rows and against
pending declarations, the result page, the rejected rows' round trip, confirmation into one declaration per row,
background work with retry, clean-up, and every kind of bad file getting a Chinese message (never a 500)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shebao.contributions.models import ContributionLine
from shebao.contributions.services import settlement_run
from shebao.core.idnumbers import make_id_number
from shebao.core.money import format_money
from shebao.core.period import Period
from shebao.declarations.batch import services as batch_services
from shebao.declarations.batch.reading import MAX_ROWS
from shebao.declarations.models import Declaration, DeclarationEvent, DeclarationVersion, ImportBatch, State
from shebao.declarations.preview import contribution_preview
from shebao.persons.models import ContributionBase

from . import batch_files as files
from .conftest import ALL_INSURANCES, TODAY, h01_raw
from .helpers import submit

pytestmark = pytest.mark.django_db
URL = "/portal/items/BATCH/"
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def upload(client, content: bytes, name: str = "file.xlsx", item: str = "H01", **extra):
    return client.post(
        URL, {"action": "upload", "item": item, "file": SimpleUploadedFile(name, content), **extra}
    )


def last_batch() -> ImportBatch:
    return ImportBatch.objects.order_by("-id").first()


def workbook(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def mixed_rows() -> list[list]:
    """Rows 2–8: two good ones (one clamped), a duplicated ID (rows 4 and 5), an ID Excel turned into a number
    (6), a gender not in the list (7), a missing name (8)."""
    return [
        files.h01_row(101, wage="8000"),
        files.h01_row(103, name="周敏", wage="3000"),
        files.h01_row(105, name="吴刚"),
        files.h01_row(105, name="吴刚"),
        [float(files.person_id(107)), *files.h01_row(107)[1:]],
        files.h01_row(109, gender="未知"),
        files.h01_row(111, name=""),
    ]


# --- templates ------------------------------------------------------------------------------------------------


def test_template_is_derived_from_the_item(login_as, personas):
    response = login_as(personas.operator_a).get(URL + "?template=H01")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = workbook(response.content)
    sheet = book["数据"]
    headers = [c.value for c in sheet[1]]
    assert headers == files.H01_HEADERS
    assert "18位公民身份号码" in sheet["A1"].comment.text and "必填" in sheet["A1"].comment.text
    assert sheet.column_dimensions["A"].number_format == "@"  # ID numbers typed into it stay text
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert lists["C2:C50001"].startswith("代码表!")  # 性别 from a drop-down
    codes = book["代码表"]
    assert codes.sheet_state == "hidden" and [c.value for c in codes["A"]][:3] == ["性别", "男", "女"]
    help_rows = [[c.value for c in row] for row in book["填写说明"].iter_rows()]
    assert ["公民身份号码", "必填"] == help_rows[6][:2] and help_rows[6][3] == "11010519491231002X"
    # Uploaded as it is, the empty template is refused with a plain reason.
    client = login_as(personas.operator_a)
    page = client.get(f"{URL}?open={_upload_number(client, response.content)}").content.decode()
    assert "只有表头，没有数据行" in page


def _upload_number(client, content, name="t.xlsx", item="H01", **extra) -> str:
    """Upload; a file large enough for the background is checked as the worker would check it."""
    response = upload(client, content, name, item, **extra)
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = last_batch()
    if batch.background and batch.status == "queued":
        batch_services.batch_validate(batch_id=batch.pk)
    return batch.number


def test_h07_template_is_prefilled_with_every_active_employee(login_as, personas):
    book = workbook(login_as(personas.operator_a).get(URL + "?template=H07").content)
    rows = [[c.value for c in row] for row in book["数据"].iter_rows()]
    assert rows[0] == ["*公民身份号码", "*姓名", "*上年度月平均工资", "当前申报工资(仅供参考)"]
    people = {r[0]: r for r in rows[1:]}
    assert set(people) == {
        personas.person_1.id_number,
        personas.person_2.id_number,
        personas.person_3.id_number,
    }
    assert people[personas.person_2.id_number] == [personas.person_2.id_number, "陈丽", None, "7654.32"]
    assert book["数据"]["A2"].data_type == "s"  # written as text, not a number


def test_every_importable_item_has_a_template(login_as, personas):
    client = login_as(personas.operator_a)
    page = client.get(URL).content.decode()
    for code in ("H01", "H02", "H04", "H05", "H06", "H07", "H08", "H09", "H11", "H16"):
        assert f"?template={code}" in page
        assert client.get(f"{URL}?template={code}").status_code == 200
    assert client.get(f"{URL}?template=H03").status_code == 404  # not importable
    assert client.get(f"{URL}?template=H10").status_code == 404
    for code in ("H12", "H13", "H14", "H15", "H17", "H18"):  # one case at a time (test_batch_h11_h16.py)
        assert client.get(f"{URL}?template={code}").status_code == 404


# --- the result page, the round trip, confirmation -----------------------------------------------------------


def test_upload_checks_every_row_and_confirm_submits_one_declaration_per_row(login_as, personas):
    client = login_as(personas.operator_a)
    content = files.xlsx_openpyxl([*files.H01_HEADERS, "备注"], [[*r, "x"] for r in mixed_rows()])
    number = _upload_number(client, content)
    batch = ImportBatch.objects.get(number=number)
    assert (batch.status, batch.total_rows, batch.accepted_rows, batch.rejected_rows) == (
        "validated",
        7,
        2,
        5,
    )
    assert Declaration.objects.count() == 0  # nothing is submitted before the confirmation

    page = client.get(f"{URL}?open={number}").content.decode()
    assert "以下列不属于本事项，已忽略：备注" in page
    assert "文件中第 4、5 行的公民身份号码相同，每人只能有一行" in page
    assert "被表格软件存成了数字" in page
    assert "性别「未知」不在可选范围内" in page
    assert "姓名不能为空" in page
    rejected = {r.line: r.problems for r in batch.rows.filter(accepted=False)}
    assert rejected[6] == [["公民身份号码", rejected[6][0][1]]] and rejected[7][0][0] == "性别"
    assert rejected[8] == [["姓名", "姓名不能为空"]]
    # The base approval will record and a month's cost at employer A's rates (risk class 2, injury 0.4%):
    # 8,000 → 1280+640 + 720+160 + 40+40 + 32 + 40 = 2,952.00; 3,000 → the 2026 floor 5,250 → 1,937.25.
    accepted = {r.line: r for r in batch.rows.filter(accepted=True)}
    assert (accepted[2].base, accepted[2].cost) == (Decimal("8000.00"), Decimal("2952.00"))
    assert (accepted[3].base, accepted[3].cost) == (Decimal("5250.00"), Decimal("1937.25"))
    assert "按下限 5,250.00 缴费" in accepted[3].notes[0]
    assert "2,952.00" in page and "1,937.25" in page

    response = client.post(URL, {"action": "confirm", "number": number})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == "confirmed" and batch.content == b""
    made = list(Declaration.objects.filter(batch_number=number).order_by("id"))
    assert [d.subject_id_number for d in made] == [files.person_id(101), files.person_id(103)]
    assert {(d.state, d.version, d.item_code, d.employer_id) for d in made} == {
        ("submitted", 1, "H01", personas.employer_a.pk)
    }
    assert made[0].data["wage"] == "8000.00" and made[0].data["gender"] == "M"
    assert DeclarationVersion.objects.filter(declaration__in=made).count() == 2
    assert DeclarationEvent.objects.filter(declaration__in=made, action="submit").count() == 2
    # Confirming again does nothing more.
    client.post(URL, {"action": "confirm", "number": number})
    assert Declaration.objects.filter(batch_number=number).count() == 2
    # Found again in the progress query, by its batch number too.
    progress = client.get(f"/portal/items/progress/?q={number}").content.decode()
    assert number in progress and made[0].number in progress and made[1].number in progress
    # The message centre told the operator when the check and the submission finished, linked to the batch.
    inbox = client.get("/messages/?kind=batch").content.decode()
    assert f"批次 {number} 校验完成：2 行通过，5 行未通过" in inbox
    assert f"批次 {number} 已提交：2 件申报，等待审核" in inbox
    assert client.get("/messages/" + str(personas.operator_a.inbox_messages.first().pk) + "/")[
        "Location"
    ] == (f"{URL}?open={number}")


def test_row_cost_is_the_item_forms_preview_and_what_approval_records(login_as, personas):
    """One function computes what the operator is shown and what approval records: a row's base and cost are
    the single-item form's 试算 (declarations.preview.contribution_preview) for the same input, and after the
    batch is confirmed and approved the record holds that base and settlement charges that cost."""
    operator = login_as(personas.operator_a)
    cases = [  # wage, insurances as the file says them, as the form posts them
        ("120000", files.ALL, list(ALL_INSURANCES)),  # above the ceiling
        ("7654.32", files.ALL, list(ALL_INSURANCES)),
        ("3000", "养老、医疗", ["pension", "medical"]),  # below the floor, two insurances
    ]
    rows = [
        files.h01_row(101 + 2 * i, name=name, wage=wage, insurances=said)
        for i, ((wage, said, _codes), name) in enumerate(zip(cases, ["刘洋", "周敏", "吴刚"], strict=True))
    ]
    number = _upload_number(operator, files.xlsx_openpyxl(files.H01_HEADERS, rows))
    page = operator.get(f"{URL}?open={number}").content.decode()
    by_id = {r.subject_id_number: r for r in ImportBatch.objects.get(number=number).rows.all()}
    assert len(by_id) == 3 and all(r.accepted for r in by_id.values())

    for row, (wage, _said, codes) in zip(rows, cases, strict=True):
        shown = by_id[row[0]]
        # The single-item form's htmx 试算 for the same input shows the same base and total …
        partial = operator.post(
            "/portal/items/H01/",
            {
                **h01_raw(id_number=row[0], name=row[1], gender="M" if row[2] == "男" else "F", wage=wage),
                "insurances": codes,
                "action": "cost",
            },
            HTTP_HX_REQUEST="true",
        ).content.decode()
        assert format_money(shown.cost) in partial and format_money(shown.base) in partial
        assert format_money(shown.cost) in page and format_money(shown.base) in page
        # … and it is the preview function's own figure, not a second calculation.
        preview = contribution_preview(
            employer=personas.employer_a, declared_wage=Decimal(wage), period=Period(202611), insurances=codes
        )
        assert (shown.base, shown.cost) == (preview.base, preview.total)
    # Worked by hand (2026 limits 5,250–26,250; employer A's rates, injury 0.4 %): 120,000 → 26,250 → 9,686.25;
    # 7,654.32 → 2,824.45; 3,000 → 5,250 for pension and medical only → 840+420 + 472.50+105 = 1,837.50.
    assert [by_id[r[0]].cost for r in rows] == [Decimal("9686.25"), Decimal("2824.45"), Decimal("1837.50")]

    operator.post(URL, {"action": "confirm", "number": number})
    reviewer = login_as(personas.reviewer)
    reviewer.post(f"/office/review/batch/{number}/", {"action": "approve_clean"})
    assert set(Declaration.objects.filter(batch_number=number).values_list("state", flat=True)) == {
        "completed"
    }
    settlement_run(period=202611)
    for row, (_wage, _said, codes) in zip(rows, cases, strict=True):
        shown = by_id[row[0]]
        recorded = ContributionBase.objects.get(person__id_number=row[0], employer=personas.employer_a)
        assert all(getattr(recorded, f"base_{ins}") == shown.base for ins in ALL_INSURANCES)
        lines = ContributionLine.objects.filter(person__id_number=row[0], period=202611)
        assert sorted(lines.values_list("insurance", flat=True)) == sorted(codes)
        assert sum(line.employer_amount + line.individual_amount for line in lines) == shown.cost


def test_rejected_rows_round_trip(login_as, personas):
    client = login_as(personas.operator_a)
    number = _upload_number(client, files.xlsx_openpyxl(files.H01_HEADERS, mixed_rows()))
    response = client.get(f"{URL}?rejected={number}")
    assert response.status_code == 200
    book = workbook(response.content)
    sheet = book.active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == [*files.H01_HEADERS, "错误原因"]
    assert len(rows) == 6  # the five rejected rows
    by_name = {r[1]: r for r in rows[1:]}
    assert by_name[None][12] == "姓名：姓名不能为空"
    assert rows[3][0] == "3.301061995030810e+17" or "e+17" in rows[3][0]  # kept as it came, never "fixed"
    # Fix two rows in the downloaded file and upload it as it is (the reason column is ignored).
    for row in sheet.iter_rows(min_row=2):
        if row[1].value is None:
            row[1].value = "郑爽"
        if row[2].value == "未知":
            row[2].value = "男"
    buffer = io.BytesIO()
    book.save(buffer)
    second = _upload_number(client, buffer.getvalue(), "fixed.xlsx")
    batch = ImportBatch.objects.get(number=second)
    assert (batch.accepted_rows, batch.rejected_rows) == (2, 3)
    assert batch.notices == []  # 「错误原因」 is not an unknown column
    fixed = {r.subject_name for r in batch.rows.filter(accepted=True)}
    assert fixed == {"郑爽", "刘洋"}


@pytest.mark.parametrize(
    "maker, name",
    [
        (lambda h, r: files.xlsx_xlsxwriter(h, r), "xlsxwriter.xlsx"),
        (lambda h, r: files.xls_xlwt(h, r), "wps.xls"),
        (lambda h, r: files.csv_bytes(h, r, encoding="utf-8"), "utf8.csv"),
        (lambda h, r: files.csv_bytes(h, r, encoding="utf-8-sig"), "bom.csv"),
        (lambda h, r: files.csv_bytes(h, r, encoding="gbk"), "gbk.csv"),
    ],
)
def test_every_format_reads_the_same(login_as, personas, maker, name):
    rows = [files.h01_row(101), files.h01_row(103, name="周敏"), files.h01_row(105, gender="未知")]
    number = _upload_number(login_as(personas.operator_a), maker(files.H01_HEADERS, rows), name)
    batch = ImportBatch.objects.get(number=number)
    assert (batch.status, batch.accepted_rows, batch.rejected_rows) == ("validated", 2, 1), batch.file_errors
    assert batch.rows.get(line=3).subject_name == "周敏"


def test_headers_are_matched_by_name_not_position(login_as, personas):
    order = [4, 0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11]
    headers = [files.H01_HEADERS[i].lstrip("*") for i in order]  # reordered, without the * marks
    row = files.h01_row(101)
    content = files.csv_bytes(headers, [[row[i] for i in order]])
    number = _upload_number(login_as(personas.operator_a), content, "a.csv")
    assert ImportBatch.objects.get(number=number).accepted_rows == 1


def test_identifiers_dates_and_numbers_as_spreadsheets_hold_them(login_as, personas):
    born = dt.date(1995, 3, 8)
    serial = (born - dt.date(1899, 12, 30)).days  # 34766, what Excel stores for 1995-03-08
    rows = [
        files.h01_row(101),
        files.h01_row(103, name="周敏", start=202611, wage=8000.5),  # numbers where text is expected
        files.h01_row(105, name="吴刚"),
    ]
    rows[0][3] = serial  # a date typed into a General cell: Excel's serial number
    rows[2][3] = born  # a real date cell
    number = _upload_number(login_as(personas.operator_a), files.xlsx_openpyxl(files.H01_HEADERS, rows))
    batch = ImportBatch.objects.get(number=number)
    assert batch.accepted_rows == 3, list(batch.rows.values_list("problems", flat=True))
    assert "出生日期按 Excel 日期序列号 34766 读作 1995-03-08" in batch.rows.get(line=2).notes
    assert batch.rows.get(line=3).data["wage"] == "8000.50"


def test_scientific_notation_in_a_csv_is_reported(login_as, personas):
    row = files.h01_row(101)
    row[0] = "3.30106E+17"
    number = _upload_number(login_as(personas.operator_a), files.csv_bytes(files.H01_HEADERS, [row]), "a.csv")
    problems = ImportBatch.objects.get(number=number).rows.get().problems
    assert problems[0][0] == "公民身份号码" and "科学计数法" in problems[0][1]


def test_a_person_with_a_pending_declaration_is_refused(login_as, personas):
    h04 = {
        "id_number": personas.person_1.id_number,
        "name": "王小明",
        "stop_period": "202612",
        "reason": "11",
    }
    pending = submit(personas, "H04", h04)
    headers = ["*公民身份号码", "*姓名", "*停保期", "*减员原因"]
    rows = [
        [personas.person_1.id_number, "王小明", "202612", "辞职"],
        [personas.person_2.id_number, "陈丽", "202612", "辞职"],
    ]
    number = _upload_number(login_as(personas.operator_a), files.csv_bytes(headers, rows), "h04.csv", "H04")
    batch = ImportBatch.objects.get(number=number)
    assert batch.accepted_rows == 1
    assert f"该人员已有待审核的同类申报 {pending.number}" in batch.rows.get(line=2).problems[0][1]


def test_h07_file_becomes_one_declaration_and_needs_every_employee(login_as, personas):
    client = login_as(personas.operator_a)
    people = [personas.person_1, personas.person_2, personas.person_3]
    headers = ["公民身份号码", "姓名", "上年度月平均工资"]
    partial = [[people[0].id_number, "王小明", "3000"], [people[1].id_number, "陈丽", "0"]]
    number = _upload_number(client, files.csv_bytes(headers, partial), "h07.csv", "H07", year="2026")
    batch = ImportBatch.objects.get(number=number)
    assert batch.file_errors and "缺少 1 名在职职工：赵强" in batch.file_errors[0]
    assert batch.rows.get(line=3).problems == [["上年度月平均工资", "月平均工资应大于0"]]
    assert batch.rows.get(line=2).base == Decimal("5250.00")
    client.post(URL, {"action": "confirm", "number": number})
    assert not Declaration.objects.exists()
    back = workbook(client.get(f"{URL}?rejected={number}").content).active
    assert back.max_row == 3  # H07 goes back whole: both rows, the reason on the bad one
    full = [[p.id_number, p.name, "9000"] for p in people]
    number = _upload_number(client, files.csv_bytes(headers, full), "h07.csv", "H07", year="2026")
    client.post(URL, {"action": "confirm", "number": number})
    declaration = Declaration.objects.get(batch_number=number)
    assert declaration.item_code == "H07" and declaration.data["year"] == "2026"
    assert [r["wage"] for r in declaration.data["rows"]] == ["9000.00"] * 3


def test_upload_form_checks_the_year_and_the_item(login_as, personas):
    client = login_as(personas.operator_a)
    content = files.csv_bytes(["公民身份号码"], [["x"]])
    response = upload(client, content, "a.csv", "H07", year="20x6")
    assert response.status_code == 400 and "基数年度「20x6」不是有效的整数" in response.content.decode()
    response = upload(client, content, "a.csv", "H03")
    assert response.status_code == 400 and "请选择要导入的事项" in response.content.decode()
    assert not ImportBatch.objects.exists()


# --- bad files ------------------------------------------------------------------------------------------------


def _rows(n=1):
    return [files.h01_row(101 + 2 * i) for i in range(n)]


BAD_FILES = [
    ("not a spreadsheet", lambda: files.PNG, "photo.png", "不能作为电子表格读取"),
    ("binary renamed .xlsx", lambda: files.PNG, "renamed.xlsx", "内容不是 Excel 工作簿"),
    ("a Word document", files.docx_like, "letter.xlsx", "这是 Word 文档"),
    ("a zip bomb", files.zip_bomb, "bomb.xlsx", "疑似压缩炸弹"),
    (
        "an encrypted workbook",
        lambda: files.encrypted_xlsx(files.xlsx_openpyxl(files.H01_HEADERS, _rows())),
        "locked.xlsx",
        "已加密",
    ),
    ("an empty sheet", lambda: files.xlsx_openpyxl([], []), "empty.xlsx", "工作表是空的"),
    ("an empty csv", lambda: b"\r\n\r\n", "empty.csv", "是空的"),
    ("headers only", lambda: files.xlsx_openpyxl(files.H01_HEADERS, []), "h.xlsx", "只有表头"),
    (
        "missing headers",
        lambda: files.xlsx_openpyxl(files.H01_HEADERS[:2], [r[:2] for r in _rows()]),
        "m.xlsx",
        "缺少必填列：性别、出生日期",
    ),
    (
        "renamed headers",
        lambda: files.xlsx_openpyxl(["身份证号", *files.H01_HEADERS[1:]], _rows()),
        "r.xlsx",
        "无法识别的列：身份证号",
    ),
    (
        "merged cells",
        lambda: files.xlsx_openpyxl(files.H01_HEADERS, _rows(3), merge="B3:B4"),
        "merged.xlsx",
        "合并单元格（B3:B4）",
    ),
    (
        "formulas",
        lambda: files.xlsx_openpyxl(files.H01_HEADERS, _rows(2), formula_cell="K3"),
        "f.xlsx",
        "含有公式",
    ),
    (
        "too many rows",
        lambda: files.csv_bytes(files.H01_HEADERS, [files.h01_row(101)] * (MAX_ROWS + 1)),
        "big.csv",
        "超过每个文件 50000 行的上限",
    ),
]


@pytest.mark.parametrize("label, make, name, message", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_files_get_a_chinese_message(login_as, personas, label, make, name, message):
    client = login_as(personas.operator_a)
    number = _upload_number(client, make(), name)
    batch = ImportBatch.objects.get(number=number)
    shown = " ".join(batch.file_errors)
    assert message in shown, shown
    page = client.get(f"{URL}?open={number}")
    assert page.status_code == 200 and message in page.content.decode()
    client.post(URL, {"action": "confirm", "number": number})
    assert not Declaration.objects.exists()


def test_a_file_over_20_mb_is_refused_before_reading(login_as, personas):
    response = upload(login_as(personas.operator_a), b"a" * (20 * 1024 * 1024 + 1), "huge.csv")
    assert response.status_code == 400 and "超过 20 MB 的上限" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_formula_text_in_a_csv_cell_is_rejected(login_as, personas):
    row = files.h01_row(101)
    row[7] = '=HYPERLINK("http://x")'
    number = _upload_number(login_as(personas.operator_a), files.csv_bytes(files.H01_HEADERS, [row]), "a.csv")
    assert "公式" in ImportBatch.objects.get(number=number).rows.get().problems[0][1]


def test_hostile_cells_are_reported_not_crashed_on(login_as, personas):
    client = login_as(personas.operator_a)
    long_address = files.h01_row(101)
    long_address[7] = "路" * 10_000
    full_width = files.h01_row(103, name="周敏")
    full_width[0] = full_width[0].translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})  # ３３０１…
    controls = files.h01_row(105, name="吴\u200b刚", address="a\x01b\tc")
    content = files.csv_bytes(files.H01_HEADERS, [long_address, full_width, controls])
    number = _upload_number(client, content, "hostile.csv")
    rows = {r.line: r for r in ImportBatch.objects.get(number=number).rows.all()}
    assert rows[2].problems == [["地址", "地址最多200个字"]]
    assert rows[3].accepted and rows[3].subject_id_number == files.person_id(103)
    assert rows[4].subject_name == "吴刚"
    assert (
        client.get(f"{URL}?open={number}\x00").status_code == 400
    )  # refused at the edge, never sent to the DB
    assert client.get(f"{URL}?open=\x00PL").status_code == 400
    assert client.get(f"{URL}?open={'9' * 10_000}").status_code == 404
    nul = files.csv_bytes(files.H01_HEADERS, [files.h01_row(107)]) + b"\x00"
    assert "不能作为电子表格读取" in " ".join(
        ImportBatch.objects.get(number=_upload_number(client, nul, "n.csv")).file_errors
    )


# --- scope, abandonment, background work ------------------------------------------------------------------------


def test_another_employers_batch_is_404(login_as, personas):
    number = _upload_number(login_as(personas.operator_a), files.xlsx_openpyxl(files.H01_HEADERS, _rows()))
    other = login_as(personas.operator_b)
    assert other.get(f"{URL}?open={number}").status_code == 404
    assert other.get(f"{URL}?rejected={number}").status_code == 404
    assert other.post(URL, {"action": "confirm", "number": number}).status_code == 404
    assert other.post(URL, {"action": "discard", "number": number}).status_code == 404
    assert ImportBatch.objects.get(number=number).status == "validated"


def test_discard_and_abandoned_uploads_leave_nothing(login_as, personas):
    client = login_as(personas.operator_a)
    first = _upload_number(client, files.xlsx_openpyxl(files.H01_HEADERS, _rows()))
    client.post(URL, {"action": "discard", "number": first})
    assert not ImportBatch.objects.filter(number=first).exists()

    left = _upload_number(client, files.xlsx_openpyxl(files.H01_HEADERS, _rows()))
    done = _upload_number(client, files.xlsx_openpyxl(files.H01_HEADERS, [files.h01_row(103)]))
    client.post(URL, {"action": "confirm", "number": done})
    assert batch_services.batches_clean_abandoned() == 0  # nothing is a day old yet
    later = timezone.now() + dt.timedelta(hours=25)
    assert batch_services.batches_clean_abandoned(now=later) == 1
    assert not ImportBatch.objects.filter(number=left).exists()
    assert ImportBatch.objects.filter(number=done, status="confirmed").exists()


def test_the_upload_queues_the_clean_up_for_the_worker(
    login_as, personas, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        _upload_number(login_as(personas.operator_a), files.xlsx_openpyxl(files.H01_HEADERS, _rows()))
    cleanup = DBTaskResult.objects.get(task_path__endswith="batches_clean_task")
    assert cleanup.run_after > timezone.now() + dt.timedelta(hours=23)


def test_large_files_are_validated_and_confirmed_in_the_background(
    login_as, personas, settings, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(batch_services, "INLINE_MAX_BYTES", 100)
    client = login_as(personas.operator_a)
    content = files.xlsx_openpyxl(files.H01_HEADERS, _rows(3))
    with django_capture_on_commit_callbacks(execute=False):
        upload(client, content)
    batch = last_batch()
    number = batch.number
    assert batch.background and batch.status == "queued"  # waiting for the worker
    page = client.get(f"{URL}?open={number}").content.decode()
    assert "可以离开本页" in page and 'hx-trigger="every 1s"' in page
    progress = client.get("/portal/items/progress/").content.decode()
    assert number in progress and "排队校验" in progress  # found again in the progress query

    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"action": "retry", "number": number})  # not stale yet: refused
    assert ImportBatch.objects.get(number=number).status == "queued"
    batch_services.batch_validate(batch_id=batch.pk)  # what the worker does with the queued task
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"action": "confirm", "number": number})
    batch.refresh_from_db()
    assert batch.status == "confirmed" and Declaration.objects.filter(batch_number=number).count() == 3


def test_a_killed_worker_leaves_nothing_half_written_and_the_batch_is_retried(
    login_as, personas, settings, monkeypatch, django_capture_on_commit_callbacks
):
    client = login_as(personas.operator_a)
    number = _upload_number(client, files.xlsx_openpyxl(files.H01_HEADERS, _rows(3)))
    batch = ImportBatch.objects.get(number=number)
    batch_services.batch_confirm_start(
        batch=batch, employer=personas.employer_a, actor=personas.operator_a, today=TODAY
    )

    from shebao.declarations import services as declaration_services

    real = declaration_services.insert_rows

    def dies_half_way(model, columns, rows, **kwargs):
        real(model, columns, rows, **kwargs)
        if model is Declaration:  # the declarations written, then the worker is gone
            raise SystemExit("worker killed")

    monkeypatch.setattr(declaration_services, "insert_rows", dies_half_way)
    with pytest.raises(SystemExit):
        batch_services.batch_confirm(batch_id=batch.pk, actor=personas.operator_a)
    monkeypatch.undo()
    assert not Declaration.objects.exists()  # the confirm's one transaction was rolled back
    batch.refresh_from_db()
    assert batch.status == "confirming"
    page = client.get(f"{URL}?open={number}").content.decode()
    assert "重试" not in page  # the heartbeat is fresh: it may still be working
    ImportBatch.objects.filter(pk=batch.pk).update(updated_at=timezone.now() - dt.timedelta(minutes=5))
    page = client.get(f"{URL}?open={number}").content.decode()
    assert "后台处理已停止响应" in page
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"action": "retry", "number": number})
    batch.refresh_from_db()
    assert batch.status == "confirmed" and Declaration.objects.filter(batch_number=number).count() == 3


def test_a_stale_validation_is_retried_and_the_old_attempt_cannot_write(login_as, personas):
    client = login_as(personas.operator_a)
    number = _upload_number(client, files.xlsx_openpyxl(files.H01_HEADERS, _rows(2)))
    batch = ImportBatch.objects.get(number=number)
    # A worker took the batch and died before writing its rows.
    ImportBatch.objects.filter(pk=batch.pk).update(
        status="validating", updated_at=timezone.now() - dt.timedelta(minutes=5)
    )
    batch.rows.all().delete()
    client.post(URL, {"action": "retry", "number": number})
    batch.refresh_from_db()
    assert (batch.status, batch.accepted_rows, batch.rows.count()) == ("validated", 2, 2)


# --- the reviewer -----------------------------------------------------------------------------------------------


def test_reviewer_sees_a_batch_as_one_line_approves_the_clean_rows_and_rejects_one(login_as, personas):
    operator = login_as(personas.operator_a)
    old = dt.date(1970, 6, 1)  # a man of 56 enrolled for the first time: a manual-review flag
    rows = [files.h01_row(101), files.h01_row(103, name="周敏"), files.h01_row(105, name="钱老", birth=old)]
    rows[2][0] = make_id_number("330106", old, 105)
    number = _upload_number(operator, files.xlsx_openpyxl(files.H01_HEADERS, rows))
    operator.post(URL, {"action": "confirm", "number": number})
    single = submit(personas, "H09", {"id_number": personas.person_1.id_number, "phone": "13911112222"})

    reviewer = login_as(personas.reviewer)
    queue = reviewer.get("/office/review/").content.decode()
    assert queue.count(f"/office/review/batch/{number}/") == 1 and single.number in queue
    for d in Declaration.objects.filter(batch_number=number):
        assert d.number not in queue  # the batch's rows are behind its one line
    page = reviewer.get(f"/office/review/batch/{number}/").content.decode()
    assert "人工核查" in page and "共 3 件" in page

    made = list(Declaration.objects.filter(batch_number=number).order_by("id"))
    response = reviewer.post(
        f"/office/review/batch/{number}/",
        {"action": "reject_row", "row": made[1].number, "comment": "姓名与户籍不符"},
    )
    assert response.status_code == 302
    reviewer.post(f"/office/review/batch/{number}/", {"action": "approve_clean"})
    states = {d.number: (d.state, d.review_comment) for d in Declaration.objects.filter(batch_number=number)}
    assert states[made[0].number][0] == "completed"
    assert states[made[1].number] == ("rejected", "姓名与户籍不符")
    assert states[made[2].number][0] == "submitted"  # flagged: left for one-by-one review
    # Employer B's reviewer page does not exist for the portal; the operator sees the results.
    progress = operator.get(f"/portal/items/progress/?q={number}").content.decode()
    assert "姓名与户籍不符" in progress


def test_reject_row_needs_a_reason(login_as, personas):
    operator = login_as(personas.operator_a)
    number = _upload_number(operator, files.xlsx_openpyxl(files.H01_HEADERS, _rows()))
    operator.post(URL, {"action": "confirm", "number": number})
    row = Declaration.objects.get(batch_number=number)
    reviewer = login_as(personas.reviewer)
    response = reviewer.post(
        f"/office/review/batch/{number}/", {"action": "reject_row", "row": row.number}, follow=True
    )
    assert "审核不通过须填写原因" in response.content.decode()
    assert Declaration.objects.get(pk=row.pk).state in (State.SUBMITTED, State.IN_REVIEW)
    assert login_as(personas.operator_a).get(f"/office/review/batch/{number}/").status_code == 403
