"""Reading the office's CSV files (UTF-8 or GB18030) all or nothing: the shared part of every import.

Whatever is uploaded gives rows or Chinese messages naming the rows, never an exception: any line ending (CR LF,
LF, or CR alone as old spreadsheet programs write), quoted fields, a cell over 128 KiB, control characters in a
cell (refused like everywhere else, see ``core.edge``), a binary file, too many bytes or rows.

Each parser checks every row and raises ``ImportRejected`` listing each bad row (「第 N 行：…」, N counted in the
file, header included) so that nothing is written unless the whole file is good. A first row whose date column
is not a date is taken as a header. The files themselves (arrivals, medical spending, benefit payments) are read
by the ``imports`` module of the app they belong to.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from . import validators
from .edge import CONTROL_CHARACTERS
from .errors import DomainError
from .validators import ANY_DATE, EVENT_DATE, DateWindow, normalize_text, parse_amount

MAX_ROWS = 20_000
MAX_BYTES = 5 * 1024 * 1024
MAX_CELL = csv.field_size_limit()  # characters (128 KiB): csv's own limit, reported with the row
MAX_ERRORS = 200


@dataclass
class ImportResult:
    created: int = 0
    errors: list[str] = field(default_factory=list)


class ImportRejected(DomainError):
    """A file with bad rows: nothing was written; `errors` names each bad row and why (Chinese)."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(
            _("文件有 %(n)d 行错误，未导入任何数据：") % {"n": len(errors)} + "；".join(errors[:20])
        )


def parse_date(value: str, *, label: str, window: DateWindow = EVENT_DATE) -> dt.date:
    """A date in a row, inside the column's plausible window (default: 1990 to today + 31 days)."""
    return validators.parse_date(value, label=label, window=window)


def row_error(line: int, message: str) -> str:
    return _("第 %(line)d 行：%(msg)s") % {"line": line, "msg": message}


def decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRejected([_("文件编码无法识别，请保存为 UTF-8 或 GBK 编码的 CSV 文件")])


def read_bytes(upload, *, max_bytes: int = MAX_BYTES) -> bytes:
    raw = upload.read(max_bytes + 1) if hasattr(upload, "read") else bytes(upload)
    if len(raw) > max_bytes:
        raise ImportRejected(
            [_("文件超过 %(mb)d MB，请分批导入") % {"mb": max(1, max_bytes // (1024 * 1024))}]
        )
    return raw


def read_rows(
    upload, *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS, normalize: bool = True
) -> list[tuple[int, list[str]]]:
    """(row number counted from 1 in the file, cells) of every non-empty row. Cells are trimmed and folded
    (``normalize_text``) unless ``normalize`` is False. Raises ImportRejected listing every bad row."""
    text = decode(read_bytes(upload, max_bytes=max_bytes))
    if "\x00" in text and text.count("\x00") > len(text) // 4:
        raise ImportRejected([_("文件不是 CSV 文本文件（可能是 Excel 或其他格式），请另存为 CSV 后再导入")])
    # newline=None: CR LF, LF and a lone CR all end a line (a lone CR inside quotes becomes LF).
    reader = csv.reader(io.StringIO(text, newline=None))
    rows: list[tuple[int, list[str]]] = []
    errors: list[str] = []
    number = 0
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # the reader cannot go on after this: report it with what came before
            errors.append(row_error(number, _csv_message(exc)))
            break
        problem = _cell_problem(cells)
        if problem:
            errors.append(row_error(number, problem))
            if len(errors) >= MAX_ERRORS:
                break
            continue
        if any(c.strip() for c in cells):
            rows.append((number, [normalize_text(c) for c in cells] if normalize else cells))
            if len(rows) > max_rows:
                raise ImportRejected([_("文件超过 %(n)d 行，请分批导入") % {"n": max_rows}])
    if errors:
        raise ImportRejected(errors)
    return rows


def _csv_message(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return _("有单元格超过 %(n)d 个字符，请检查该行") % {"n": MAX_CELL}
    return _("无法按 CSV 格式读取（引号或分隔符不配对），请检查该行")


def _cell_problem(cells: list[str]) -> str | None:
    for column, cell in enumerate(cells, start=1):
        if len(cell) > MAX_CELL:
            return _("第 %(col)d 列超过 %(n)d 个字符") % {"col": column, "n": MAX_CELL}
        m = CONTROL_CHARACTERS.search(cell)
        if m:
            return _("第 %(col)d 列含有不允许的控制字符（U+%(code)04X）") % {
                "col": column,
                "code": ord(m.group()),
            }
    return None


def parse_rows(
    upload, *, date_column: int, columns: int, parse_row: Callable[[list[str]], dict]
) -> list[dict]:
    rows = read_rows(upload)
    if rows:
        first = rows[0][1]
        try:
            parse_date(first[date_column] if len(first) > date_column else "", label="", window=ANY_DATE)
        except DomainError as exc:
            if exc.code != "range":  # not a date at all: a header (a date out of range is a bad data row)
                rows = rows[1:]
    if not rows:
        raise ImportRejected([_("文件中没有数据行")])
    parsed, errors = [], []
    for number, cells in rows:
        cells = cells + [""] * (columns - len(cells))
        try:
            row = parse_row(cells)
        except DomainError as exc:
            errors.append(row_error(number, exc.message))
            continue
        row["line"] = number
        parsed.append(row)
    if errors:
        raise ImportRejected(errors)
    return parsed


def cell_amount(value: str, label: str, *, positive: bool = True) -> Decimal:
    amount = parse_amount(value, label=label)
    if positive and amount <= 0:
        raise DomainError(_("%(label)s必须大于0") % {"label": label})
    return amount


def cell_choice(value: str, choices, label: str) -> str:
    for code, name in choices:
        if value in (code, str(name)):
            return code
    raise DomainError(
        _("%(label)s「%(value)s」不正确，应为：%(names)s")
        % {"label": label, "value": value, "names": "、".join(str(n) for _c, n in choices)}
    )
