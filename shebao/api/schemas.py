"""The API's shapes. Request bodies of handling items are DERIVED from the item definitions
(shebao.declarations.items): one field per item field, its type from the field's kind, its code table as an
enum, its label as the title — never written by hand per item, so a new item module gets its schema too."""

import datetime as dt
from functools import cache
from typing import Any

from django.utils import timezone
from ninja import Schema
from pydantic import ConfigDict, Field, create_model

from shebao.declarations.items import DEFINITIONS
from shebao.declarations.items.base import Field as ItemField
from shebao.declarations.items.base import ItemDefinition

Scalar = str | int | None


class FieldErrorOut(Schema):
    field: str = Field(description="字段路径，如 wage、wages[2].wage；__all__ 表示整体")
    code: str = Field(description="机器可读的错误码，如 required、choice、format，或未通过的检查编码")
    message: str = Field(description="中文说明")


class ErrorOut(Schema):
    code: str
    message: str
    errors: list[FieldErrorOut] = []


class PageMeta(Schema):
    count: int
    page: int
    pages: int
    per_page: int


# --- queries ----------------------------------------------------------------------------------------------


class ColumnOut(Schema):
    name: str
    label: str
    kind: str = Field(description="text | money(十进制字符串) | int | period(YYYYMM 整数) | date | rate")


class QueryOut(PageMeta):
    item: str
    title: str
    inputs: dict[str, str]
    columns: list[ColumnOut]
    rows: list[dict[str, Scalar]]
    totals: dict[str, Scalar] | None = None


# --- declarations -----------------------------------------------------------------------------------------


class CheckOut(Schema):
    code: str
    label: str
    status: str = Field(description="pass | fail | skip")
    messages: list[str]
    notes: list[str] = Field(description="计算结果说明，如按下限计的缴费基数")


class PreviewLineOut(Schema):
    insurance: str
    label: str
    base: str
    employer_rate: str
    individual_rate: str
    employer_amount: str
    individual_amount: str


class PreviewOut(Schema):
    period: int
    base_year: int
    declared_wage: str
    lines: list[PreviewLineOut]
    employer_total: str
    individual_total: str
    total: str


class ValidationOut(Schema):
    item: str
    ok: bool
    errors: list[FieldErrorOut]
    checks: list[CheckOut]
    flags: list[str] = Field(description="需人工核查的提示")
    data: dict[str, Any] = Field(description="规范化后的申报内容（通过的字段）")
    needs_counter: bool
    computed: PreviewOut | None = Field(
        None, description="申报工资的事项：各险种核定基数与每月单位、个人缴费（与审核通过、结算时的计算相同）"
    )


class EventOut(Schema):
    action: str
    action_label: str
    from_state: str
    to_state: str
    actor: str
    comment: str
    version: int
    at: dt.datetime


class VersionOut(Schema):
    version: int
    data: dict[str, Any]
    created_at: dt.datetime


class DeclarationOut(Schema):
    number: str
    item: str
    item_name: str
    state: str
    state_label: str
    version: int
    employer_number: str
    employer_name: str
    subject_id_number: str
    subject_name: str
    summary: str
    data: dict[str, Any]
    needs_counter: bool
    review_comment: str
    reject_reasons: list[str]
    result_unread: bool
    batch_number: str
    created_at: dt.datetime
    submitted_at: dt.datetime | None = None
    decided_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    receipt_url: str | None = None


class DeclarationDetailOut(DeclarationOut):
    events: list[EventOut]
    versions: list[VersionOut]


class ReviewDetailOut(DeclarationDetailOut):
    claimed_by: str
    checks: list[CheckOut] = Field(description="此刻对记录重新运行的自动检查")
    flags: list[str]


class DeclarationPage(PageMeta):
    results: list[DeclarationOut]


class CommentIn(Schema):
    model_config = ConfigDict(extra="forbid")
    comment: str = Field("", max_length=500)


class CertificateIn(Schema):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(
        "employer", json_schema_extra={"enum": ["employer", "persons"]}, description="单位证明或职工个人证明"
    )
    start: int = Field(description="起始期 YYYYMM")
    end: int = Field(description="截止期 YYYYMM")
    id_numbers: list[str] = Field([], max_length=1000, description="kind=persons 时的职工身份证号")


class CertificateOut(Schema):
    number: str
    kind: str
    subject: str
    start_period: int
    end_period: int
    issued_at: dt.datetime
    verify_url: str
    pdf_url: str


def local(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value) if value else None


# --- derived from the item definitions --------------------------------------------------------------------


def _code_table(f: ItemField) -> dict:
    table = f.choice_list()
    return {"enum": [value for value, _label in table], "x-code-table": dict(table)}


def _annotation(f: ItemField, prefix: str) -> tuple[Any, dict]:
    """(python type, extra JSON-schema keywords) for one item field. Types are kept permissive (strings,
    integers): the item's own parse checks the rest and reports it in Chinese with the field's name."""
    kind = f.kind
    if kind in ("choice",):
        return str | None, _code_table(f)
    if kind == "multi":
        return list[str] | None, {"items": {"type": "string", **_code_table(f)}}
    if kind == "period":
        return int | str | None, {"description_suffix": "年月 YYYYMM，如 202611"}
    if kind == "year":
        return int | str | None, {"description_suffix": "四位年份"}
    if kind == "amount":
        return str | None, {"description_suffix": '金额（十进制字符串，最多两位小数），如 "7654.32"'}
    if kind == "date":
        return str | None, {"format": "date", "description_suffix": "日期 YYYY-MM-DD"}
    if kind == "table":
        row = item_model(f.columns, f"{prefix}{f.name.title().replace('_', '')}Row", required=True)
        return list[row] | None, {}
    return str | None, {}


def item_model(fields: tuple[ItemField, ...], name: str, *, required: bool):
    """A pydantic model with one optional field per item field; `required` lists the item's required fields
    in the JSON schema (the draft model requires nothing)."""
    attrs = {}
    for f in fields:
        annotation, extra = _annotation(f, name.removesuffix("Data").removesuffix("Draft"))
        suffix = extra.pop("description_suffix", "")
        description = "；".join(p for p in (str(f.help or ""), suffix) if p)
        attrs[f.name] = (
            annotation,
            Field(
                None,
                title=str(f.label),
                description=description or None,
                json_schema_extra=extra or None,
            ),
        )
    required_names = [f.name for f in fields if f.required] if required else []

    def finish(schema: dict) -> None:
        if required_names:
            schema["required"] = required_names

    return create_model(
        name,
        __config__=ConfigDict(extra="forbid", json_schema_extra=finish),
        **attrs,
    )


@cache
def data_model(code: str):
    definition: ItemDefinition = DEFINITIONS[code]
    return item_model(definition.fields, f"{code}Data", required=True)


@cache
def draft_model(code: str):
    definition: ItemDefinition = DEFINITIONS[code]
    return item_model(definition.fields, f"{code}Draft", required=False)


def raw_from_body(body) -> dict:
    """A validated body back to the raw dict an item's `evaluate` reads (None → empty)."""
    if body is None:
        return {}
    return body.model_dump(mode="python")
