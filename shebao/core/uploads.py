"""Reading an uploaded CSV file: the one reader every import uses.

Whatever a user uploads gives rows or a Chinese message naming the row, never an exception: any encoding
(UTF-8 with or without BOM, else GB18030), any line ending (CR LF, LF, or CR alone as old spreadsheet programs
write), quoted fields, a cell longer than the limit (refused, not a crash), control characters in a cell
(refused like everywhere else, see :mod:`shebao.core.edge`), too many bytes or rows.
"""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from shebao.core.edge import CONTROL_CHARACTERS
from shebao.core.errors import DomainError
from shebao.core.validators import normalize_text

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_CELL = csv.field_size_limit()  # characters (128 KiB): csv's own limit, reported with the row
MAX_ERRORS = 200


class UploadRejected(DomainError):
    """The file cannot be used: ``errors`` lists each problem (「第 N 行：…」) in Chinese; nothing was written."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(
            _("文件有 %(n)d 处错误，未导入任何数据：") % {"n": len(errors)} + "；".join(errors[:20])
        )


def row_error(line: int, message: str) -> str:
    return _("第 %(line)d 行：%(msg)s") % {"line": line, "msg": message}


def decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UploadRejected([_("文件编码无法识别，请保存为 UTF-8 或 GBK 编码的 CSV 文件")])


def read_bytes(upload, *, max_bytes: int = MAX_BYTES) -> bytes:
    raw = upload.read(max_bytes + 1) if hasattr(upload, "read") else bytes(upload)
    if len(raw) > max_bytes:
        raise UploadRejected(
            [_("文件超过 %(mb)d MB，请分批导入") % {"mb": max(1, max_bytes // (1024 * 1024))}]
        )
    return raw


def csv_rows(
    upload, *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS, normalize: bool = True
) -> list[tuple[int, list[str]]]:
    """(row number counted from 1 in the file, cells) of every non-empty row. Cells are trimmed and folded
    (``normalize_text``) unless ``normalize`` is False. Raises UploadRejected listing every bad row."""
    text = decode(read_bytes(upload, max_bytes=max_bytes))
    if "\x00" in text and text.count("\x00") > len(text) // 4:
        raise UploadRejected([_("文件不是 CSV 文本文件（可能是 Excel 或其他格式），请另存为 CSV 后再导入")])
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
                raise UploadRejected([_("文件超过 %(n)d 行，请分批导入") % {"n": max_rows}])
    if errors:
        raise UploadRejected(errors)
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
