"""Batch import of H11 (补缴: an audit finds months missed for many employees) and H16 (社会保障卡: cards for every
new hire of an H01 batch), through the pages: the template from the item, every row checked by the item's own
checks, H11's per-row amount being the quote the single-item form's 检查/试算 shows and approval writes, and the
confirmed rows becoming declarations the reviewer approves."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shebao.contributions.models import ContributionLine
from shebao.declarations.models import Declaration, ImportBatch
from shebao.persons.models import CardApplication
from shebao.testing import enrol, make_person

from . import batch_files as files
from .test_batch_import import URL, _upload_number, workbook
from .test_journey import post_form

pytestmark = pytest.mark.django_db
H11_HEADERS = ["*公民身份号码", "*姓名", "*补缴起始期", "*补缴截止期", "*补缴月工资(缴费基数)", "*补缴原因"]
# the template also has the optional per-period wages (a file without that column is read all the same)
H11_TEMPLATE_HEADERS = [*H11_HEADERS[:5], "分期月工资(选填)", H11_HEADERS[5]]
H16_HEADERS = ["*公民身份号码", "*姓名", "*申领类型", "相片采集编号", "说明"]


@pytest.fixture
def workers(personas):
    """Two employed at A since 202401 with money.md's worked-example wage; nothing settled for them yet."""
    made = []
    for name, seq in (("邓丽华", 82), ("方志强", 83)):
        person = make_person(name=name, birth=dt.date(1988, 4, 12), seq=seq)
        enrol(
            person=person, employer=personas.employer_a, start_period=202401, wage="7654.32", base_year=2024
        )
        made.append(person)
    return made


def test_h11_template_is_derived_from_the_item(login_as, personas):
    response = login_as(personas.operator_a).get(f"{URL}?template=H11")
    assert response.status_code == 200
    headers = [c.value for c in next(workbook(response.content)["数据"].iter_rows())]
    assert headers == H11_TEMPLATE_HEADERS


def test_h11_rows_are_checked_priced_by_the_quote_and_approved(login_as, personas, workers):
    operator = login_as(personas.operator_a)
    first, second = workers
    rows = [
        [first.id_number, first.name, "202402", "202403", "7654.32", "入职时漏报"],
        [second.id_number, second.name, "202402", "202402", "7654.32", "入职时漏报"],
        [second.id_number, second.name, "202405", "202404", "7654.32", "x"],  # twice, and backwards
        [personas.person_b1.id_number, "孙悦", "202402", "202402", "7654.32", "x"],  # not insured here
        [first.id_number[:17] + "0", first.name, "202402", "202402", "", "x"],  # bad check digit, no wage
    ]
    number = _upload_number(operator, files.xlsx_openpyxl(H11_HEADERS, rows), item="H11")
    batch = ImportBatch.objects.get(number=number)
    assert (batch.status, batch.accepted_rows, batch.rejected_rows) == ("validated", 1, 4)
    page = operator.get(f"{URL}?open={number}").content.decode()
    assert "文件中第 3、4 行的公民身份号码相同，每人只能有一行" in page
    assert "补缴截止期 202404 不能早于起始期 202405" in page
    assert "该人员未在本单位参保，不能补缴" in page
    assert "补缴月工资(缴费基数)不能为空" in page

    # The amount is the back-payment quote: money.md's worked example, 2 × 2,824.45 (the surcharge is not in it,
    # it grows until paid) — what the single-item form's 检查/试算 shows for the same input.
    row = batch.rows.get(accepted=True)
    assert (row.base, row.cost) == (None, Decimal("5648.90"))
    assert "补缴金额(单位+个人，不含滞纳金)" in page and "5,648.90" in page and "核定缴费基数" not in page
    assert any(note.startswith("补缴合计 2 个月：缴费 5,648.90") for note in row.notes)
    form = post_form(
        operator, "/portal/items/H11/", dict(zip(_H11_FIELDS, rows[0], strict=True)), action="preview"
    )
    assert "补缴合计 2 个月：缴费 5,648.90" in form.content.decode()

    operator.post(URL, {"action": "confirm", "number": number})
    assert ImportBatch.objects.get(number=number).status == "confirmed"
    reviewer = login_as(personas.reviewer)
    reviewer.post(f"/office/review/batch/{number}/", {"action": "approve_clean"})
    assert Declaration.objects.get(batch_number=number).state == "completed"
    lines = ContributionLine.objects.filter(person=first, kind="back_payment")
    assert sum(li.employer_amount + li.individual_amount for li in lines) == row.cost


