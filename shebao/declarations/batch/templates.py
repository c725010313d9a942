"""The spreadsheets the operator downloads: an item's template and the rejected rows of a batch (openpyxl).

The template is derived from the item's definition (columns.layout_for): Chinese headers with * on the required
ones, a note on each header, drop-down lists for coded columns, identifier columns formatted as text, and an
instructions sheet with the column notes and an example row. H07's template comes filled with every active
employee. The rejected-rows file has the file's own columns plus 「错误原因」 and uploads again as it is.

Every cell written from user data is a string cell (never a formula), so nothing in it runs when opened.
"""

from __future__ import annotations

import datetime as dt
import io

from django.utils.translation import gettext as _

from shebao.core.period import Period

from .columns import INFO_SUFFIX, REASON_HEADER, Column, Layout, header_key
from .reading import MAX_ROWS, column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATA_SHEET = "数据"
HELP_SHEET = "填写说明"
CODES_SHEET = "代码表"


def _example(column: Column, today: dt.date) -> str:
    f = column.field
    kind = f.kind
    if kind == "id_number":
        return "11010519491231002X"
    if kind == "name":
        return "张三"
    if kind == "date":
        return "1990-05-17"
    if kind == "period":
        return str(Period.from_date(today))
    if kind == "year":
        return str(today.year)
    if kind == "amount":
        return "8000.00"
    if kind == "phone":
        return "13800138000"
    if kind == "bank_account":
        return "6222021202020012345"
    if kind == "choice":
        choices = f.choice_list()
        default = next((lab for val, lab in choices if val == f.default), None)
        return default or (choices[0][1] if choices else "")
    if kind == "multi":
        return "、".join(lab for _v, lab in f.choice_list())
    return str(f.help or "")[:30]


