"""审核工作台: the review queue, one declaration's review page, the counter's completion, auto-approval rules.

Every write goes through ``shebao.declarations.services``; a move refused by the state machine (another
reviewer got there first) comes back as a message on the page, never an error page.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from shebao.accounts.permissions import office_role_required
from shebao.catalogue.items import get_item
from shebao.core.errors import DomainError, FieldErrors, ValidationFailed
from shebao.core.replica import replica_reads
from shebao.core.validators import ANY_DATE, parse_date
from shebao.declarations import clock, selectors, services
from shebao.declarations.batch import selectors as batch_selectors
from shebao.declarations.batch import services as batch_services
from shebao.declarations.items import DEFINITIONS, definition_for
from shebao.declarations.models import AutoApprovalRule, Declaration, State
from shebao.declarations.tasks import batch_approve_task
from shebao.declarations.workflow import ACTION_LABELS
from shebao.persons.models import ContributionBase, Employment, Person

PAGE_SIZE = 50
REVIEWER = ("is_reviewer",)
COUNTER = ("is_clerk", "is_reviewer")


def _date(value) -> dt.date | None:
    """A filter date as typed (core.validators.parse_date, any plausible day); bad or empty: no filter."""
    try:
        return parse_date(value or "", window=ANY_DATE)
    except ValidationFailed:
        return None


def _filters(source) -> dict:
    item = (source.get("item") or "").upper()
    state = source.get("state") or ""
    return {
        "item": item if item in DEFINITIONS else "",
        "employer": (source.get("employer") or "").strip()[:50],
        "state": state if state in State.values and state != State.DRAFT else "",
        "from": source.get("from") or "",
        "to": source.get("to") or "",
        "mine": source.get("mine") == "1",
    }


def _queue(filters, user, *, singles_only=False):
    return selectors.review_queue(
        singles_only=singles_only,
        item_code=filters["item"],
        employer_query=filters["employer"],
        state=filters["state"],
        date_from=_date(filters["from"]),
        date_to=_date(filters["to"]),
        mine_user=user if filters["mine"] else None,
    )


@replica_reads  # a look-up: may read the read replica
@office_role_required(*REVIEWER)
def queue(request):
    filters = _filters(request.POST if request.method == "POST" else request.GET)
    if request.method == "POST":
        return _queue_action(request, filters)
    # Batch imports are one line each (their own page); the default queue lists the single declarations.
    batches_apart = not filters["state"] and not filters["mine"]
    page = Paginator(_queue(filters, request.user, singles_only=batches_apart), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = []
    for d in page.object_list:
        definition = definition_for(d.item_code)
        rows.append(
            {
                "d": d,
                "item": get_item(d.item_code),
                "summary": definition.summarize(d.data) if definition else "",
            }
        )
    counts = selectors.queue_counts()
    context = {
        "rows": rows,
        "page": page,
        "batches": (
            batch_selectors.review_batches(item_code=filters["item"], employer_query=filters["employer"])
            if batches_apart
            else []
        ),
        "filters": filters,
        "query": urlencode({k: v for k, v in request.GET.items() if k != "page" and v}),
        "items": [(code, d.item.name, counts["per_item"].get(code, 0)) for code, d in DEFINITIONS.items()],
        "per_day": counts["per_day"],
        "states": [
            (value, label, counts["per_state"].get(value, 0))
            for value, label in State.choices
            if value != State.DRAFT
        ],
    }
    return render(request, "office/review/queue.html", context)


def _queue_action(request, filters):
    action = request.POST.get("action")
    back = reverse("office:review") + "?" + urlencode({k: v for k, v in filters.items() if v and k != "mine"})
    if action == "take_next":
        employer_id = None
        if filters["employer"]:
            employer_id = (
                Declaration.objects.filter(employer__number=filters["employer"])
                .values_list("employer_id", flat=True)
                .first()
            )
        taken = services.declaration_take_next(
            actor=request.user, item_code=filters["item"], employer_id=employer_id
        )
        if taken is None:
            messages.info(request, _("队列中没有待审核的申报"))
            return redirect(back)
        return redirect("office:review_detail", number=taken.number)
    if action == "bulk_approve":
        numbers = request.POST.getlist("selected")[:200]
        chosen = list(
            Declaration.objects.filter(number__in=numbers).select_related("employer").order_by("submitted_at")
        )
        if not chosen:
            messages.error(request, _("请先勾选要批量审核通过的申报"))
            return redirect(back)
        outcomes = services.declarations_bulk_approve(
            declarations=chosen, actor=request.user, today=clock.today()
        )
        approved = [d.number for d, ok, _m in outcomes if ok]
        if approved:
            messages.success(
                request,
                _("已审核通过 %(n)d 件：%(list)s") % {"n": len(approved), "list": "、".join(approved)},
            )
        for d, ok, message in outcomes:
            if not ok:
                messages.error(request, f"{d.number}：{message}")
        return redirect(back)
    messages.error(request, _("未知操作"))
    return redirect(back)


def _say(request, exc: DomainError) -> None:
    """A refused action as messages: each field's message of FieldErrors, else the error's own."""
    found = (
        [m for msgs in exc.errors.values() for m in msgs] if isinstance(exc, FieldErrors) else [exc.message]
    )
    for message in found:
        messages.error(request, message)


def _person_record(declaration: Declaration):
    if not declaration.subject_id_number:
        return None
    person = Person.objects.filter(id_number=declaration.subject_id_number).first()
    if person is None:
        return {"person": None}
    employments = list(
        Employment.objects.filter(person=person)
        .select_related("employer")
        .prefetch_related("coverages")
        .order_by("-start_period")[:10]
    )
    rows = []
    for e in employments:
        rows.append(
            {
                "e": e,
                "coverages": "、".join(
                    f"{c.get_insurance_display()}({c.start_period}–{c.stop_period or ''})"
                    for c in e.coverages.all()
                ),
            }
        )
    base = (
        ContributionBase.objects.filter(person=person)
        .select_related("employer")
        .order_by("-start_period")
        .first()
    )
    return {"person": person, "employments": rows, "base": base}


def _detail_context(request, declaration: Declaration) -> dict:
    definition = definition_for(declaration.item_code)
    evaluation = services.review_evaluation(declaration, today=clock.today()) if definition else None
    events = [
        {
            "e": e,
            "action": ACTION_LABELS.get(e.action, e.action),
            "from": State(e.from_state).label if e.from_state else "",
            "to": State(e.to_state).label,
        }
        for e in declaration.events.order_by("at", "id")
    ]
    mine = declaration.state == State.IN_REVIEW and declaration.claimed_by_id == request.user.pk
    return {
        "d": declaration,
        "item": get_item(declaration.item_code),
        "definition": definition,
        "rows": definition.display_rows(declaration.data) if definition else [],
        "tables": definition.tables(declaration.data) if definition else [],
        "outcome": definition.outcome(declaration) if definition and definition.outcome else [],
        "evaluation": evaluation,
        "all_passed": evaluation is not None and evaluation.ok,
        "record": _person_record(declaration),
        "employer": declaration.employer,
        "earlier": selectors.earlier_declarations(declaration),
        "events": events,
        "can_claim": declaration.state == State.SUBMITTED and request.user.is_reviewer,
        "can_decide": mine,
        "can_complete": declaration.state == State.AWAITING_COUNTER,
        "claimed_by_other": declaration.state == State.IN_REVIEW and not mine,
        "reject_reasons": services.STANDARD_REJECT_REASONS,
        "versions": list(declaration.versions.order_by("-version")),
    }


@office_role_required(*COUNTER)
def detail(request, number: str):
    declaration = selectors.declaration_for_office(number=number)
    if declaration.state == State.DRAFT:
        raise Http404
    if request.method == "POST":
        return _decide(request, declaration)
    return render(request, "office/review/detail.html", _detail_context(request, declaration))


def _decide(request, declaration: Declaration):
    action = request.POST.get("action")
    user = request.user
    here = reverse("office:review_detail", args=[declaration.number])
    comment = (request.POST.get("comment") or "").strip()[:500]
    try:
        if action == "complete":
            services.declaration_complete(
                declaration=declaration, actor=user, comment=comment, today=clock.today()
            )
            messages.success(request, _("申报 %(number)s 已窗口办结") % {"number": declaration.number})
            return redirect(here)
        if not user.is_reviewer:
            raise DomainError(_("只有审核人员可以审核"))
        if action == "claim":
            services.declaration_claim(declaration=declaration, actor=user)
            messages.success(request, _("已认领申报 %(number)s") % {"number": declaration.number})
        elif action == "release":
            services.declaration_release(declaration=declaration, actor=user, comment=comment)
            messages.success(request, _("已释放申报 %(number)s，退回队列") % {"number": declaration.number})
            return redirect("office:review")
        elif action == "approve":
            row = services.declaration_approve(
                declaration=declaration, actor=user, today=clock.today(), comment=comment
            )
            messages.success(
                request,
                _("申报 %(number)s 审核通过（%(state)s）")
                % {"number": row.number, "state": row.get_state_display()},
            )
        elif action == "reject":
            services.declaration_reject(
                declaration=declaration,
                actor=user,
                comment=comment,
                reasons=request.POST.getlist("reasons"),
                today=clock.today(),
            )
            messages.success(request, _("申报 %(number)s 已退回") % {"number": declaration.number})
        else:
            raise DomainError(_("未知操作"))
    except DomainError as exc:
        _say(request, exc)
    return redirect(here)


@office_role_required(*COUNTER)
def counter(request):
    """Approved declarations waiting for paper at the counter, oldest first."""
    search = (request.GET.get("q") or "").strip()[:30]
    qs = (
        Declaration.objects.filter(state=State.AWAITING_COUNTER)
        .select_related("employer")
        .order_by("decided_at", "id")
    )
    if search:
        qs = qs.filter(
            Q(number=search.upper()) | Q(employer__number=search) | Q(subject_id_number=search.upper())
        )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"d": d, "item": get_item(d.item_code)} for d in page.object_list]
    return render(request, "office/review/counter.html", {"rows": rows, "page": page, "q": search})


@office_role_required("is_office_admin", "is_reviewer")
def auto_rules(request):
    candidates = [d for d in DEFINITIONS.values() if d.auto_approvable]
    if request.method == "POST":
        if not request.user.is_office_admin:
            messages.error(request, _("只有系统管理员可以修改自动审核规则"))
            return redirect("office:review_auto_rules")
        code = (request.POST.get("item") or "").upper()
        try:
            services.auto_approval_rule_set(
                item_code=code,
                enabled=request.POST.get("enabled") == "1",
                allowed_fields=request.POST.getlist("allowed_fields"),
                actor=request.user,
            )
            messages.success(request, _("事项 %(code)s 的自动审核规则已保存") % {"code": code})
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("office:review_auto_rules")
    rules = {
        r.item_code: r for r in AutoApprovalRule.objects.filter(item_code__in=[d.code for d in candidates])
    }
    rows = []
    for d in candidates:
        rule = rules.get(d.code)
        rows.append(
            {
                "definition": d,
                "rule": rule,
                "fields": [
                    (f.name, f.label, rule is not None and f.name in rule.allowed_fields)
                    for f in d.fields
                    if f.name in d.person_fields
                ],
            }
        )
    return render(
        request, "office/review/auto_rules.html", {"rows": rows, "can_edit": request.user.is_office_admin}
    )


BATCH_INLINE_APPROVALS = 300  # a larger batch is approved by the worker


@office_role_required(*REVIEWER)
def batch(request, batch_number: str):
    """One batch import: its counts, its rows (declarations) page by page, approve every clean row at once,
    reject a single row with a reason."""
    qs = batch_selectors.batch_declarations(batch_number=batch_number)
    first = qs.first()
    if first is None:
        raise Http404
    here = reverse("office:review_batch", args=[first.batch_number])
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "approve_clean":
                waiting = qs.filter(state=State.SUBMITTED).count()
                if waiting > BATCH_INLINE_APPROVALS:
                    batch_approve_task.enqueue(first.batch_number, request.user.pk, clock.today().isoformat())
                    messages.info(
                        request,
                        _("%(n)d 件待审核申报已交后台逐件审核，刷新本页查看进度。") % {"n": waiting},
                    )
                else:
                    approved, left = batch_services.batch_approve_clean(
                        batch_number=first.batch_number, actor=request.user, today=clock.today()
                    )
                    messages.success(
                        request,
                        _("已审核通过 %(n)d 件；%(left)d 件未通过自动检查或有人工核查提示，须逐件审核。")
                        % {"n": approved, "left": left},
                    )
            elif action == "reject_row":
                row = qs.filter(number=request.POST.get("row", "")).first()
                if row is None:
                    raise Http404
                batch_services.batch_row_reject(
                    declaration=row,
                    actor=request.user,
                    comment=(request.POST.get("comment") or "").strip()[:500],
                    reasons=request.POST.getlist("reasons"),
                )
                messages.success(request, _("申报 %(number)s 已退回") % {"number": row.number})
            else:
                raise DomainError(_("未知操作"))
        except DomainError as exc:
            _say(request, exc)
        return redirect(
            here + ("?" + urlencode({"page": request.POST["page"]}) if request.POST.get("page") else "")
        )
    counts = selectors.state_counts(qs)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    definition = definition_for(first.item_code)
    today = clock.today()
    rows = []
    for d in page.object_list:
        evaluation = services.review_evaluation(d, today=today) if d.state in selectors.QUEUE_STATES else None
        rows.append(
            {
                "d": d,
                "summary": definition.summarize(d.data) if definition else "",
                "checks_ok": evaluation.ok if evaluation else None,
                "flags": evaluation.flags if evaluation else [],
                "problems": [m for msgs in evaluation.field_errors.values() for m in msgs]
                if evaluation
                else [],
                "can_reject": d.state == State.SUBMITTED
                or (d.state == State.IN_REVIEW and d.claimed_by_id == request.user.pk),
            }
        )
    context = {
        "batch_number": first.batch_number,
        "employer": first.employer,
        "item": get_item(first.item_code),
        "total": sum(counts.values()),
        "states": [(State(s).label, n) for s, n in counts.items()],
        "waiting": counts.get(State.SUBMITTED, 0),
        "rows": rows,
        "page": page,
        "reject_reasons": services.STANDARD_REJECT_REASONS,
    }
    return render(request, "office/review/batch.html", context)


urlpatterns = [
    path("review/", queue, name="review"),
    path("review/batch/<str:batch_number>/", batch, name="review_batch"),
    path("review/counter/", counter, name="review_counter"),
    path("review/auto-rules/", auto_rules, name="review_auto_rules"),
    path("review/<str:number>/", detail, name="review_detail"),
]
