"""Checking every row of a file exactly as a hand-entered declaration is checked — the item definition's own
``evaluate`` — plus what only a file has: the same ID number twice in it, and declarations of the same item
for the same person still waiting for review. Nothing is written here.

The rows share one look-up cache (``CheckContext.cache``), pre-loaded in bulk (``checks.preload``) so that a
50,000-row file costs a few queries per 2,000 rows instead of several per row; the checks themselves are the
item's, unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from shebao.core.errors import DomainError, ValidationFailed
from shebao.persons.services import base_limits, clamped_bases

from ..items.checks import preload
from ..models import Declaration, State
from ..preview import evaluated_preview
from .columns import CellProblem, Layout, cell_raw, cell_text, match_headers
from .reading import Table

PENDING_STATES = (State.SUBMITTED, State.IN_REVIEW)
WHOLE_ROW = ""  # the column of a problem that is about the row, not one cell
CHUNK = 2_000


@dataclass
class RowResult:
    line: int
    cells: list[str]  # the text of each of the file's columns, in its header order
    data: dict = field(default_factory=dict)  # canonical (stored) values of an accepted row
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column label, reason)
    notes: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    base: Decimal | None = None
    cost: Decimal | None = None
    subject_id_number: str = ""
    subject_name: str = ""

    @property
    def accepted(self) -> bool:
        return not self.problems

    def reason(self) -> str:
        return "；".join(f"{c}：{m}" if c else m for c, m in self.problems)


@dataclass
class Outcome:
    headers: list[str]
    notices: list[str]
    file_errors: list[str]  # what refuses the file as a whole (headers, H07's whole-roster rule)
    rows: list[RowResult]

    @property
    def accepted(self) -> int:
        return sum(1 for r in self.rows if r.accepted)

    @property
    def rejected(self) -> int:
        return len(self.rows) - self.accepted


def validate_table(
    layout: Layout,
    table: Table,
    *,
    employer,
    today: dt.date,
    options: dict | None = None,
    progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Check every row of `table` as the item `layout` describes it. `options` are the upload form's values
    of a table item's other fields (H07: year)."""
    found, errors, notices = match_headers(layout, table.headers)
    width = max([len(table.headers)] + [len(cells) for _line, cells in table.rows])
    results = []
    for line, cells in table.rows:
        cells = list(cells) + [None] * (width - len(cells))
        results.append(RowResult(line=line, cells=[cell_text(c) for c in cells]))
    if errors:
        return Outcome(list(table.headers), notices, errors, results)

    raws = []
    for result, (_line, cells) in zip(results, table.rows, strict=True):
        raw = {c.name: "" for c in layout.columns}
        for index, column in found.items():
            value = cells[index] if index < len(cells) else None
            try:
                raw[column.name] = cell_raw(column, value, result.notes)
            except CellProblem as exc:
                result.problems.append((column.label, exc.message))
                raw[column.name] = None  # reported already: not parsed again
        raws.append(raw)

    if layout.table_field is not None:
        file_errors = _validate_as_table(
            layout, results, raws, employer=employer, today=today, options=options
        )
    else:
        file_errors = _validate_rows(layout, results, raws, employer=employer, today=today, progress=progress)
    if progress is not None:
        progress(len(results))
    return Outcome(list(table.headers), notices, file_errors, results)


def _labels(layout: Layout) -> dict[str, str]:
    labels = {c.name: c.label for c in layout.columns}
    labels["__all__"] = WHOLE_ROW
    return labels


def _validate_rows(layout: Layout, results, raws, *, employer, today, progress) -> list[str]:
    definition = layout.definition
    labels = _labels(layout)
    subject = layout.subject_column
    cache: dict = {}
    lines_by_number: dict[str, list[int]] = defaultdict(list)
    for start in range(0, len(results), CHUNK):
        chunk = range(start, min(start + CHUNK, len(results)))
        if subject is not None:
            numbers = [_id_number(raws[i].get(subject.name)) for i in chunk]
            preload(cache, id_numbers=[n for n in numbers if n])
        for i in chunk:
            result, raw = results[i], raws[i]
            skip = {name for name, value in raw.items() if value is None}
            evaluation = definition.evaluate(
                {k: ("" if v is None else v) for k, v in raw.items()},
                employer=employer,
                today=today,
                cache=cache,
            )
            for name, messages in evaluation.field_errors.items():
                if name in skip:
                    continue  # the cell's own problem is said already
                for message in messages:
                    result.problems.append((labels.get(name, WHOLE_ROW), message))
            for check in evaluation.results:
                result.notes.extend(check.notes)
            result.flags = list(evaluation.flags)
            info = evaluation.data.get("id_number")
            if info is not None:
                result.subject_id_number = info.number
                lines_by_number[info.number].append(result.line)
            result.subject_name = str(evaluation.data.get("name") or "")[:30]
            if evaluation.ok:
                result.data = evaluation.stored
                result.base, result.cost = row_money(evaluation, employer=employer)
        if progress is not None:
            progress(chunk.stop)

    # Across rows: the same person twice in one file.
    if subject is not None:
        by_line = {r.line: r for r in results}
        for _number, lines in lines_by_number.items():
            if len(lines) > 1:
                shown = "、".join(str(n) for n in lines[:10]) + ("…" if len(lines) > 10 else "")
                for line in lines:
                    by_line[line].problems.append(
                        (
                            subject.label,
                            _("文件中第 %(lines)s 行的公民身份号码相同，每人只能有一行") % {"lines": shown},
                        )
                    )
        _pending(layout, results, employer=employer)
    for result in results:
        if result.problems:
            result.data, result.base, result.cost = {}, None, None
    return []


