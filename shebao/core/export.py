"""Exporting a list: xlsx (openpyxl, write-only) and csv (UTF-8 with BOM so Excel opens it).

Text cells that a spreadsheet would read as a formula (starting with = + - @, tab or carriage return) are
neutralised with a leading apostrophe; numbers stay numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMBER_FORMATS = {
    "money": "#,##0.00",
    "rate": "0.00##%",
    "date": "yyyy-mm-dd",
    "int": "0",
    "period": "0",
}


def neutralise(text: str) -> str:
    """Keep a spreadsheet from running user text as a formula (OWASP 'CSV injection')."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _is_number(value) -> bool:
    return isinstance(value, (int, Decimal)) or (
        isinstance(value, str) and re.fullmatch(r"-?[0-9]+(?:\.[0-9]+)?", value) is not None
    )


def csv_value(value, kind: str) -> str:
    if value is None or value == "":
        return ""
    if kind in ("money", "int", "period", "rate") and not _is_number(value):
        return neutralise(str(value))  # a label (合计) in a number column
    if kind == "money":
        return f"{Decimal(value):.2f}"
    if kind in ("int", "period"):
        return str(int(value))
    if kind == "rate":
        return f"{(Decimal(value) * 100).normalize():f}%"
    if kind == "date":
        return local_text(value)
    return neutralise(str(value))


def local_text(value) -> str:
    """A date as 2026-12-01; a moment as 2026-12-01 07:30 in Asia/Shanghai (stored UTC, never shown so)."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat() if isinstance(value, dt.date) else str(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([neutralise(h) for h in header])
    for row in rows:
        yield writer.writerow(row)


def csv_response(filename: str, header: list[str], rows: Iterable[list[str]]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in csv_lines(header, rows)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def xlsx_bytes(title: str, header: list[str], kinds: list[str], rows: Iterable[list]) -> bytes:
    """One sheet: a bold header row, then the rows; money with thousands separators, ID numbers as text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    for index, kind in enumerate(kinds, start=1):
        width = {"money": 16, "date": 12, "period": 10, "int": 10, "rate": 10}.get(kind, 20)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    head = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=neutralise(str(text)))
        cell.font = bold
        head.append(cell)
    sheet.append(head)
    for row in rows:
        cells = []
        for value, kind in zip(row, kinds, strict=True):
            if value is None or value == "":
                cells.append(None)
                continue
            if kind in NUMBER_FORMATS and (kind == "date" or _is_number(value)):
                if kind in ("int", "period"):
                    value = int(value)
                elif isinstance(value, dt.datetime):
                    value = timezone.localtime(value).replace(tzinfo=None)
                elif kind in ("money", "rate"):
                    value = Decimal(value)
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = NUMBER_FORMATS[kind]
            else:
                cell = WriteOnlyCell(sheet, value=neutralise(str(value)))
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, title: str, header, kinds, rows) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(title, header, kinds, rows), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _sheet_title(title: str) -> str:
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in str(title))
    return cleaned[:31] or "Sheet1"