_H11_FIELDS = ["id_number", "name", "start_period", "end_period", "wage", "reason"]


def test_h16_cards_for_a_list_of_employees(login_as, personas):
    operator = login_as(personas.operator_a)
    template = operator.get(f"{URL}?template=H16")
    assert [c.value for c in next(workbook(template.content)["数据"].iter_rows())] == H16_HEADERS
    rows = [
        [personas.person_1.id_number, personas.person_1.name, "新办", "XP2026112600017", ""],
        [personas.person_2.id_number, "陈丽", "补办", "", "原卡遗失"],
        [personas.person_b1.id_number, "孙悦", "新办", "", ""],  # employer B's
        [personas.person_1.id_number, personas.person_1.name, "挂失", "", ""],  # twice, and not a kind
    ]
    number = _upload_number(operator, files.xlsx_openpyxl(H16_HEADERS, rows), item="H16")
    batch = ImportBatch.objects.get(number=number)
    assert (batch.accepted_rows, batch.rejected_rows) == (1, 3)
    page = operator.get(f"{URL}?open={number}").content.decode()
    assert "该人员不是本单位在职参保人员" in page and "申领类型「挂失」不在可选范围内" in page
    assert "月缴费额" not in page  # no money for a card

    operator.post(URL, {"action": "confirm", "number": number})
    declaration = Declaration.objects.get(batch_number=number)
    assert declaration.data["reason"] == "replace" and declaration.data["note"] == "原卡遗失"
    login_as(personas.reviewer).post(f"/office/review/batch/{number}/", {"action": "approve_clean"})
    application = CardApplication.objects.get(declaration_number=declaration.number)
    assert application.status == CardApplication.Status.IN_PROCESS and application.kind == "replace"
    # A second file for the same person is refused while the card is in process.
    again = _upload_number(operator, files.xlsx_openpyxl(H16_HEADERS, rows[1:2]), item="H16")
    assert "不能重复申领" in operator.get(f"{URL}?open={again}").content.decode()


@pytest.mark.parametrize(
    ("item", "headers", "row"),
    [
        (
            "H11",
            H11_HEADERS,
            ["33010619880412008\x002", "邓\x00丽华", "2024\x0002", "202403", "76\x0054", "漏\x00报"],
        ),
        ("H16", H16_HEADERS, ["\x00330106198804120082", "陈\x00丽", "新\x00办", "XP\x0001", "\x00"]),
    ],
)
@pytest.mark.parametrize("maker", [files.xlsx_xlsxwriter, files.csv_bytes])
def test_nul_bytes_in_cells_are_reported_not_crashed_on(
    login_as, personas, workers, item, headers, row, maker
):
    client = login_as(personas.operator_a)
    response = client.post(
        URL,
        {"action": "upload", "item": item, "file": _file(maker(headers, [row, row[:1] + ["\x00"] * 5]))},
        follow=True,
    )
    assert response.status_code == 200
    batch = ImportBatch.objects.order_by("-id").first()
    assert batch.status in ("validated", "unreadable")
    assert client.get(f"{URL}?open={batch.number}").status_code == 200
    if batch.status == "validated":
        assert "\x00" not in str(list(batch.rows.values_list("cells", "data", "problems")))
        client.post(URL, {"action": "confirm", "number": batch.number})
        assert "\x00" not in str(list(Declaration.objects.values_list("data", flat=True)))


def _file(content: bytes):
    return SimpleUploadedFile("nul.xlsx" if content[:2] == b"PK" else "nul.csv", content)


def test_h11_per_period_wages_in_a_cell(login_as, personas, workers):
    # One cell holding "202403 3000" (Alt+Enter for more lines): 202402 at 7,654.32 (2,824.45), 202403 at the
    # 2024 floor 4,812.00 (1,775.63) — the same quote as the form's.
    first, _second = workers
    row = [first.id_number, first.name, "202402", "202403", "7654.32", "202403 3000", "入职时漏报"]
    number = _upload_number(
        login_as(personas.operator_a), files.xlsx_openpyxl(H11_TEMPLATE_HEADERS, [row]), item="H11"
    )
    accepted = ImportBatch.objects.get(number=number).rows.get(accepted=True)
    assert accepted.cost == Decimal("4600.08")
