"""Items as data: the building blocks an item module declares itself with.

An item module (``h01.py`` …) builds one :class:`ItemDefinition`: its fields (type, label, required, code
table), its checks (run at submit, when a reviewer opens it and again at approval), its effect on approval,
whether it needs the counter and whether it may be auto-approved. The portal form, the review page, the
receipt and (later) the batch-import template and API schema are all derived from it.

Stored data is canonical: each field's value as the string its ``parse`` accepts back (a list of strings for
multiple choice, a list of dicts for a table), so the same ``evaluate`` runs on a form post and on a stored
declaration.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from shebao.core.errors import DomainError, ValidationFailed
from shebao.core.money import format_money
from shebao.core.period import Period
from shebao.core.validators import (
    RECENT_DATE,
    DateWindow,
    normalize_text,
    parse_amount,
    parse_date,
    parse_integer,
    parse_period,
    validate_bank_account,
    validate_id_number,
    validate_name,
    validate_phone,
)

# --- fields ----------------------------------------------------------------------------------------------

KINDS = {
    "id_number",
    "name",
    "text",
    "choice",
    "multi",
    "period",
    "amount",
    "date",
    "phone",
    "bank_account",
    "year",
    "table",
}
# The rows a table field takes from one form post (the browser sends "<name>-count").
MAX_TABLE_ROWS = 50_000
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


_CHOICES_SEEN: dict[tuple[int, str | None], list[tuple[str, str]]] = {}


def _choices(spec) -> list[tuple[str, str]]:
    """A code table as (value, label) strings in the active language. Code tables are fixed, so each is built
    once per language (a batch import asks for them on every row: translating every label each time cost more
    than checking the row)."""
    key = (id(spec), get_language())
    found = _CHOICES_SEEN.get(key)
    if found is None:
        table = spec() if callable(spec) else spec
        found = [(str(value), str(label)) for value, label in table]
        if len(_CHOICES_SEEN) < 10_000:
            _CHOICES_SEEN[key] = found
    return list(found)


@dataclass(frozen=True)
class Field:
    """One input of an item: ``kind`` says how it is parsed, shown and entered."""

    name: str
    label: Any  # lazy Chinese label
    kind: str = "text"
    required: bool = False
    choices: Any = ()  # [(value, label)] or a callable giving them (a code table)
    help: Any = ""
    max_length: int = 200
    columns: tuple[Field, ...] = ()  # for kind="table": one row's fields
    default: Any = None  # shown in an empty form
    window: DateWindow = RECENT_DATE  # kind="date": the plausible dates (core.validators.parse_date)
    lines: int = 1  # a text entered on several lines (a textarea of this many rows)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown field kind {self.kind}")

    # -- code tables --
    def choice_list(self) -> list[tuple[str, str]]:
        return _choices(self.choices)

    def choice_label(self, value: str) -> str:
        return dict(self.choice_list()).get(str(value), str(value))

    # -- entry → canonical --
    def is_empty(self, raw) -> bool:
        if raw is None:
            return True
        if isinstance(raw, (list, tuple)):
            return len([v for v in raw if v not in (None, "")]) == 0 if self.kind != "table" else not raw
        return not str(raw).strip()

    def parse(self, raw, *, today: dt.date):
        """Entered or stored value → Python value (None if empty). Raises ValidationFailed (Chinese)."""
        label = self.label  # lazy: translated only when a message needs it
        if self.is_empty(raw):
            if self.required:
                raise ValidationFailed(
                    _("%(label)s不能为空") % {"label": label}, field=self.name, code="required"
                )
            return [] if self.kind in ("multi", "table") else None
        kind = self.kind
        if kind == "id_number":
            return validate_id_number(str(raw), today=today, field=self.name)
        if kind == "name":
            return validate_name(str(raw), field=self.name)
        if kind == "text":
            if self.lines > 1:  # a textarea keeps its line breaks; each line is normalised on its own
                text = "\n".join(line for line in map(normalize_text, str(raw).splitlines()) if line)
            else:
                text = normalize_text(str(raw))
            if _CONTROL.search(text.replace("\n", " ")):
                raise ValidationFailed(
                    _("%(label)s含有不可见的控制字符") % {"label": label},
                    field=self.name,
                    code="control_char",
                )
            if len(text) > self.max_length:
                raise ValidationFailed(
                    _("%(label)s最多%(max)d个字") % {"label": label, "max": self.max_length},
                    field=self.name,
                    code="length",
                )
            return text
        if kind == "choice":
            value = normalize_text(str(raw))
            if value not in dict(self.choice_list()):
                raise ValidationFailed(
                    _("%(label)s「%(value)s」不在可选范围内") % {"label": label, "value": value[:20]},
                    field=self.name,
                    code="choice",
                )
            return value
        if kind == "multi":
            values = (
                raw if isinstance(raw, (list, tuple)) else [v for v in re.split(r"[,，、\s]+", str(raw)) if v]
            )
            allowed = self.choice_list()
            codes = dict(allowed)
            by_label = {lab: val for val, lab in allowed}
            out = []
            for v in values:
                v = normalize_text(str(v))
                v = v if v in codes else by_label.get(v, v)
                if v not in codes:
                    raise ValidationFailed(
                        _("%(label)s「%(value)s」不在可选范围内") % {"label": label, "value": v[:20]},
                        field=self.name,
                        code="choice",
                    )
                if v not in out:
                    out.append(v)
            order = [val for val, _lab in allowed]
            return sorted(out, key=order.index)
        if kind == "period":
            return Period(
                parse_period(raw if isinstance(raw, int) else str(raw), field=self.name, label=label)
            )
        if kind == "amount":
            return parse_amount(str(raw), field=self.name, label=label)
        if kind == "date":
            return parse_date(str(raw), field=self.name, label=label, window=self.window, today=today)
        if kind == "phone":
            return validate_phone(str(raw), field=self.name)
        if kind == "bank_account":
            return validate_bank_account(str(raw), field=self.name)
        if kind == "year":
            return parse_integer(str(raw), field=self.name, label=label, min_value=1900, max_value=2100)
        if kind == "table":
            return self._parse_table(raw, today=today)
        raise AssertionError(kind)

    def _parse_table(self, raw, *, today):
        if not isinstance(raw, (list, tuple)):
            raise ValidationFailed(_("%(label)s格式不正确") % {"label": str(self.label)}, field=self.name)
        rows, problems, issues = [], [], []
        for index, entry in enumerate(raw, start=1):
            entry = entry if isinstance(entry, dict) else {}
            row = {}
            for column in self.columns:
                try:
                    row[column.name] = column.parse(entry.get(column.name), today=today)
                except ValidationFailed as exc:
                    problem = RowProblem(index, column.name, exc.message)
                    problems.append(problem)
                    issues.append(
                        (f"{self.name}[{index - 1}].{column.name}", exc.code or "invalid", str(problem))
                    )
            rows.append(row)
        if problems:
            raise TableErrors(self.name, problems, issues)
        return rows

    # -- canonical form for storage --
    def dump(self, value):
        if value is None:
            return "" if self.kind not in ("multi", "table") else []
        kind = self.kind
        if kind == "id_number":
            return value.number
        if kind == "period":
            return str(value)
        if kind == "amount":
            return f"{value:.2f}"
        if kind == "date":
            return value.isoformat()
        if kind == "year":
            return str(value)
        if kind == "multi":
            return list(value)
        if kind == "table":
            return [{c.name: c.dump(row.get(c.name)) for c in self.columns} for row in value]
        return str(value)

    def display(self, stored) -> str:
        """A stored value as a person reads it (code labels, money with separators, period in 年月)."""
        if stored in (None, "", []):
            return ""
        kind = self.kind
        if kind == "choice":
            return self.choice_label(stored)
        if kind == "multi":
            return "、".join(self.choice_label(v) for v in stored)
        if kind == "amount":
            try:
                return format_money(Decimal(str(stored)))
            except ArithmeticError:
                return str(stored)
        if kind == "period":
            try:
                return Period(int(stored)).label()
            except (TypeError, ValueError):
                return str(stored)
        if kind == "table":
            return _("%(count)d行") % {"count": len(stored)}
        return str(stored)

    def raw_from_post(self, post) -> Any:
        """The entered value of this field from a QueryDict-like (form post)."""
        if self.kind == "multi":
            return post.getlist(self.name)
        if self.kind == "table":
            try:
                count = parse_integer(str(post.get(f"{self.name}-count") or "0"), min_value=0)
            except ValidationFailed:
                count = 0
            count = min(count, MAX_TABLE_ROWS)
            rows = []
            for i in range(count):
                row = {c.name: post.get(f"{self.name}-{i}-{c.name}", "") for c in self.columns}
                if any(str(v).strip() for v in row.values()):
                    rows.append(row)
            return rows
        return post.get(self.name, "")


@dataclass(frozen=True)
class RowProblem:
    """A problem with one row of a table field: row index (from 1), column name, Chinese message."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("第%(row)d行：%(message)s") % {"row": self.row, "message": self.message}


