"""Reading an uploaded spreadsheet: xlsx, xls (python-calamine) or csv (UTF-8 with or without BOM, or GBK).

Pure file handling, no ORM and no item knowledge: what comes out is the header row and the data rows with the
cells as the file holds them (text, numbers, dates). A file that cannot be taken as a whole raises
:class:`FileRejected` with every reason in Chinese — never a traceback: not a spreadsheet, a binary renamed
.xlsx, a zip bomb, an encrypted workbook, an empty sheet, merged cells, formulas, too many rows, too large.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

from django.utils.translation import gettext as _

from shebao.core.errors import DomainError

MAX_ROWS = 50_000
MAX_BYTES = 20 * 1024 * 1024
# A zip member may unpack to at most this much, and to at most RATIO times its packed size once it is large:
# an xlsx of 50,000 rows × 12 columns unpacks to ~40 MB at a ratio of ~10; a zip bomb to gigabytes at 1000+.
MAX_UNPACKED = 300 * 1024 * 1024
MAX_RATIO = 200
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z0-9_]+:)?f[\s>/]")
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


class FileRejected(DomainError):
    """The file as a whole cannot be imported; `messages` says every reason (Chinese)."""

    def __init__(self, messages: list[str]):
        self.messages = [str(m) for m in messages]
        super().__init__("；".join(self.messages), code="file")


@dataclass
class Table:
    """The sheet as read: the header row's texts and each non-empty data row (its row number in the file,
    counted from 1 like the spreadsheet's own row numbers, and its cells)."""

    kind: str  # "xlsx", "xls" or "csv"
    header_line: int
    headers: list[str]
    rows: list[tuple[int, list]] = field(default_factory=list)
    encoding: str = ""


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _not_spreadsheet(name: str) -> FileRejected:
    return FileRejected(
        [
            _(
                "文件「%(name)s」不能作为电子表格读取：请上传 Excel(.xlsx/.xls) 或 CSV 文件，建议使用本事项的模板"
            )
            % {"name": name[:60]}
        ]
    )


def read_table(content: bytes, *, file_name: str = "") -> Table:
    """The header and rows of an uploaded file. Raises FileRejected."""
    name = file_name or "?"
    if len(content) > MAX_BYTES:
        raise FileRejected(
            [
                _("文件大小 %(size).1f MB，超过 20 MB 的上限，请分成几个文件导入")
                % {"size": len(content) / 1024 / 1024}
            ]
        )
    if not content.strip():
        raise FileRejected([_("文件「%(name)s」是空的") % {"name": name[:60]}])
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if content.startswith(ZIP_MAGIC):
        return _read_xlsx(content, name)
    if content.startswith(OLE_MAGIC):
        if ENCRYPTED_STREAM in content:
            raise FileRejected([_("工作簿设置了打开密码(已加密)，无法读取：请取消密码保护后另存，再上传")])
        return _read_calamine(content, name, "xls")
    if extension in ("xlsx", "xlsm", "xls", "et"):
        raise FileRejected(
            [
                _(
                    "文件扩展名是 .%(ext)s，但内容不是 Excel 工作簿（可能是改了扩展名的其他文件），请用 Excel 或 WPS 打开后另存为 .xlsx 再上传"
                )
                % {"ext": extension}
            ]
        )
    return _read_csv(content, name)


# --- xlsx / xls ---------------------------------------------------------------------------------------------


def _read_xlsx(content: bytes, name: str) -> Table:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _not_spreadsheet(name) from None
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        if "word/document.xml" in names:
            raise FileRejected([_("这是 Word 文档，不是电子表格：请上传本事项模板填写后的 Excel 文件")])
        raise _not_spreadsheet(name)
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_UNPACKED or any(
        m.file_size > 10 * 1024 * 1024 and m.file_size > MAX_RATIO * max(m.compress_size, 1) for m in members
    ):
        raise FileRejected([_("文件解压后异常巨大（疑似压缩炸弹），已拒绝读取")])
    part = _first_sheet_part(archive)
    if part is not None and _has_formula(archive, part):
        raise FileRejected(
            [
                _(
                    "表格中含有公式：请选中全部数据，复制后「选择性粘贴 → 数值」，保存后再上传（公式的结果可能随文件变化，不能作为申报内容）"
                )
            ]
        )
    return _read_calamine(content, name, "xlsx")


