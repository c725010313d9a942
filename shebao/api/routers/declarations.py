"""Handling items and the progress query. Every handling item in the registry
(shebao.declarations.items) gets validate / draft / submit / resubmit endpoints whose request body is derived
from its definition; the rest (list, get, withdraw, revise, receipt) are shared. All of them call
shebao.declarations.services / selectors, as the pages do."""

import datetime as dt
import re

from django.db import IntegrityError
from ninja import Header, Query, Router, Status
from pydantic import ConfigDict, Field, create_model

from shebao.accounts.middleware import client_ip
from shebao.accounts.services import LookupLimited, identity_lookup_record
from shebao.catalogue.items import PROGRESS
from shebao.core.pdf import pdf_response
from shebao.declarations import clock, selectors, services
from shebao.declarations.items import DEFINITIONS
from shebao.declarations.models import State
from shebao.declarations.preview import evaluation_preview
from shebao.declarations.receipts import receipt_pdf

from ..auth import require_item
from ..errors import ApiError, field_error, invalid, not_found
from ..present import checks_out, declaration_detail_out, declaration_out, issues_out, money_strings, paginate
from ..schemas import (
    CommentIn,
    DeclarationDetailOut,
    DeclarationOut,
    DeclarationPage,
    ErrorOut,
    ValidationOut,
    data_model,
    draft_model,
    raw_from_body,
)

router = Router(tags=["业务经办"])
progress = Router(tags=["办事进度"])

