"""The columns of an item's spreadsheet, derived from its definition (never listed a second time), and how a
cell as a spreadsheet holds it becomes the value a form post would carry.

An item that is ``importable`` gets one column per field; an item with a table field (H07) gets one column per
column of that table, and its other fields (the year) are asked on the upload form ("options").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from shebao.core.idnumbers import to_halfwidth

from ..items import DEFINITIONS
from ..items.base import Field, ItemDefinition

REASON_HEADER = "错误原因"  # the column the rejected-rows file adds; ignored when that file comes back
REQUIRED_MARK = "*"
INFO_SUFFIX = (
    "(仅供参考)"  # a column the template adds for the reader (H07's current wage); ignored on upload
)
IDENTIFIER_KINDS = ("id_number", "bank_account")  # digits that a number format would destroy
TEXT_KINDS = (
    "id_number",
    "bank_account",
    "phone",
    "name",
    "text",
    "choice",
    "multi",
    "period",
    "date",
    "year",
)
_SCIENTIFIC = re.compile(r"^[0-9](?:\.[0-9]+)?[eE]\+?[0-9]+$")
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug folded in after 60)


class CellProblem(Exception):
    """A cell that cannot be taken as it is (a number where an identifier should be, a formula in a CSV)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Column:
    field: Field

    @property
    def name(self) -> str:
        return self.field.name

    @property
    def label(self) -> str:
        return str(self.field.label)

    @property
    def header(self) -> str:
        """The header the template writes: the label, with * when required."""
        return f"{REQUIRED_MARK}{self.label}" if self.field.required else self.label

    @property
    def is_text(self) -> bool:
        return self.field.kind in TEXT_KINDS

    def note(self) -> str:
        """What to type in the column (the template's cell comment and its instructions sheet)."""
        f = self.field
        parts = [_("必填") if f.required else _("选填")]
        if f.kind == "id_number":
            parts.append(_("18位公民身份号码，单元格须为文本格式（否则末几位会丢失）"))
        elif f.kind == "choice":
            parts.append(
                _("从下拉列表选择：%(list)s") % {"list": "、".join(lab for _v, lab in f.choice_list())}
            )
        elif f.kind == "multi":
            parts.append(
                _("可填多项，用「、」分隔：%(list)s")
                % {"list": "、".join(lab for _v, lab in f.choice_list())}
            )
        elif f.kind == "period":
            parts.append(_("6位年月，如 202611"))
        elif f.kind == "date":
            parts.append(_("日期，如 1990-05-17"))
        elif f.kind == "amount":
            parts.append(_("金额(元)，最多两位小数"))
        elif f.kind == "phone":
            parts.append(_("手机号或带区号的固定电话"))
        if f.help:
            parts.append(str(f.help))
        return "；".join(parts)


@dataclass(frozen=True)
class Layout:
    """An item's file layout: its columns, the table field the rows fill (H07) and the upload form's fields."""

    definition: ItemDefinition
    columns: tuple[Column, ...]
    table_field: Field | None
    options: tuple[Field, ...]

    @property
    def code(self) -> str:
        return self.definition.code

    @property
    def subject_column(self) -> Column | None:
        for column in self.columns:
            if column.name == "id_number":
                return column
        return None


def importable_definitions() -> dict[str, ItemDefinition]:
    return {code: d for code, d in DEFINITIONS.items() if d.importable}


def layout_for(code: str) -> Layout | None:
    definition = importable_definitions().get(str(code or "").upper())
    if definition is None:
        return None
    table = next((f for f in definition.fields if f.kind == "table"), None)
    if table is not None:
        columns = tuple(Column(c) for c in table.columns)
        options = tuple(f for f in definition.fields if f is not table)
    else:
        columns = tuple(Column(f) for f in definition.fields)
        options = ()
    return Layout(definition, columns, table, options)


# --- headers ------------------------------------------------------------------------------------------------


def header_key(text: str) -> str:
    """A header as compared: half-width, without spaces, the required mark or a 「(必填)」 note, lower-case."""
    text = "".join(to_halfwidth(str(text or "")).split()).lower()
    text = text.replace("(必填)", "").replace("(选填)", "").strip("*")
    return text


