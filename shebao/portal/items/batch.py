"""批量导入 (BATCH): templates, upload, the per-row result, confirmation — declarations from a spreadsheet.

``/portal/items/BATCH/`` — the items that can be imported (each with its template) and the upload form, and the
employer's recent batches. ``?template=H01`` downloads a template (H07's comes filled with every active
employee); ``?open=<batch>`` shows a batch (its progress while the worker has it, then counts, every rejected
row and the accepted rows with their base and cost); ``?rejected=<batch>`` downloads the rejected rows.
Posting ``action`` = upload, confirm, discard or retry. The rules are in ``shebao.declarations.batch``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _

from shebao.core.errors import DomainError, FieldErrors
from shebao.declarations import clock
from shebao.declarations.batch import selectors, services
from shebao.declarations.batch.columns import importable_definitions, layout_for
from shebao.declarations.batch.reading import MAX_BYTES, MAX_ROWS
from shebao.declarations.batch.templates import XLSX_TYPE, rejected_file, template_xlsx
from shebao.declarations.batch.validation import WHOLE_ROW
from shebao.declarations.models import ImportBatch, State
from shebao.declarations.tasks import batch_confirm_task, batch_validate_task
from shebao.portal.registry import portal_item

ROWS_PER_PAGE = 100


def _url(**params) -> str:
    return reverse("portal:item", args=["BATCH"]) + ("?" + urlencode(params) if params else "")


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@portal_item("BATCH")
def batch_view(request):
    employer = request.user.employer
    if employer is None:
        raise Http404
    if request.method == "POST":
        return _post(request, employer)
    if request.GET.get("template"):
        return _template(request, employer, request.GET["template"])
    if request.GET.get("rejected"):
        return _rejected(request, employer, request.GET["rejected"])
    if request.GET.get("open"):
        return _detail(request, employer, request.GET["open"])
    return _index(request, employer)


def _items():
    return [(code, d.item.name, layout_for(code)) for code, d in importable_definitions().items()]


def _index(request, employer, *, errors=None, values=None, status=200):
    values = values or {"item": request.GET.get("item", "")}
    today = clock.today()
    items = _items()
    options = [
        (code, name, f, values.get(f.name, str(today.year) if f.kind == "year" else ""))
        for code, name, layout in items
        for f in layout.options
    ]
    context = {
        "items": items,
        "options": options,
        "batches": selectors.batches_for_employer(employer=employer),
        "errors": errors or {},
        "values": values,
        "max_rows": MAX_ROWS,
        "max_mb": MAX_BYTES // 1024 // 1024,
        "today": clock.today(),
    }
    return render(request, "portal/batch/index.html", context, status=status)


def _template(request, employer, code):
    layout = layout_for(code)
    if layout is None:
        raise Http404
    today = clock.today()
    prefill = None
    if layout.definition.table_rows is not None:
        prefill = selectors.prefill_rows(employer=employer, layout=layout, today=today)
    content = template_xlsx(layout, today=today, prefill=prefill)
    return _xlsx(content, f"{layout.code}_{layout.definition.name}_导入模板.xlsx")


def _rejected(request, employer, number):
    batch = selectors.batch_for_employer(employer=employer, number=number)
    if batch.status not in (ImportBatch.Status.VALIDATED, ImportBatch.Status.CONFIRMED):
        raise Http404
    content = rejected_file(batch=batch)
    return _xlsx(content, f"{batch.number}_未通过的行.xlsx")


def _detail(request, employer, number):
    batch = selectors.batch_for_employer(employer=employer, number=number)
    today = clock.today()
    context = {
        "batch": batch,
        "layout": layout_for(batch.item_code),
        "stale": batch.is_working and batch.updated_at <= timezone.now() - services.STALE,
        "refusal": services.confirm_refusal(batch, today=today) if batch.status == "validated" else "",
        "whole_row": WHOLE_ROW,
    }
    if request.htmx and batch.is_working and request.GET.get("poll"):
        return render(request, "portal/batch/_progress.html", context)
    if batch.status in (ImportBatch.Status.VALIDATED, ImportBatch.Status.CONFIRMED):
        rejected = Paginator(selectors.batch_rows(batch=batch, accepted=False), ROWS_PER_PAGE)
        accepted = Paginator(selectors.batch_rows(batch=batch, accepted=True), ROWS_PER_PAGE)
        context["rejected"] = rejected.get_page(request.GET.get("rpage"))
        context["accepted"] = accepted.get_page(request.GET.get("apage"))
        shown = context["accepted"].object_list
        context["with_base"] = any(r.base is not None for r in shown)
        context["with_money"] = context["with_base"] or any(r.cost is not None for r in shown)
        definition = context["layout"].definition if context["layout"] is not None else None
        context["cost_label"] = (definition and definition.batch_cost_label) or _("月缴费额(单位+个人)")
    if batch.status == ImportBatch.Status.CONFIRMED:
        counts = selectors.batch_declaration_counts(batch=batch)
        context["declaration_counts"] = [(State(s).label, n) for s, n in counts.items()]
        context["progress_url"] = (
            reverse("portal:item", args=["progress"]) + "?" + urlencode({"q": batch.number})
        )
    return render(request, "portal/batch/detail.html", context)


def _post(request, employer):
    action = request.POST.get("action")
    if action == "upload":
        return _upload(request, employer)
    batch = selectors.batch_for_employer(employer=employer, number=request.POST.get("number", ""))
    today = clock.today()
    try:
        if action == "confirm":
            batch = services.batch_confirm_now_or_later(
                batch=batch, employer=employer, actor=request.user, today=today
            )
            if batch.background:
                messages.info(request, _("正在后台提交，可离开本页，稍后在「办事进度查询」中查看。"))
            else:
                messages.success(
                    request,
                    _("已提交批次 %(number)s：%(n)d 件申报，请等待经办机构审核。")
                    % {"number": batch.number, "n": batch.processed_rows},
                )
        elif action == "discard":
            services.batch_discard(batch=batch, employer=employer)
            messages.success(
                request, _("已放弃批次 %(number)s，上传的文件和校验结果已删除。") % {"number": batch.number}
            )
            return redirect(_url())
        elif action == "retry":
            phase = services.batch_retry(batch=batch, employer=employer)
            _run(batch, phase, request.user)
            messages.info(request, _("已重新开始处理批次 %(number)s。") % {"number": batch.number})
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(_url(open=batch.number))


def _enqueue(task, *args) -> None:
    transaction.on_commit(lambda: task.enqueue(*args))


def _run(batch: ImportBatch, phase: str, user) -> None:
    """Do a phase now (a small file) or queue it for the worker (a large one)."""
    if phase == "validate":
        if batch.background:
            _enqueue(batch_validate_task, batch.pk)
        else:
            services.batch_validate(batch_id=batch.pk)
    elif phase == "confirm":
        if batch.background:
            _enqueue(batch_confirm_task, batch.pk, user.pk)
        else:
            services.batch_confirm(batch_id=batch.pk, actor=user)


def _upload(request, employer):
    code = (request.POST.get("item") or "").upper()
    values = {"item": code, **{k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken",)}}
    upload = request.FILES.get("file")
    layout = layout_for(code)
    if layout is None:
        return _index(
            request, employer, errors={"item": [_("请选择要导入的事项")]}, values=values, status=400
        )
    if upload is None:
        return _index(
            request, employer, errors={"file": [_("请选择要上传的文件")]}, values=values, status=400
        )
    if upload.size > MAX_BYTES:
        return _index(
            request,
            employer,
            errors={
                "file": [
                    _("文件大小 %(size).1f MB，超过 20 MB 的上限，请分成几个文件导入")
                    % {"size": upload.size / 1024 / 1024}
                ]
            },
            values=values,
            status=400,
        )
    today = clock.today()
    try:
        batch = services.batch_start(
            employer=employer,
            item_code=code,
            file_name=upload.name,
            content=upload.read(),
            options={f.name: request.POST.get(f.name, "") for f in layout.options},
            actor=request.user,
            today=today,
        )
    except FieldErrors as exc:
        return _index(request, employer, errors=exc.errors, values=values, status=400)
    except DomainError as exc:
        return _index(request, employer, errors={"item": [exc.message]}, values=values, status=400)
    return redirect(_url(open=batch.number))