PDF_RESPONSE = {
    "responses": {
        "200": {
            "description": "PDF 文件",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}
_KEY = re.compile(r"^[\x21-\x7e]{1,64}$")
IDEMPOTENCY = Header(
    None,
    alias="Idempotency-Key",
    description="幂等键（1–64 个可见 ASCII 字符）：同一单位同一键只生成一笔申报，重发得到同一结果",
)


def _key(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not _KEY.match(value):
        raise invalid([field_error("Idempotency-Key", "format", "幂等键应为 1–64 个可见 ASCII 字符")])
    return value


def _employer(request):
    return request.auth.employer


def _own(request, number: str, *, code: str | None = None):
    """The token's employer's declaration `number` (another employer's is 404, as on the pages)."""
    declaration = selectors.declaration_for_employer(employer=_employer(request), number=number)
    if code is not None and declaration.item_code != code:
        raise not_found()
    request.api_object = declaration.number
    return declaration


def _replay_check(request, declaration, code: str) -> None:
    if getattr(declaration, "replayed", False) and declaration.item_code != code:
        raise ApiError(409, "idempotency_conflict", "该幂等键已用于另一事项的申报")


def _identity_lookup(request, code: str, id_number: str) -> None:
    """A validate call of an item whose page can look a person up by ID number (H01, H02) answers what that
    look-up answers (whether the number is registered, whose name it is): recorded and limited like the
    pages' look-ups (accounts.services.identity_lookup_record); over the limit, 429 without an answer."""
    try:
        identity_lookup_record(
            user=request.auth.user, item_code=code, id_number=id_number, ip=client_ip(request)
        )
    except LookupLimited as exc:
        request.api_outcome = "lookup_limited"
        raise ApiError(429, "lookup_limited", exc.message) from exc


def _register(code: str) -> None:
    definition = DEFINITIONS[code]
    name = f"{code} {definition.name}"
    data = data_model(code)
    draft = draft_model(code)

    def validate(request, body: data):
        require_item(request, code)
        raw = raw_from_body(body)
        if definition.prefill is not None and str(raw.get("id_number") or "").strip():
            _identity_lookup(request, code, str(raw["id_number"]))
        evaluation = definition.evaluate(raw, employer=_employer(request), today=clock.today())
        return {
            "item": code,
            "ok": evaluation.ok,
            "errors": issues_out(evaluation.issues),
            "checks": checks_out(evaluation),
            "flags": evaluation.flags,
            "data": evaluation.stored,
            "needs_counter": definition.counter_needed(evaluation.stored) if evaluation.ok else False,
            "computed": money_strings(evaluation_preview(evaluation, employer=_employer(request))),
        }

    def save_draft(request, body: draft, idempotency_key: str | None = IDEMPOTENCY):
        require_item(request, code)
        key = _key(idempotency_key)
        kwargs = {
            "employer": _employer(request),
            "item_code": code,
            "raw": raw_from_body(body),
            "actor": request.auth.user,
            "idempotency_key": key,
        }
        try:
            saved = services.declaration_save_draft(**kwargs)
        except IntegrityError:  # the same key at the same moment: the other request made it
            saved = services.declaration_save_draft(**kwargs)
        if saved.item_code != code:
            raise ApiError(409, "idempotency_conflict", "该幂等键已用于另一事项的申报")
        request.api_object = saved.number
        return Status(201, declaration_out(saved))

    def submit(request, body: data, idempotency_key: str | None = IDEMPOTENCY):
        require_item(request, code)
        submitted = services.declaration_submit(
            employer=_employer(request),
            item_code=code,
            raw=raw_from_body(body),
            actor=request.auth.user,
            today=clock.today(),
            idempotency_key=_key(idempotency_key),
        )
        _replay_check(request, submitted, code)
        request.api_object = submitted.number
        return Status(201, declaration_out(submitted))

    def submit_existing(request, number: str, body: data, idempotency_key: str | None = IDEMPOTENCY):
        require_item(request, code)
        declaration = _own(request, number, code=code)
        if declaration.state not in (State.DRAFT, State.REJECTED) and not idempotency_key:
            raise ApiError(
                409,
                "state",
                f"申报 {declaration.number} 当前状态为「{State(declaration.state).label}」，不能申报",
            )
        submitted = services.declaration_submit(
            employer=_employer(request),
            item_code=code,
            raw=raw_from_body(body),
            actor=request.auth.user,
            today=clock.today(),
            declaration=declaration,
            idempotency_key=_key(idempotency_key),
        )
        _replay_check(request, submitted, code)
        return Status(200, declaration_out(submitted))

    slug = code.lower()
    for func, suffix in ((validate, "validate"), (save_draft, "draft"), (submit, "submit")):
        func.__name__ = f"{slug}_{suffix}"
    submit_existing.__name__ = f"{slug}_submit_existing"
    router.post(
        f"/{code}/validate",
        response={200: ValidationOut, **ERRORS},
        summary=f"{name}：校验（不保存）",
        description="按事项定义逐项校验并运行全部自动检查，返回每个字段错误与计算结果（如按上下限计的基数）。"
        + (
            "按身份证号码核对人员信息，与页面查询一样记录并限次（每位经办人、每个单位），超出时 429。"
            if definition.prefill is not None
            else ""
        ),
        operation_id=f"{slug}_validate",
    )(validate)
    router.post(
        f"/{code}/drafts",
        response={201: DeclarationOut, **ERRORS},
        summary=f"{name}：保存草稿",
        description="保存为草稿（不校验、不提交审核），可带 Idempotency-Key。",
        operation_id=f"{slug}_draft",
    )(save_draft)
    router.post(
        f"/{code}/declarations",
        response={201: DeclarationOut, **ERRORS},
        summary=f"{name}：申报",
        description="校验并提交审核；有错误时 422 列出每个字段。带 Idempotency-Key 重发只生成一笔申报。",
        operation_id=f"{slug}_submit",
    )(submit)
    router.post(
        f"/{code}/declarations/{{number}}/submit",
        response={200: DeclarationOut, **ERRORS},
        summary=f"{name}：申报草稿 / 修改后重新申报",
        description="提交一份草稿，或以新内容重新申报审核不通过的申报（新版本）。",
        operation_id=f"{slug}_submit_existing",
    )(submit_existing)


for _code in DEFINITIONS:
    _register(_code)


# --- the progress query (办事进度查询) ---------------------------------------------------------------------

ListParams = create_model(
    "DeclarationListParams",
    __config__=ConfigDict(extra="ignore"),
    item=(str | None, Field(None, json_schema_extra={"enum": list(DEFINITIONS)}, description="事项编码")),
    state=(str | None, Field(None, json_schema_extra={"enum": list(State.values)}, description="状态")),
    date_from=(dt.date | None, Field(None, description="创建日期起 YYYY-MM-DD")),
    date_to=(dt.date | None, Field(None, description="创建日期止 YYYY-MM-DD")),
    q=(str | None, Field(None, max_length=30, description="申报流水号、身份证号或姓名")),
    page=(int, Field(1, ge=1, le=1_000_000)),
    per_page=(int, Field(50, ge=1, le=200)),
)


@progress.get(
    "",
    response={200: DeclarationPage, **ERRORS},
    summary="办事进度查询：申报列表",
    operation_id="declarations_list",
)
def declarations_list(request, params: Query[ListParams]):
    require_item(request, PROGRESS)
    item = (params.item or "").upper()
    state = params.state or ""
    errors = []
    if item and item not in DEFINITIONS:
        errors.append(field_error("item", "choice", f"事项「{item[:10]}」不在可选范围内"))
    if state and state not in State.values:
        errors.append(field_error("state", "choice", f"状态「{state[:20]}」不在可选范围内"))
    if errors:
        raise invalid(errors)
    qs = selectors.declarations_for_employer(
        employer=_employer(request),
        item_code=item,
        state=state,
        date_from=params.date_from,
        date_to=params.date_to,
        search=(params.q or "").strip()[:30],
    ).select_related("employer")
    rows, meta = paginate(qs, page=params.page, per_page=params.per_page)
    return {**meta, "results": [declaration_out(d) for d in rows]}


@progress.get(
    "/{number}",
    response={200: DeclarationDetailOut, **ERRORS},
    summary="办事进度查询：申报详情（含每一步与各版本）",
    operation_id="declaration_get",
)
def declaration_get(request, number: str):
    require_item(request, PROGRESS)
    declaration = _own(request, number)
    services.declaration_mark_read(declaration=declaration, employer=_employer(request))
    return declaration_detail_out(declaration)


@progress.post(
    "/{number}/withdraw",
    response={200: DeclarationOut, **ERRORS},
    summary="撤回（审核前）",
    operation_id="declaration_withdraw",
)
def declaration_withdraw(request, number: str, body: CommentIn):
    require_item(request, PROGRESS)
    declaration = _own(request, number)
    row = services.declaration_withdraw(
        declaration=declaration, employer=_employer(request), actor=request.auth.user, comment=body.comment
    )
    return declaration_out(selectors.declaration_for_employer(employer=_employer(request), number=row.number))


@progress.post(
    "/{number}/revise",
    response={200: DeclarationOut, **ERRORS},
    summary="审核不通过的申报退回草稿箱修改",
    operation_id="declaration_revise",
)
def declaration_revise(request, number: str):
    declaration = _own(request, number)
    require_item(request, declaration.item_code)
    row = services.declaration_edit(
        declaration=declaration, employer=_employer(request), actor=request.auth.user
    )
    return declaration_out(selectors.declaration_for_employer(employer=_employer(request), number=row.number))


@progress.get(
    "/{number}/receipt",
    response=ERRORS,
    summary="申报回执 PDF",
    operation_id="declaration_receipt",
    url_name="declaration_receipt",
    openapi_extra=PDF_RESPONSE,
)
def declaration_receipt(request, number: str):
    require_item(request, PROGRESS)
    declaration = _own(request, number)
    if declaration.state == State.DRAFT:
        raise not_found("草稿没有回执。")
    return pdf_response(receipt_pdf(declaration), f"申报回执_{declaration.number}.pdf")