class TableErrors(ValidationFailed):
    def __init__(self, field_name: str, problems: list[RowProblem], issues: list[tuple[str, str, str]] = ()):
        self.row_problems = problems
        self.problems = [str(p) for p in problems]
        super().__init__("；".join(self.problems), field=field_name, code="rows")
        self.issues = list(issues)  # (path such as "wages[2].wage", code, message), one per problem


# --- checks ----------------------------------------------------------------------------------------------


@dataclass
class CheckResult:
    code: str
    label: str
    status: str  # "pass" / "fail" / "skip"
    messages: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status == "pass"


@dataclass(frozen=True)
class Check:
    """One automatic check: ``func(ctx)`` calls ``ctx.fail(field, message)`` for each problem and
    ``ctx.note(message)`` for information (a clamped base). It runs only when the fields it ``needs``
    parsed without error."""

    code: str
    label: Any
    func: Callable
    needs: tuple[str, ...] = ()


class CheckContext:
    """What a check sees: the parsed data, the acting employer, today and the current period, and a cache
    for record look-ups shared by the checks of one evaluation."""

    def __init__(
        self, *, definition, employer, data: dict, today: dt.date, declaration=None, cache: dict | None = None
    ):
        self.definition = definition
        self.employer = employer
        self.data = data
        self.today = today
        self.period = Period.from_date(today)
        self.declaration = declaration
        # Record look-ups keyed by what they look up, so a batch import shares one cache across its rows
        # (and pre-loads it in bulk: checks.preload).
        self.cache: dict = {} if cache is None else cache
        self._errors: list[tuple[str, str]] = []
        self._notes: list[str] = []
        self.row_problems: list[tuple[str, RowProblem]] = []

    def fail(self, field_name: str, message: str) -> None:
        self._errors.append((field_name, str(message)))

    def fail_row(self, field_name: str, row: int, column: str, message: str) -> None:
        """A problem with row `row` (from 1) of table field `field_name`, in its column `column`."""
        problem = RowProblem(row, column, str(message))
        self.row_problems.append((field_name, problem))
        self.fail(field_name, str(problem))

    def param(self, lookup: Callable, **kwargs):
        """A policy parameter (``lookup(**kwargs)``), looked up once per cache: parameters do not change
        while one declaration or one batch is checked. A missing parameter raises each time it is asked."""
        key = ("param", lookup.__qualname__, tuple(sorted(kwargs.items())))
        if key not in self.cache:
            try:
                self.cache[key] = (True, lookup(**kwargs))
            except DomainError as exc:
                self.cache[key] = (False, exc)
        found, value = self.cache[key]
        if not found:
            raise value
        return value

    def note(self, message: str) -> None:
        self._notes.append(str(message))

    def cached(self, key, compute):
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]