def template_xlsx(layout: Layout, *, today: dt.date, prefill: list[dict] | None = None) -> bytes:
    """The item's template. `prefill`: rows to write under the header (H07: every active employee, each a dict
    of column name → text, plus "_info" for the reference column)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    codes = workbook.create_sheet(CODES_SHEET)
    codes.sheet_state = "hidden"
    help_sheet = workbook.create_sheet(HELP_SHEET)

    bold = Font(bold=True)
    red = Font(bold=True, color="C00000")
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    info = prefill is not None and any("_info" in row for row in prefill)
    last = MAX_ROWS + 1
    code_column = 0
    for index, column in enumerate(layout.columns):
        letter = column_letter(index)
        cell = sheet.cell(row=1, column=index + 1, value=column.header)
        cell.font = red if column.field.required else bold
        cell.fill = head_fill
        cell.comment = Comment(column.note(), "shebao", width=320, height=120)
        sheet.column_dimensions[letter].width = 24 if column.field.kind in ("id_number", "multi") else 16
        if column.is_text:
            sheet.column_dimensions[letter].number_format = "@"
        choices = column.field.choice_list() if column.field.kind == "choice" else []
        if choices:
            code_letter = column_letter(code_column)
            codes.cell(row=1, column=code_column + 1, value=column.label)
            for row, (_value, label) in enumerate(choices, start=2):
                codes.cell(row=row, column=code_column + 1, value=label)
            validation = DataValidation(
                type="list",
                formula1=f"{CODES_SHEET}!${code_letter}$2:${code_letter}${len(choices) + 1}",
                allow_blank=not column.field.required,
                showErrorMessage=True,
                errorTitle=_("请从列表中选择"),
                error=_("「%(label)s」只能从下拉列表中选择") % {"label": column.label},
            )
            validation.add(f"{letter}2:{letter}{last}")
            sheet.add_data_validation(validation)
            code_column += 1
    if info:
        index = len(layout.columns)
        cell = sheet.cell(row=1, column=index + 1, value=_("当前申报工资") + INFO_SUFFIX)
        cell.font = bold
        sheet.column_dimensions[column_letter(index)].width = 22
    for row_index, row in enumerate(prefill or [], start=2):
        for index, column in enumerate(layout.columns):
            value = row.get(column.name, "")
            if value not in ("", None):
                cell = sheet.cell(row=row_index, column=index + 1, value=str(value))
                cell.data_type = "s"
                cell.number_format = "@"
        if info and row.get("_info"):
            sheet.cell(row=row_index, column=len(layout.columns) + 1, value=str(row["_info"]))
    sheet.freeze_panes = "A2"

    definition = layout.definition
    help_sheet.column_dimensions["A"].width = 22
    help_sheet.column_dimensions["B"].width = 10
    help_sheet.column_dimensions["C"].width = 70
    help_sheet.column_dimensions["D"].width = 26
    lines = [
        [f"{definition.code} {definition.name} — " + _("批量导入模板")],
        [str(definition.intro or "")],
        [
            _(
                "在「数据」工作表第2行起每行填写一条；带 * 的列必须填写；表头请勿修改；不要合并单元格，不要使用公式。"
            )
        ],
        [_("每个文件最多 %(n)d 行、20 MB；可上传 xlsx、xls 或 csv(UTF-8 或 GBK 编码)。") % {"n": MAX_ROWS}],
        [],
        [_("列名"), _("是否必填"), _("填写说明"), _("示例")],
    ]
    for column in layout.columns:
        lines.append(
            [
                column.label,
                _("必填") if column.field.required else _("选填"),
                column.note(),
                _example(column, today),
            ]
        )
    if layout.options:
        lines.append([])
        lines.append([_("以下项目在上传页面填写，不在表格中：")])
        for f in layout.options:
            lines.append([str(f.label), _("必填") if f.required else _("选填"), str(f.help or "")])
    for row in lines:
        help_sheet.append(row)
    help_sheet["A1"].font = Font(bold=True, size=14)
    for cell in help_sheet[6]:
        cell.font = bold
        cell.fill = head_fill
    for row in help_sheet.iter_rows(min_row=7):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rejected_xlsx(headers: list[str], rows) -> bytes:
    """The rejected rows: the file's own columns (its header texts, in its order) plus 「错误原因」.
    `rows` yields (cells as text, reason). Every cell is text, so an ID number stays as it was typed."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(DATA_SHEET)
    keep = [i for i, h in enumerate(headers) if header_key(h) != header_key(REASON_HEADER)]
    headers = [headers[i] for i in keep]
    for index in range(len(headers)):
        sheet.column_dimensions[column_letter(index)].width = 20
    sheet.column_dimensions[column_letter(len(headers))].width = 60
    sheet.freeze_panes = "A2"
    bold, red = Font(bold=True), Font(bold=True, color="C00000")
    head = []
    for text in [*headers, REASON_HEADER]:
        cell = WriteOnlyCell(sheet, value=str(text))
        cell.font = red if text == REASON_HEADER else bold
        cell.data_type = "s"
        head.append(cell)
    sheet.append(head)
    for cells, reason in rows:
        out = []
        for value in (cells[i] if i < len(cells) else "" for i in keep):
            cell = WriteOnlyCell(sheet, value=str(value) if value not in (None, "") else None)
            if cell.value is not None:
                cell.data_type = "s"
            cell.number_format = "@"
            out.append(cell)
        cell = WriteOnlyCell(sheet, value=reason or None)
        if reason:
            cell.data_type = "s"
        out.append(cell)
        sheet.append(out)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rejected_file(*, batch) -> bytes:
    """The rejected rows of a checked batch as the operator gets them back (the page's and the API's download):
    the file's own columns and a reason column; for a table item (H07) every row, since it goes back whole."""
    from . import selectors
    from .columns import layout_for

    layout = layout_for(batch.item_code)
    whole = layout is not None and layout.table_field is not None
    rows = selectors.batch_rows(batch=batch, accepted=None if whole else False)
    return rejected_xlsx(
        list(batch.headers),
        (
            (r.cells, "；".join(f"{c}：{m}" if c else m for c, m in r.problems))
            for r in rows.only("cells", "problems").iterator(chunk_size=2000)
        ),
    )
