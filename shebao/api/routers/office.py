"""The office side over the API (staff tokens, office process): the review queue, claim, approve, reject with
a reason, release, and completion at the counter — the same services the review workbench calls."""

import datetime as dt

from ninja import Query, Router
from pydantic import ConfigDict, Field, create_model

from shebao.declarations import clock, selectors, services
from shebao.declarations.items import DEFINITIONS
from shebao.declarations.models import State

from ..auth import require_role
from ..errors import field_error, invalid, not_found
from ..present import checks_out, declaration_detail_out, declaration_out, paginate
from ..schemas import CommentIn, DeclarationOut, DeclarationPage, ErrorOut, ReviewDetailOut

router = Router(tags=["经办机构审核"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}
REVIEWER = ("is_reviewer",)
COUNTER = ("is_clerk", "is_reviewer")

QueueParams = create_model(
    "ReviewQueueParams",
    __config__=ConfigDict(extra="ignore"),
    item=(str | None, Field(None, json_schema_extra={"enum": list(DEFINITIONS)}, description="事项编码")),
    employer=(str | None, Field(None, max_length=60, description="单位编号或名称")),
    state=(str | None, Field(None, json_schema_extra={"enum": list(State.values)}, description="状态")),
    date_from=(dt.date | None, Field(None, description="申报日期起")),
    date_to=(dt.date | None, Field(None, description="申报日期止")),
    mine=(bool, Field(False, description="只看本人认领的")),
    page=(int, Field(1, ge=1, le=1_000_000)),
    per_page=(int, Field(50, ge=1, le=200)),
)


class RejectIn(CommentIn):
    model_config = ConfigDict(extra="forbid")
    reasons: list[str] = Field(
        [],
        max_length=20,
        json_schema_extra={"items": {"type": "string", "enum": list(services.REJECT_REASON_LABELS)}},
        description="标准退回原因（可选）",
    )


def _declaration(request, number: str):
    declaration = selectors.declaration_for_office(number=number)
    if declaration.state == State.DRAFT:
        raise not_found()
    request.api_object = declaration.number
    request.api_item = declaration.item_code
    return declaration


def _fresh(number: str) -> dict:
    return declaration_out(selectors.declaration_for_office(number=number), with_receipt=False)


@router.get(
    "/declarations",
    response={200: DeclarationPage, **ERRORS},
    summary="审核队列（最早的在前）",
    operation_id="review_queue",
)
def review_queue(request, params: Query[QueueParams]):
    require_role(request, *REVIEWER)
    item = (params.item or "").upper()
    state = params.state or ""
    errors = []
    if item and item not in DEFINITIONS:
        errors.append(field_error("item", "choice", f"事项「{item[:10]}」不在可选范围内"))
    if state and (state not in State.values or state == State.DRAFT):
        errors.append(field_error("state", "choice", f"状态「{state[:20]}」不在可选范围内"))
    if errors:
        raise invalid(errors)
    qs = selectors.review_queue(
        item_code=item,
        employer_query=(params.employer or "")[:60],
        state=state,
        date_from=params.date_from,
        date_to=params.date_to,
        mine_user=request.auth.user if params.mine else None,
    )
    rows, meta = paginate(qs, page=params.page, per_page=params.per_page)
    return {**meta, "results": [declaration_out(d, with_receipt=False) for d in rows]}


@router.get(
    "/declarations/{number}",
    response={200: ReviewDetailOut, **ERRORS},
    summary="申报详情与此刻的自动检查结果",
    operation_id="review_get",
)
def review_get(request, number: str):
    require_role(request, *COUNTER)
    declaration = _declaration(request, number)
    evaluation = services.review_evaluation(declaration, today=clock.today())
    return declaration_detail_out(declaration, with_receipt=False) | {
        "claimed_by": declaration.claimed_by.label if declaration.claimed_by_id else "",
        "checks": checks_out(evaluation),
        "flags": evaluation.flags,
    }


@router.post(
    "/declarations/{number}/claim",
    response={200: DeclarationOut, **ERRORS},
    summary="认领",
    operation_id="review_claim",
)
def review_claim(request, number: str):
    require_role(request, *REVIEWER)
    declaration = _declaration(request, number)
    services.declaration_claim(declaration=declaration, actor=request.auth.user)
    return _fresh(declaration.number)


@router.post(
    "/declarations/{number}/release",
    response={200: DeclarationOut, **ERRORS},
    summary="释放（退回队列）",
    operation_id="review_release",
)
def review_release(request, number: str, body: CommentIn):
    require_role(request, *REVIEWER)
    declaration = _declaration(request, number)
    services.declaration_release(declaration=declaration, actor=request.auth.user, comment=body.comment)
    return _fresh(declaration.number)


@router.post(
    "/declarations/{number}/approve",
    response={200: DeclarationOut, **ERRORS},
    summary="审核通过（须先认领；生效并办结或转窗口）",
    operation_id="review_approve",
)
def review_approve(request, number: str, body: CommentIn):
    require_role(request, *REVIEWER)
    declaration = _declaration(request, number)
    services.declaration_approve(
        declaration=declaration, actor=request.auth.user, today=clock.today(), comment=body.comment
    )
    return _fresh(declaration.number)


@router.post(
    "/declarations/{number}/reject",
    response={200: DeclarationOut, **ERRORS},
    summary="审核不通过（须填写原因）",
    operation_id="review_reject",
)
def review_reject(request, number: str, body: RejectIn):
    require_role(request, *REVIEWER)
    declaration = _declaration(request, number)
    unknown = [r for r in body.reasons if r not in services.REJECT_REASON_LABELS]
    if unknown:
        raise invalid([field_error("reasons", "choice", f"退回原因「{unknown[0][:20]}」不在可选范围内")])
    services.declaration_reject(
        declaration=declaration, actor=request.auth.user, comment=body.comment, reasons=body.reasons
    )
    return _fresh(declaration.number)


@router.post(
    "/declarations/{number}/complete",
    response={200: DeclarationOut, **ERRORS},
    summary="窗口办结（核对纸质材料后）",
    operation_id="review_complete",
)
def review_complete(request, number: str, body: CommentIn):
    require_role(request, *COUNTER)
    declaration = _declaration(request, number)
    services.declaration_complete(declaration=declaration, actor=request.auth.user, comment=body.comment)
    return _fresh(declaration.number)