def _first_sheet_part(archive: zipfile.ZipFile) -> str | None:
    """The zip path of the workbook's first visible worksheet (the one that is read)."""
    try:
        if archive.getinfo("xl/workbook.xml").file_size > 5 * 1024 * 1024:
            return None
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, OSError):
        return None
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_NS_PKG_REL}Relationship")}
    for sheet in workbook.iter(f"{_NS_MAIN}sheet"):
        if sheet.get("state") in ("hidden", "veryHidden"):
            continue
        target = targets.get(sheet.get(f"{_NS_REL}id"), "")
        if not target:
            return None
        return target.lstrip("/") if target.startswith("/") else "xl/" + target
    return None


def _has_formula(archive: zipfile.ZipFile, part: str) -> bool:
    """Does the worksheet's XML hold a formula element (<f>)? Read in chunks, never whole."""
    try:
        with archive.open(part) as stream:
            tail = b""
            while True:
                chunk = stream.read(1 << 20)
                if not chunk:
                    return False
                if _FORMULA_TAG.search(tail + chunk):
                    return True
                tail = chunk[-16:]
    except (KeyError, zipfile.BadZipFile, OSError, RuntimeError):
        return False


def _read_calamine(content: bytes, name: str, kind: str) -> Table:
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheet = None
        for meta in workbook.sheets_metadata:
            if str(meta.visible).endswith("Visible") and str(meta.typ).endswith("WorkSheet"):
                sheet = workbook.get_sheet_by_name(meta.name)
                break
        if sheet is None:
            raise FileRejected([_("工作簿中没有可读取的工作表")])
        if sheet.height > MAX_ROWS + 1_000:
            raise _too_many(sheet.height - 1)
        merged = list(sheet.merged_cell_ranges or [])
        if merged:
            shown = "、".join(
                f"{column_letter(a[1])}{a[0] + 1}:{column_letter(b[1])}{b[0] + 1}" for a, b in merged[:5]
            )
            raise FileRejected(
                [
                    _(
                        "工作表「%(sheet)s」中有合并单元格（%(cells)s%(more)s）：请取消合并，每行每列只填一个值后再上传"
                    )
                    % {"sheet": sheet.name, "cells": shown, "more": "…" if len(merged) > 5 else ""}
                ]
            )
        values = sheet.to_python(skip_empty_area=False)
    except FileRejected:
        raise
    except PasswordError:
        raise FileRejected(
            [_("工作簿设置了打开密码(已加密)，无法读取：请取消密码保护后另存，再上传")]
        ) from None
    except (CalamineError, ValueError, OSError, TypeError, IndexError):
        raise _not_spreadsheet(name) from None
    except BaseException as exc:  # calamine raises Rust panics as PanicException (a BaseException)
        if isinstance(exc, (KeyboardInterrupt, SystemExit, MemoryError)):
            raise
        raise _not_spreadsheet(name) from None
    return _table(kind, values)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _table(kind: str, values: list[list], encoding: str = "") -> Table:
    header_line, headers, rows = 0, [], []
    for index, cells in enumerate(values, start=1):
        if all(_blank(c) for c in cells):
            continue
        if not header_line:
            header_line = index
            headers = [_header_text(c) for c in cells]
            continue
        rows.append((index, [c.replace("\x00", "") if isinstance(c, str) else c for c in cells]))
        if len(rows) > MAX_ROWS:
            raise _too_many(len(values) - header_line)
    if not header_line:
        raise FileRejected([_("工作表是空的：第一行应为表头，从第二行起每行一条数据")])
    while headers and not headers[-1]:
        headers.pop()
    if not rows:
        raise FileRejected([_("只有表头，没有数据行：请从表头下一行起填写数据")])
    return Table(kind=kind, header_line=header_line, headers=headers, rows=rows, encoding=encoding)


def _header_text(value) -> str:
    if _blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value).strip()


def _too_many(count: int) -> FileRejected:
    return FileRejected(
        [
            _("文件约有 %(n)d 行数据，超过每个文件 %(max)d 行的上限，请分成几个文件导入")
            % {"n": count, "max": MAX_ROWS}
        ]
    )


# --- csv ----------------------------------------------------------------------------------------------------


def _read_csv(content: bytes, name: str) -> Table:
    if b"\x00" in content:  # UTF-16 text or a binary file: neither is a CSV this reads
        raise _not_spreadsheet(name)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes nearly anything
        raise _not_spreadsheet(name)
    controls = sum(1 for c in text[:65536] if ord(c) < 32 and c not in "\r\n\t")
    if controls > 8:
        raise _not_spreadsheet(name)
    first_line = text.split("\n", 1)[0]
    dialect = csv.excel_tab if first_line.count("\t") > first_line.count(",") else csv.excel
    try:
        values = list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error:
        raise _not_spreadsheet(name) from None
    return _table("csv", values, encoding="GBK" if encoding == "gb18030" else "UTF-8")