@dataclass
class Evaluation:
    """The outcome of parsing and checking one item's data."""

    definition: Any
    data: dict  # parsed Python values (fields that failed to parse are absent)
    stored: dict  # canonical values to store
    field_errors: dict[str, list[str]]
    results: list[CheckResult]
    flags: list[str]
    context: CheckContext | None = None
    # Every problem as (field path, machine code, Chinese message): the parse's code ("required",
    # "choice", "format"…) or the failing check's code; table cells as "wages[2].wage".
    issues: list[tuple[str, str, str]] = field(default_factory=list)
    row_problems: list[tuple[str, RowProblem]] = field(default_factory=list)  # (table field, problem)

    @property
    def ok(self) -> bool:
        return not self.field_errors

    @property
    def failed_checks(self) -> list[CheckResult]:
        return [r for r in self.results if r.status == "fail"]


# --- the item ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemDefinition:
    code: str
    fields: tuple[Field, ...]
    checks: tuple[Check, ...]
    effect: Callable  # effect(ctx: EffectContext) → None, inside the approval's transaction
    summary: Callable | None = None  # summary(stored) → one line for lists
    needs_counter: bool | Callable = False  # or needs_counter(stored) → bool
    counter_note: Any = ""  # what paper to bring
    auto_approvable: bool = False
    flags: Callable | None = None  # flags(ctx) → manual-review reasons (Chinese)
    prefill: Callable | None = None  # prefill(employer, id_number, today) → (values, notice, redirect_code)
    subject_field: str | None = "id_number"
    table_rows: Callable | None = None  # table_rows(employer, today) → initial rows of a table field
    person_fields: tuple[str, ...] = ()  # the fields whose change an auto-approval rule may restrict to
    intro: Any = ""
    # What approval made, for the progress page: outcome(declaration) → [(label, shown value)] (empty before).
    outcome: Callable | None = None
    # A printable document of the approved declaration: document(declaration) → (pdf bytes, file name) or None.
    document: Callable | None = None
    document_label: Any = ""
    # The counter's completion of an approved declaration: complete(CompleteContext) → None, in its transaction.
    complete: Callable | None = None
    # Batch import (批量导入): an importable item gets a spreadsheet template and an upload, both derived from
    # its fields (declarations.batch). One row is one declaration; for an item with a table field (H07) the
    # file's rows are that table's rows and its scalar fields (the year) are asked on the upload form.
    importable: bool = False
    # A batch row's money when the item's cost is not a monthly wage (whose figures come from
    # declarations.preview): batch_cost(check context) → (base or None, amount), from the same function as the
    # form's 试算 and the approval (H11: the back-payment quote); batch_cost_label heads its column.
    batch_cost: Callable | None = None
    batch_cost_label: Any = ""

    @property
    def item(self):
        from shebao.catalogue.items import get_item

        return get_item(self.code)

    @property
    def name(self) -> str:
        return str(self.item.name)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def counter_needed(self, stored: dict) -> bool:
        return self.needs_counter(stored) if callable(self.needs_counter) else bool(self.needs_counter)

    def raw_from_post(self, post) -> dict:
        return {f.name: f.raw_from_post(post) for f in self.fields}

    def display_rows(self, stored: dict) -> list[tuple[str, str]]:
        """(label, shown value) for each filled scalar field, in declaration order."""
        rows = []
        for f in self.fields:
            if f.kind == "table":
                continue
            shown = f.display(stored.get(f.name))
            if shown:
                rows.append((str(f.label), shown))
        return rows

    def tables(self, stored: dict) -> list[dict]:
        out = []
        for f in self.fields:
            if f.kind == "table":
                out.append(
                    {
                        "label": str(f.label),
                        "headers": [str(c.label) for c in f.columns],
                        "rows": [
                            [c.display(row.get(c.name)) for c in f.columns]
                            for row in stored.get(f.name) or []
                        ],
                    }
                )
        return out

    def summarize(self, stored: dict) -> str:
        if self.summary is not None:
            return self.summary(stored)
        parts = [stored.get("name") or "", stored.get("id_number") or ""]
        return " ".join(p for p in parts if p)

    def evaluate(
        self, raw: dict, *, employer, today: dt.date, declaration=None, cache: dict | None = None
    ) -> Evaluation:
        """Parse every field and run every check; collect every problem (nothing is written). `cache` is the
        record look-ups' cache, shared by the rows of a batch import (a fresh one otherwise)."""
        data, stored, errors, issues = {}, {}, {}, []
        row_problems: list[tuple[str, RowProblem]] = []
        for f in self.fields:
            try:
                value = f.parse(raw.get(f.name), today=today)
            except TableErrors as exc:
                errors.setdefault(f.name, []).extend(exc.problems)
                issues.extend(exc.issues)
                row_problems.extend((f.name, p) for p in exc.row_problems)
                continue
            except ValidationFailed as exc:
                errors.setdefault(exc.field or f.name, []).append(exc.message)
                issues.append((exc.field or f.name, exc.code or "invalid", exc.message))
                continue
            data[f.name] = value
            stored[f.name] = f.dump(value)
        ctx = CheckContext(
            definition=self, employer=employer, data=data, today=today, declaration=declaration, cache=cache
        )
        unparsed = set(errors)
        results = []
        for check in self.checks:
            if any(name in unparsed or data.get(name) in (None, "", []) for name in check.needs):
                results.append(CheckResult(check.code, str(check.label), "skip"))
                continue
            ctx._errors, ctx._notes = [], []
            try:
                check.func(ctx)
            except ValidationFailed as exc:
                ctx.fail(exc.field or (check.needs[0] if check.needs else "__all__"), exc.message)
            except DomainError as exc:  # a missing parameter, say
                ctx.fail(exc.field or "__all__", exc.message)
            messages = [m for _f, m in ctx._errors]
            for field_name, message in ctx._errors:
                errors.setdefault(field_name, []).append(message)
                issues.append((field_name, check.code, message))
            results.append(
                CheckResult(
                    check.code, str(check.label), "fail" if messages else "pass", messages, list(ctx._notes)
                )
            )
        flags = []
        if self.flags is not None and not errors:
            flags = [str(f) for f in self.flags(ctx)]
        row_problems.extend(ctx.row_problems)
        return Evaluation(self, data, stored, errors, results, flags, ctx, issues, row_problems)

    def raise_if_invalid(self, evaluation: Evaluation) -> None:
        from shebao.core.errors import FieldErrors

        if evaluation.field_errors:
            raise FieldErrors(evaluation.field_errors, issues=evaluation.issues)


@dataclass
class EffectContext:
    """What an effect gets: the declaration, its parsed data, the check context (with cached look-ups)
    and who approved it."""

    declaration: Any
    data: dict
    check: CheckContext
    actor: Any
    actor_label: str

    @property
    def employer(self):
        return self.declaration.employer

    @property
    def audit(self) -> dict:
        return {
            "declaration_number": self.declaration.number,
            "actor": self.actor,
            "actor_label": self.actor_label,
        }


@dataclass
class CompleteContext:
    """What a completion hook gets: the declaration (now completed), the clerk and the office's date."""

    declaration: Any
    actor: Any
    today: dt.date


def code_table(choices_class) -> Callable[[], Sequence[tuple[str, str]]]:
    """A TextChoices class as a field's code table (labels translated when shown)."""
    return lambda: [(value, str(label)) for value, label in choices_class.choices]


LABEL_ID_NUMBER = gettext_lazy("公民身份号码")
LABEL_NAME = gettext_lazy("姓名")
