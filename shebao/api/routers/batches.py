"""Batch import (批量导入) over the API: upload a spreadsheet, follow its checking, read every row's result,
download the rejected rows, confirm. The same services as the portal's BATCH page
(shebao.declarations.batch); a token needs the BATCH item and the imported item on its scope."""

from django.http import HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from ninja import File, Form, Query, Router, Status, UploadedFile
from pydantic import BaseModel, ConfigDict, Field

from shebao.catalogue.items import BATCH
from shebao.core.errors import DomainError
from shebao.declarations import clock
from shebao.declarations.batch import selectors, services
from shebao.declarations.batch.columns import importable_definitions, layout_for
from shebao.declarations.batch.reading import MAX_BYTES
from shebao.declarations.batch.templates import XLSX_TYPE, rejected_file, template_xlsx
from shebao.declarations.models import ImportBatch

from ..auth import require_item
from ..errors import ApiError, field_error, invalid, not_found
from ..present import money_strings, paginate
from ..schemas import BatchOut, BatchRowPage, ErrorOut, local

router = Router(tags=["批量导入"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}
Status_ = ImportBatch.Status
READY = (Status_.VALIDATED, Status_.CONFIRMED)
XLSX_RESPONSE = {
    "responses": {
        "200": {
            "description": "xlsx 文件：原有各列加「错误原因」列，改正后可直接上传",
            "content": {XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


ITEM = Form(
    ...,
    max_length=8,
    description="可批量导入的事项编码：" + "、".join(importable_definitions()),
)
FILE = File(..., description="xlsx、xls 或 csv（UTF-8 或 GBK）")
YEAR = Form("", max_length=8, description="H07 的基数年度，如 2026")


def _employer(request):
    return request.auth.employer


def _own(request, number: str) -> ImportBatch:
    require_item(request, BATCH)
    batch = selectors.batch_for_employer(employer=_employer(request), number=number)
    require_item(request, batch.item_code)
    request.api_object = batch.number
    return batch


def batch_out(batch: ImportBatch) -> dict:
    definition = importable_definitions().get(batch.item_code)
    refusal = (
        "" if batch.status == Status_.CONFIRMED else services.confirm_refusal(batch, today=clock.today())
    )
    return {
        "number": batch.number,
        "item": batch.item_code,
        "item_name": definition.name if definition else batch.item_code,
        "status": batch.status,
        "status_label": str(batch.get_status_display()),
        "file_name": batch.file_name,
        "total_rows": batch.total_rows,
        "accepted_rows": batch.accepted_rows,
        "rejected_rows": batch.rejected_rows,
        "processed_rows": batch.processed_rows,
        "background": batch.background,
        "options": dict(batch.options or {}),
        "notices": [str(n) for n in batch.notices or []],
        "file_errors": [str(e) for e in batch.file_errors or []],
        "confirm_refusal": refusal,
        "created_at": local(batch.created_at),
        "validated_at": local(batch.validated_at),
        "confirmed_at": local(batch.confirmed_at),
        "rows_url": reverse("api-1:batch_rows", args=[batch.number]),
        "rejected_url": reverse("api-1:batch_rejected", args=[batch.number])
        if batch.status in READY and batch.rejected_rows
        else None,
    }


@router.get(
    "/templates/{item}",
    response=ERRORS,
    summary="下载导入模板（xlsx；H07 预填全部在职职工）",
    operation_id="batch_template",
    openapi_extra={
        "responses": {
            "200": {
                "description": "xlsx 模板：中文表头、必填列标 *、填写说明、代码列下拉",
                "content": {XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def batch_template(request, item: str):
    require_item(request, BATCH)
    layout = layout_for("".join(c for c in item if c.isalnum())[:8])
    if layout is None:
        raise not_found("该事项不能批量导入。")
    require_item(request, layout.code)
    today = clock.today()
    prefill = None
    if layout.definition.table_rows is not None:
        prefill = selectors.prefill_rows(employer=_employer(request), layout=layout, today=today)
    return _xlsx(
        template_xlsx(layout, today=today, prefill=prefill),
        f"{layout.code}_{layout.definition.name}_导入模板.xlsx",
    )


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@router.post(
    "",
    response={201: BatchOut, **ERRORS},
    summary="上传文件（xlsx、xls 或 csv），逐行校验",
    description=(
        "item 为可批量导入的事项编码；H07 另带 year（基数年度）。不超过 20 MB、50,000 行。"
        "小文件在应答前校验完毕（status=validated）；大文件由后台校验（status=queued/validating），"
        "按批次号查询进度。校验不提交任何申报，确认提交后才生成申报。"
    ),
    operation_id="batch_upload",
)
def batch_upload(request, item: str = ITEM, file: UploadedFile = FILE, year: str = YEAR):
    require_item(request, BATCH)
    code = "".join(c for c in str(item) if c.isalnum()).upper()[:8]
    layout = layout_for(code)
    if layout is None:
        raise invalid([field_error("item", "choice", f"事项「{code}」不能批量导入")])
    require_item(request, code)
    if file.size > MAX_BYTES:
        raise invalid([field_error("file", "too_large", "文件超过 20 MB 的上限，请分成几个文件导入")])
    batch = services.batch_start(
        employer=_employer(request),
        item_code=code,
        file_name=file.name or "upload",
        content=file.read(),
        options={"year": year} if any(f.name == "year" for f in layout.options) else {},
        actor=request.auth.user,
        today=clock.today(),
    )
    request.api_object = batch.number
    return Status(
        201, batch_out(selectors.batch_for_employer(employer=_employer(request), number=batch.number))
    )


@router.get(
    "/{number}", response={200: BatchOut, **ERRORS}, summary="批次状态与校验结果", operation_id="batch_get"
)
def batch_get(request, number: str):
    return batch_out(_own(request, number))


class RowParams(BaseModel):
    model_config = ConfigDict(extra="ignore")
    accepted: bool | None = Field(None, description="true 只列通过的行，false 只列未通过的行")
    page: int = Field(1, ge=1, le=1_000_000)
    per_page: int = Field(50, ge=1, le=200)


@router.get(
    "/{number}/rows",
    response={200: BatchRowPage, **ERRORS},
    summary="逐行结果：未通过的原因（列与中文说明）、通过行的核定基数和缴费额",
    operation_id="batch_rows",
    url_name="batch_rows",
)
def batch_rows(request, number: str, params: Query[RowParams]):
    batch = _own(request, number)
    if batch.status not in READY:
        raise ApiError(
            409, "state", f"批次 {batch.number} 当前状态为「{batch.get_status_display()}」，尚无逐行结果"
        )
    rows, meta = paginate(
        selectors.batch_rows(batch=batch, accepted=params.accepted),
        page=params.page,
        per_page=params.per_page,
    )
    return {
        **meta,
        "results": [
            {
                "line": r.line,
                "accepted": r.accepted,
                "subject_id_number": r.subject_id_number,
                "subject_name": r.subject_name,
                "problems": [{"column": str(c), "message": str(m)} for c, m in r.problems or []],
                "notes": [str(n) for n in r.notes or []],
                "flags": [str(f) for f in r.flags or []],
                "base": money_strings(r.base),
                "cost": money_strings(r.cost),
            }
            for r in rows
        ],
    }


@router.get(
    "/{number}/rejected",
    response=ERRORS,
    summary="下载未通过的行（xlsx，改正后可直接上传）",
    operation_id="batch_rejected",
    url_name="batch_rejected",
    openapi_extra=XLSX_RESPONSE,
)
def batch_rejected(request, number: str):
    batch = _own(request, number)
    if batch.status not in READY:
        raise not_found("该批次尚未校验完毕。")
    return _xlsx(rejected_file(batch=batch), f"{batch.number}_未通过的行.xlsx")


@router.post(
    "/{number}/confirm",
    response={200: BatchOut, **ERRORS},
    summary="确认提交：通过校验的行生成申报（每行一件，同一批次号，一个事务）",
    description="大批次由后台提交（status=confirming），按批次号查询；申报随后在办事进度查询中按批次号可查。",
    operation_id="batch_confirm",
)
def batch_confirm(request, number: str):
    batch = _own(request, number)
    try:
        batch = services.batch_confirm_now_or_later(
            batch=batch, employer=_employer(request), actor=request.auth.user, today=clock.today()
        )
    except DomainError as exc:
        raise ApiError(409, "refused", exc.message) from None
    return batch_out(selectors.batch_for_employer(employer=_employer(request), number=batch.number))
