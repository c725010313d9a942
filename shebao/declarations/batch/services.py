"""Batch import, the writes: upload, check (validate), confirm, discard, retry, clean up; and the reviewer's
batch actions.

Life of a batch: ``batch_upload`` stores the file (status queued) → ``batch_validate`` reads and checks every
row and writes the rows as checked in one transaction (validated) → the operator confirms → ``batch_confirm``
turns every accepted row into a declaration (``declarations_submit_batch``: one per row, one batch number, one
transaction) → confirmed. Nothing is a declaration before that. Large files are validated and confirmed by the
worker (declarations.tasks); the batch's ``updated_at`` is its heartbeat and ``attempt`` makes sure only the
latest attempt writes. A worker killed mid-way has written nothing of that phase (each phase's writes are one
transaction), and the batch can be retried once its heartbeat is stale. An upload left unconfirmed is deleted
by the worker a day later (``batches_clean_abandoned``).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shebao.core.bulk import insert_rows
from shebao.core.errors import DomainError, FieldErrors, ValidationFailed

from .. import services as declaration_services
from ..models import Declaration, ImportBatch, ImportRow, State
from .columns import layout_for
from .reading import MAX_BYTES, FileRejected, read_table
from .validation import PENDING_STATES, validate_table

log = logging.getLogger(__name__)
Status = ImportBatch.Status

INLINE_MAX_BYTES = 256 * 1024  # up to about 2,000 rows: checked and confirmed while the operator waits
STALE = dt.timedelta(minutes=2)  # a background phase whose heartbeat is older than this may be retried
ABANDONED_AFTER = dt.timedelta(hours=24)  # an unconfirmed upload is removed after this
ROW_CHUNK = 2000


def _owned(batch: ImportBatch, employer) -> None:
    if batch.employer_id != employer.pk:
        raise DomainError(_("批次不存在"))


def _layout(code: str):
    layout = layout_for(code)
    if layout is None:
        raise DomainError(_("事项 %(code)s 不能批量导入") % {"code": str(code)[:8]}, field="item")
    return layout


def parse_options(layout, raw: dict, *, today: dt.date) -> dict:
    """A table item's other fields (H07: the year) from the upload form, checked by their own fields."""
    options, errors = {}, {}
    for f in layout.options:
        try:
            options[f.name] = f.dump(f.parse(raw.get(f.name), today=today))
        except ValidationFailed as exc:
            errors.setdefault(f.name, []).append(exc.message)
    if errors:
        raise FieldErrors(errors)
    return options


@transaction.atomic
def batch_upload(
    *, employer, item_code: str, file_name: str, content: bytes, options: dict, actor, today: dt.date
) -> ImportBatch:
    """Store an uploaded file as a queued batch (nothing is checked yet; see batch_validate)."""
    layout = _layout(item_code)
    if len(content) > MAX_BYTES:
        raise FieldErrors({"file": [_("文件超过 20 MB 的上限，请分成几个文件导入")]})
    if not content:
        raise FieldErrors({"file": [_("请选择要上传的文件")]})
    options = parse_options(layout, options, today=today)
    batch = ImportBatch.objects.create(
        number=f"tmp-{uuid.uuid4().hex[:20]}",
        employer=employer,
        item_code=layout.code,
        status=Status.QUEUED,
        file_name="".join(c for c in str(file_name or "") if c.isprintable())[-200:] or "upload",
        file_size=len(content),
        content=content,
        options=options,
        background=len(content) > INLINE_MAX_BYTES,
        checked_on=today,
        created_by=actor,
    )
    batch.number = f"PL{today:%Y%m%d}{batch.pk:07d}"
    ImportBatch.objects.filter(pk=batch.pk).update(number=batch.number)
    return batch


def batch_start(
    *, employer, item_code: str, file_name: str, content: bytes, options: dict, actor, today: dt.date
) -> ImportBatch:
    """Upload and set the checking going (the page's and the API's upload): a small file is checked before this
    returns, a large one is queued for the worker; the clean-up of an upload left unconfirmed is queued a day
    ahead either way."""
    from ..tasks import batch_validate_task, batches_clean_task

    with transaction.atomic():
        batch = batch_upload(
            employer=employer,
            item_code=item_code,
            file_name=file_name,
            content=content,
            options=options,
            actor=actor,
            today=today,
        )
        transaction.on_commit(
            lambda: batches_clean_task.using(
                run_after=timezone.now() + ABANDONED_AFTER + dt.timedelta(minutes=5)
            ).enqueue()
        )
        if batch.background:
            transaction.on_commit(lambda: batch_validate_task.enqueue(batch.pk))
    if not batch.background:
        return batch_validate(batch_id=batch.pk)
    return batch