def row_money(evaluation, *, employer) -> tuple[Decimal | None, Decimal | None]:
    """A row's base and cost: what the single-item form's 试算 shows and approval records, never a second
    calculation: the item's own ``batch_cost`` (H11's quote), else the wage preview (declarations.preview)."""
    hook = evaluation.context.definition.batch_cost if evaluation.context is not None else None
    if hook is not None:
        return hook(evaluation.context)
    preview = evaluated_preview(evaluation, employer=employer)
    if preview is None:
        return None, None
    return preview.base, preview.total


def _pending(layout: Layout, results, *, employer) -> None:
    """A person with a declaration of the same item still waiting for review cannot get a second one."""
    numbers = {r.subject_id_number for r in results if r.subject_id_number and not r.problems}
    if not numbers:
        return
    waiting: dict[str, tuple[int, str]] = {}
    listed = sorted(numbers)
    for start in range(0, len(listed), CHUNK):
        for number, employer_id, declaration in Declaration.objects.filter(
            item_code=layout.code,
            state__in=PENDING_STATES,
            subject_id_number__in=listed[start : start + CHUNK],
        ).values_list("subject_id_number", "employer_id", "number"):
            waiting.setdefault(number, (employer_id, declaration))
    label = layout.subject_column.label
    for result in results:
        found = waiting.get(result.subject_id_number)
        if found is None or result.problems:
            continue
        employer_id, declaration = found
        if employer_id == employer.pk:
            message = _("该人员已有待审核的同类申报 %(number)s，请等待审核结果或先撤回") % {
                "number": declaration
            }
        else:
            message = _("该人员已有其他单位提交、待审核的同类申报")
        result.problems.append((label, message))


def _id_number(value) -> str:
    from shebao.core.idnumbers import validate_id_number

    if not value:
        return ""
    try:
        return validate_id_number(str(value)).number
    except ValidationFailed:
        return ""


def _validate_as_table(layout: Layout, results, raws, *, employer, today, options) -> list[str]:
    """H07: the file's rows are the rows of one declaration's table; the item checks the table as a whole.
    A row's own problems are given on the row; what is about the whole table (a missing employee, the year)
    refuses the file."""
    definition = layout.definition
    table = layout.table_field
    labels = _labels(layout)
    raw = {f.name: (options or {}).get(f.name, "") for f in layout.options}
    raw[table.name] = [{k: ("" if v is None else v) for k, v in r.items()} for r in raws]
    evaluation = definition.evaluate(raw, employer=employer, today=today)
    row_messages = set()
    for field_name, problem in evaluation.row_problems:
        if field_name != table.name:
            continue
        row_messages.add(str(problem))
        if raws[problem.row - 1].get(problem.column) is None:
            continue  # the cell's own problem is said already
        results[problem.row - 1].problems.append((labels.get(problem.column, WHOLE_ROW), problem.message))
    file_errors = []
    for name, messages in evaluation.field_errors.items():
        for message in messages:
            if name == table.name and message in row_messages:
                continue
            prefix = "" if name == table.name else f"{_label_of(layout, name)}："
            file_errors.append(prefix + message)
    year = evaluation.data.get("year")
    limits = None
    if year is not None:
        try:
            limits = base_limits(base_year=year)
        except DomainError:
            limits = None
    for result, row in zip(results, raw[table.name], strict=True):
        result.subject_id_number = str(row.get("id_number") or "").strip().upper()[:18]
        result.subject_name = str(row.get("name") or "").strip()[:30]
        if result.problems:
            continue
        parsed = {c.name: c.field.parse(row.get(c.name), today=today) for c in layout.columns}
        result.subject_id_number = parsed["id_number"].number
        result.data = {c.name: c.field.dump(parsed[c.name]) for c in layout.columns}
        if limits is not None and parsed.get("wage") is not None:
            result.base = clamped_bases(base_year=year, declared_wage=parsed["wage"], limits=limits)[
                "pension"
            ]
    return file_errors


def _label_of(layout: Layout, name: str) -> str:
    for f in layout.definition.fields:
        if f.name == name:
            return str(f.label)
    return ""
