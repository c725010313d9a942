"""Reading the office's CSV files (UTF-8 or GB18030) all or nothing: the shared part of every import.

Each parser checks every row and raises ``ImportRejected`` listing each bad row (「第 N 行：…」, N counted in the
file, header included) so that nothing is written unless the whole file is good. A first row whose date column
is not a date is taken as a header. The files themselves (arrivals, medical spending, benefit payments) are read
by the ``imports`` module of the app they belong to.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from .errors import DomainError
from .validators import normalize_text, parse_amount

MAX_ROWS = 20_000
MAX_BYTES = 5 * 1024 * 1024
_DATE_RE = re.compile(r"(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?")


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


def parse_date(value: str, *, label: str) -> dt.date:
    text = normalize_text(value)
    m = _DATE_RE.fullmatch(text)
    if not m:
        raise DomainError(
            _("%(label)s「%(value)s」格式不正确，应为 YYYY-MM-DD") % {"label": label, "value": text}
        )
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise DomainError(_("%(label)s「%(value)s」不是有效日期") % {"label": label, "value": text}) from None


def read_rows(upload) -> list[tuple[int, list[str]]]:
    """(line number, cells) of every non-empty row of an uploaded CSV file."""
    raw = upload.read(MAX_BYTES + 1) if hasattr(upload, "read") else bytes(upload)
    if len(raw) > MAX_BYTES:
        raise ImportRejected([_("文件超过 5 MB，请分批导入")])
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise ImportRejected([_("文件编码无法识别，请保存为 UTF-8 或 GBK 编码的 CSV")])
    rows = [
        (number, [normalize_text(c) for c in cells])
        for number, cells in enumerate(csv.reader(io.StringIO(text)), start=1)
        if any(c.strip() for c in cells)
    ]
    if len(rows) > MAX_ROWS:
        raise ImportRejected([_("文件超过 %(n)d 行，请分批导入") % {"n": MAX_ROWS}])
    return rows


def parse_rows(
    upload, *, date_column: int, columns: int, parse_row: Callable[[list[str]], dict]
) -> list[dict]:
    rows = read_rows(upload)
    if rows:
        first = rows[0][1]
        try:
            parse_date(first[date_column] if len(first) > date_column else "", label="")
        except DomainError:
            rows = rows[1:]  # a header
    if not rows:
        raise ImportRejected([_("文件中没有数据行")])
    parsed, errors = [], []
    for number, cells in rows:
        cells = cells + [""] * (columns - len(cells))
        try:
            row = parse_row(cells)
        except DomainError as exc:
            errors.append(_("第 %(line)d 行：%(msg)s") % {"line": number, "msg": exc.message})
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