def match_headers(layout: Layout, headers: list[str]) -> tuple[dict[int, Column], list[str], list[str]]:
    """(file column index → Column, errors, notices). Headers are matched by name (label or field name), not
    by position; extra columns are ignored and said so; a missing required column refuses the file."""
    wanted: dict[str, Column] = {}
    for column in layout.columns:
        wanted[header_key(column.label)] = column
        wanted[header_key(column.name)] = column
    found: dict[int, Column] = {}
    seen: dict[str, int] = {}
    errors, extra = [], []
    for index, header in enumerate(headers):
        key = header_key(header)
        if not key or key == header_key(REASON_HEADER) or key.endswith(header_key(INFO_SUFFIX)):
            continue
        column = wanted.get(key)
        if column is None:
            extra.append(header)
            continue
        if column.name in seen:
            errors.append(
                _("「%(label)s」列出现了两次（第 %(a)s 列和第 %(b)s 列）")
                % {"label": column.label, "a": _letter(seen[column.name]), "b": _letter(index)}
            )
            continue
        seen[column.name] = index
        found[index] = column
    missing = [c.label for c in layout.columns if c.field.required and c.name not in seen]
    if missing:
        message = _("缺少必填列：%(list)s（表头须与模板一致，请勿修改或删除模板的表头）") % {
            "list": "、".join(missing)
        }
        if extra:
            message += _("；无法识别的列：%(list)s") % {"list": "、".join(str(e)[:20] for e in extra[:10])}
        errors.append(message)
    notices = []
    if extra and not errors:
        notices.append(
            _("以下列不属于本事项，已忽略：%(list)s") % {"list": "、".join(str(e)[:20] for e in extra[:20])}
        )
    return found, errors, notices


def _letter(index: int) -> str:
    from .reading import column_letter

    return column_letter(index)


# --- cells --------------------------------------------------------------------------------------------------


def cell_text(value) -> str:
    """A cell as text, the way a person reads it in the spreadsheet (for the rejected-rows file)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _number_text(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    try:
        return str(Decimal(repr(value)).normalize())
    except InvalidOperation:  # pragma: no cover - repr of a float is always a Decimal
        return repr(value)


def serial_date(value: float) -> dt.date | None:
    """An Excel date serial (1900 system) as a date, or None when out of range."""
    if not value.is_integer() or not 1 <= value <= 2_958_465:
        return None
    return EXCEL_EPOCH + dt.timedelta(days=int(value))


def cell_raw(column: Column, value, notes: list[str]):
    """A cell → what a form post would carry for the field. Raises CellProblem where the cell cannot be taken
    as it is; appends to `notes` where it was read in a way worth saying (a date given as a serial number)."""
    f = column.field
    kind = f.kind
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    if isinstance(value, bool):
        raise CellProblem(_("应填写内容，实际为逻辑值 %(v)s") % {"v": cell_text(value)})
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = float(value)
        if kind in IDENTIFIER_KINDS:
            raise CellProblem(
                _(
                    "被表格软件存成了数字（显示为 %(shown)s），超过15位的数字末尾已丢失：请把该列设为文本格式，重新输入完整号码"
                )
                % {"shown": f"{value:.5E}" if abs(value) >= 1e11 else _number_text(value)}
            )
        if kind == "date":
            day = serial_date(value)
            if day is None:
                raise CellProblem(_("「%(v)s」不是有效日期，应为 YYYY-MM-DD") % {"v": _number_text(value)})
            notes.append(
                _("%(label)s按 Excel 日期序列号 %(n)s 读作 %(day)s")
                % {"label": column.label, "n": _number_text(value), "day": day.isoformat()}
            )
            return day.isoformat()
        return _number_text(value)
    if isinstance(value, dt.datetime | dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        if kind == "period":
            return f"{day.year:04d}{day.month:02d}"
        if kind == "date":
            return day.isoformat()
        if kind == "year":
            return str(day.year)
        raise CellProblem(_("应填写文本，实际为日期 %(v)s") % {"v": day.isoformat()})
    if isinstance(value, dt.time | dt.timedelta):
        raise CellProblem(_("应填写文本，实际为时间 %(v)s") % {"v": str(value)})
    text = str(value)
    stripped = text.strip()
    if stripped.startswith("="):
        raise CellProblem(_("单元格内容是公式（以 = 开头），请填写值本身"))
    if kind in IDENTIFIER_KINDS and _SCIENTIFIC.match(to_halfwidth(stripped)):
        raise CellProblem(
            _(
                "「%(v)s」是科学计数法，号码已被表格软件改成数字并丢失末尾数字：请把该列设为文本格式，重新输入完整号码"
            )
            % {"v": stripped[:30]}
        )
    if kind == "choice":
        normalized = " ".join(to_halfwidth(stripped).split())
        for code, label in f.choice_list():
            if normalized == label:
                return code
    return text
