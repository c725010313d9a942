"""Fixture files for the batch-import tests, made by the writers operators' tools resemble: openpyxl, XlsxWriter,
xlwt (.xls, the BIFF8 format Excel 97–2003 and WPS still write), csv in UTF-8 (with and without BOM) and GBK."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

from shebao.core.idnumbers import make_id_number

H01_HEADERS = [
    "*公民身份号码",
    "*姓名",
    "*性别",
    "*出生日期",
    "*民族",
    "*户籍性质",
    "联系电话",
    "地址",
    "用工形式",
    "*参保开始期",
    "*月工资(缴费基数)",
    "*参保险种",
]
ALL = "养老、医疗、失业、工伤、生育"


def person_id(seq: int, birth=dt.date(1995, 3, 8)) -> str:
    return make_id_number("330106", birth, seq)


def h01_row(seq: int, *, name="刘洋", birth=dt.date(1995, 3, 8), wage="8000", **changes) -> list:
    number = person_id(seq, birth)
    gender = "男" if int(number[16]) % 2 else "女"
    row = {
        "id": number,
        "name": name,
        "gender": gender,
        "birth": birth.isoformat(),
        "ethnicity": "汉族",
        "hukou": "本市城镇",
        "phone": "13900000001",
        "address": "杭州市西湖区文二路1号",
        "form": "合同制",
        "start": "202611",
        "wage": wage,
        "insurances": ALL,
    }
    row.update(changes)
    return list(row.values())


def xlsx_openpyxl(headers: list, rows: list[list], *, merge: str = "", formula_cell: str = "") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    if formula_cell:
        sheet[formula_cell] = "=1+2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_xlsxwriter(headers: list, rows: list[list]) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("Sheet1")
    text = workbook.add_format({"num_format": "@"})
    sheet.write_row(0, 0, headers)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, str):
                sheet.write_string(r, c, value, text)
            else:
                sheet.write(r, c, value)
    workbook.close()
    return buffer.getvalue()


def xls_xlwt(headers: list, rows: list[list]) -> bytes:
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("Sheet1")
    for c, value in enumerate(headers):
        sheet.write(0, c, value)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(headers: list, rows: list[list], *, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode(encoding)


def encrypted_xlsx(content: bytes, password: str = "secret") -> bytes:
    import msoffcrypto.format.ooxml as ooxml

    out = io.BytesIO()
    ooxml.OOXMLFile(io.BytesIO(content)).encrypt(password, out)
    return out.getvalue()


def zip_bomb() -> bytes:
    """A "workbook" whose sheet unpacks to 50 MB of zeros (a few hundred kB packed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            block = b"\0" * (1 << 20)
            for _ in range(50):
                member.write(block)
    return buffer.getvalue()


def docx_like() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