def batch_confirm_now_or_later(*, batch: ImportBatch, employer, actor, today: dt.date) -> ImportBatch:
    """The operator confirms (page or API): a small batch becomes declarations before this returns, a large one
    is queued for the worker (the batch shows confirming until then)."""
    from ..tasks import batch_confirm_task

    batch = batch_confirm_start(batch=batch, employer=employer, actor=actor, today=today)
    if batch.background:
        transaction.on_commit(lambda: batch_confirm_task.enqueue(batch.pk, actor.pk))
        return batch
    return batch_confirm(batch_id=batch.pk, actor=actor)


def _claim(batch_id: int, sources: dict[str, bool], target: str) -> ImportBatch | None:
    """Move the batch to `target` if its status is one of `sources` (True: only once its heartbeat is stale);
    bump its attempt. Returns the batch, or None when another attempt has it."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().defer("content").filter(pk=batch_id).first()
        if batch is None or batch.status not in sources:
            return None
        if sources[batch.status] and batch.updated_at > timezone.now() - STALE:
            return None
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=target, attempt=F("attempt") + 1, processed_rows=0, updated_at=timezone.now()
        )
    batch.refresh_from_db()
    return batch


def batch_validate(*, batch_id: int) -> ImportBatch | None:
    """Read and check every row of a queued batch (the worker's job for a large file, the upload's for a small
    one). Not atomic as a whole on purpose: the progress is committed as it goes; the rows are written in one
    transaction at the end, and only by the latest attempt."""
    batch = _claim(batch_id, {Status.QUEUED: False, Status.VALIDATING: True}, Status.VALIDATING)
    if batch is None:
        return ImportBatch.objects.filter(pk=batch_id).first()
    attempt = batch.attempt
    started = time.perf_counter()
    layout = _layout(batch.item_code)
    mine = ImportBatch.objects.filter(pk=batch.pk, attempt=attempt, status=Status.VALIDATING)

    def progress(done: int) -> None:
        mine.update(processed_rows=done, updated_at=timezone.now())

    try:
        table = read_table(bytes(batch.content), file_name=batch.file_name)
        mine.update(total_rows=len(table.rows), updated_at=timezone.now())
        outcome = validate_table(
            layout,
            table,
            employer=batch.employer,
            today=batch.checked_on or timezone.localdate(),
            options=batch.options,
            progress=progress,
        )
    except FileRejected as exc:
        mine.update(
            status=Status.UNREADABLE, file_errors=exc.messages, total_rows=0, validated_at=timezone.now()
        )
        return ImportBatch.objects.get(pk=batch.pk)
    except Exception:  # never a half-state: say so and let the operator upload again
        log.exception("batch %s: validation failed", batch.number)
        mine.update(
            status=Status.UNREADABLE,
            file_errors=[_("处理文件时发生错误，请检查文件后重新上传；如仍不成功，请联系经办机构")],
        )
        return ImportBatch.objects.get(pk=batch.pk)

    try:
        return _write_rows(batch, attempt, outcome, started)
    except Exception:  # the rows are not written (one transaction); say so rather than fail the page
        log.exception("batch %s: writing the checked rows failed", batch.number)
        mine.update(
            status=Status.UNREADABLE,
            file_errors=[_("处理文件时发生错误，请检查文件后重新上传；如仍不成功，请联系经办机构")],
        )
        return ImportBatch.objects.get(pk=batch.pk)


def _write_rows(batch: ImportBatch, attempt: int, outcome, started: float) -> ImportBatch:
    with transaction.atomic():
        current = ImportBatch.objects.select_for_update().defer("content").get(pk=batch.pk)
        if current.attempt != attempt or current.status != Status.VALIDATING:
            return current  # a later attempt took over
        ImportRow.objects.filter(batch=current).delete()
        insert_rows(
            ImportRow,
            [
                "batch_id", "line", "cells", "data", "accepted", "problems", "notes", "flags", "base", "cost",
                "subject_id_number", "subject_name",
            ],
            (
                (
                    current.pk, r.line, r.cells, r.data, r.accepted, [list(p) for p in r.problems], r.notes,
                    r.flags, r.base, r.cost, r.subject_id_number[:18], r.subject_name[:30],
                )
                for r in outcome.rows
            ),
        )  # fmt: skip
        seconds = dict(current.seconds or {})
        seconds["validate"] = round(time.perf_counter() - started, 3)
        ImportBatch.objects.filter(pk=current.pk).update(
            status=Status.VALIDATED,
            headers=outcome.headers,
            notices=outcome.notices,
            file_errors=outcome.file_errors,
            total_rows=len(outcome.rows),
            accepted_rows=outcome.accepted,
            rejected_rows=outcome.rejected,
            processed_rows=len(outcome.rows),
            validated_at=timezone.now(),
            seconds=seconds,
            updated_at=timezone.now(),
        )
        _batch_message(
            current,
            _("批次 %(number)s 校验完成：%(ok)d 行通过，%(bad)d 行未通过")
            % {"number": current.number, "ok": outcome.accepted, "bad": outcome.rejected},
        )
    return ImportBatch.objects.get(pk=batch.pk)


def _batch_message(batch: ImportBatch, subject: str) -> None:
    """The operator who uploaded the batch finds that it finished in their message centre (inbox)."""
    if batch.created_by_id is None:
        return
    from shebao.declarations.workflow import portal_item_path
    from shebao.inbox.models import MessageKind
    from shebao.inbox.services import message_send

    link = portal_item_path("BATCH", open=batch.number)
    message_send(recipient=batch.created_by, kind=MessageKind.BATCH, subject=subject, link=link)


def confirm_refusal(batch: ImportBatch, *, today: dt.date) -> str:
    """Why this batch cannot be confirmed now ("" when it can)."""
    if batch.status != Status.VALIDATED:
        return _("批次 %(number)s 当前状态为「%(state)s」，不能提交") % {
            "number": batch.number,
            "state": batch.get_status_display(),
        }
    if batch.file_errors:
        return _("文件有整体性错误，不能提交：请改正后重新上传")
    if not batch.accepted_rows:
        return _("没有通过校验的数据行，不能提交")
    if layout_for(batch.item_code).table_field is not None and batch.rejected_rows:
        return _("本事项须整份提交：请改正全部未通过的行后重新上传")
    if batch.checked_on != today:
        return _("该批次于 %(day)s 校验，日期已变化：请重新校验后再提交") % {"day": batch.checked_on}
    return ""


def batch_confirm_start(*, batch: ImportBatch, employer, actor, today: dt.date) -> ImportBatch:
    """The operator confirms: refused with a reason, or marked confirming (the caller runs or queues
    ``batch_confirm``)."""
    _owned(batch, employer)
    refusal = confirm_refusal(batch, today=today)
    if refusal:
        raise DomainError(refusal)
    claimed = _claim(batch.pk, {Status.VALIDATED: False}, Status.CONFIRMING)
    if claimed is None:
        raise DomainError(_("批次 %(number)s 已在提交中") % {"number": batch.number})
    return claimed


def batch_confirm(*, batch_id: int, actor) -> ImportBatch:
    """Turn every accepted row of a confirming batch into a declaration, in one transaction. A refusal (a
    person got a pending declaration since the check) puts the batch back to validated with the reason."""
    started = time.perf_counter()
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.select_for_update().defer("content").get(pk=batch_id)
            if batch.status == Status.CONFIRMED:
                return batch
            if batch.status != Status.CONFIRMING:
                raise DomainError(_("批次 %(number)s 未确认提交") % {"number": batch.number})
            layout = _layout(batch.item_code)
            rows = list(
                ImportRow.objects.filter(batch=batch, accepted=True)
                .order_by("line")
                .values_list("data", "subject_id_number")
            )
            if layout.table_field is None:
                _refuse_if_pending(batch, [number for _d, number in rows if number])
                datas = [data for data, _n in rows]
            else:
                datas = [{**batch.options, layout.table_field.name: [data for data, _n in rows]}]
            made = declaration_services.declarations_submit_batch(
                employer=batch.employer,
                item_code=batch.item_code,
                rows=datas,
                batch_number=batch.number,
                actor=actor,
            )
            seconds = dict(batch.seconds or {})
            seconds["confirm"] = round(time.perf_counter() - started, 3)
            ImportBatch.objects.filter(pk=batch.pk).update(
                status=Status.CONFIRMED,
                confirmed_at=timezone.now(),
                processed_rows=made,
                content=b"",
                seconds=seconds,
                updated_at=timezone.now(),
            )
            _batch_message(
                batch,
                _("批次 %(number)s 已提交：%(n)d 件申报，等待审核") % {"number": batch.number, "n": made},
            )
    except DomainError as exc:
        ImportBatch.objects.filter(pk=batch_id, status=Status.CONFIRMING).update(
            status=Status.VALIDATED, notices=[exc.message], updated_at=timezone.now()
        )
        raise
    return ImportBatch.objects.defer("content").get(pk=batch_id)


def _refuse_if_pending(batch: ImportBatch, numbers: list[str]) -> None:
    waiting = set()
    for start in range(0, len(numbers), ROW_CHUNK):
        waiting.update(
            Declaration.objects.filter(
                item_code=batch.item_code,
                state__in=PENDING_STATES,
                subject_id_number__in=numbers[start : start + ROW_CHUNK],
            ).values_list("subject_id_number", flat=True)
        )
    if waiting:
        raise DomainError(
            _("校验后又有 %(n)d 人提交了同类申报（如 %(id)s），未提交任何申报：请重新校验")
            % {"n": len(waiting), "id": sorted(waiting)[0]}
        )


def batch_retry(*, batch: ImportBatch, employer) -> str:
    """A batch whose background work stopped (a killed worker): "validate" or "confirm" when it may be run again
    (the caller queues it), else a DomainError. Checking again also serves a batch checked on another day."""
    _owned(batch, employer)
    now = timezone.now()
    with transaction.atomic():
        current = ImportBatch.objects.select_for_update().defer("content").get(pk=batch.pk)
        stale = current.updated_at <= now - STALE
        if (
            current.status in (Status.QUEUED, Status.VALIDATING) and stale
        ) or current.status == Status.VALIDATED:
            # Back to the queue: the next attempt takes it, and a stopped earlier attempt can no longer write.
            ImportBatch.objects.filter(pk=current.pk).update(
                status=Status.QUEUED, attempt=F("attempt") + 1, updated_at=now
            )
            phase = "validate"
        elif current.status == Status.CONFIRMING and stale:
            ImportBatch.objects.filter(pk=current.pk).update(updated_at=now)
            phase = "confirm"
        elif current.is_working:
            raise DomainError(_("批次 %(number)s 正在处理中，请稍候") % {"number": current.number})
        else:
            raise DomainError(
                _("批次 %(number)s 当前状态为「%(state)s」，不能重试")
                % {"number": current.number, "state": current.get_status_display()}
            )
    return phase


@transaction.atomic
def batch_discard(*, batch: ImportBatch, employer) -> None:
    """Throw an unconfirmed upload away: the batch and its rows are deleted (nothing is left behind)."""
    _owned(batch, employer)
    current = ImportBatch.objects.select_for_update().defer("content").get(pk=batch.pk)
    if current.status in (Status.CONFIRMING, Status.CONFIRMED):
        raise DomainError(_("批次 %(number)s 已提交，不能放弃") % {"number": current.number})
    current.delete()


def batches_clean_abandoned(*, now: dt.datetime | None = None) -> int:
    """Delete every batch left unconfirmed for a day (uploads the operator walked away from, and unreadable
    files); confirmed batches stay as the record of their declarations. Returns how many were deleted."""
    cutoff = (now or timezone.now()) - ABANDONED_AFTER
    stale = ImportBatch.objects.filter(updated_at__lt=cutoff).exclude(status=Status.CONFIRMED)
    deleted = 0
    for pk in list(stale.values_list("pk", flat=True)):
        with transaction.atomic():
            batch = ImportBatch.objects.select_for_update().defer("content").filter(pk=pk).first()
            if batch is None or batch.status == Status.CONFIRMED or batch.updated_at >= cutoff:
                continue
            batch.delete()
            deleted += 1
    return deleted


# --- reviewer -----------------------------------------------------------------------------------------------


def batch_approve_clean(*, batch_number: str, actor, today: dt.date) -> tuple[int, int]:
    """Approve every declaration of the batch that is waiting, passes every check now and carries no manual
    flag (declarations_bulk_approve: each in its own transaction, rechecked). Returns (approved, left)."""
    waiting = list(
        Declaration.objects.filter(batch_number=batch_number, state=State.SUBMITTED)
        .select_related("employer")
        .order_by("id")
    ) + list(
        Declaration.objects.filter(batch_number=batch_number, state=State.IN_REVIEW, claimed_by=actor)
        .select_related("employer")
        .order_by("id")
    )
    outcomes = declaration_services.declarations_bulk_approve(declarations=waiting, actor=actor, today=today)
    approved = sum(1 for _d, ok, _m in outcomes if ok)
    return approved, len(outcomes) - approved


@transaction.atomic
def batch_row_reject(*, declaration: Declaration, actor, comment: str = "", reasons=()) -> Declaration:
    """Reject one row of a batch with a reason: claimed first if nobody has it (one action for the reviewer)."""
    if declaration.state == State.SUBMITTED:
        declaration = declaration_services.declaration_claim(declaration=declaration, actor=actor)
    return declaration_services.declaration_reject(
        declaration=declaration, actor=actor, comment=comment, reasons=reasons
    )
