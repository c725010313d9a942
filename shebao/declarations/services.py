"""Writing declarations: save, submit, withdraw, claim, approve, reject, complete…

Every state change goes through ``workflow.transition``. Every function is keyword-only and atomic and takes
"today" from its caller (pages pass the office's date), so checks never read the clock themselves.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shebao.contributions.services import settlement_mark_record_changes
from shebao.core.errors import DomainError, FieldErrors
from shebao.persons.models import RecordChange

from .items import definition_for
from .items.base import CheckResult, CompleteContext, EffectContext, Evaluation
from .models import AutoApprovalRule, Declaration, DeclarationCounter, DeclarationVersion, State
from .workflow import TransitionRefused, record_event, transition

AUTO_REVIEWER_LABEL = "自动审核"
SYSTEM_LABEL = "系统"

STANDARD_REJECT_REASONS = [
    ("id_name_mismatch", "公民身份号码与姓名不符"),
    ("insured_elsewhere", "该人员仍在其他单位参保"),
    ("base_out_of_limits", "缴费基数超出上下限"),
    ("age_out_of_range", "年龄不在可参保范围内"),
    ("pending_exists", "该人员有未办结的同类申报"),
    ("stop_before_start", "停保期早于参保开始期"),
    ("documents_missing", "材料不全，请到窗口办理"),
]
REJECT_REASON_LABELS = dict(STANDARD_REJECT_REASONS)


class ApprovalRefused(DomainError):
    """The declaration fails its checks against the record as it is now: nothing was approved."""

    def __init__(self, message: str, *, evaluation: Evaluation | None = None):
        super().__init__(message, code="checks_failed")
        self.evaluation = evaluation


# --- numbers ----------------------------------------------------------------------------------------------


def next_number(day: dt.date | None = None) -> str:
    """SB + YYYYMMDD + a 7-digit sequence of the day, unique across processes: the day's counter row is
    incremented with an UPDATE (row-locked until commit); the first number of a day inserts the row."""
    day = day or timezone.localdate()
    with transaction.atomic():
        if not DeclarationCounter.objects.filter(day=day).update(last=F("last") + 1):
            try:
                with transaction.atomic():
                    DeclarationCounter.objects.create(day=day, last=1)
            except IntegrityError:  # another process created it first
                DeclarationCounter.objects.filter(day=day).update(last=F("last") + 1)
        last = DeclarationCounter.objects.values_list("last", flat=True).get(day=day)
    return f"SB{day:%Y%m%d}{last:07d}"


def new_form_token() -> str:
    """A hidden form token: the idempotency key that makes a double-clicked submit one declaration."""
    return secrets.token_urlsafe(24)


# --- helpers ------------------------------------------------------------------------------------------------


def _definition(code: str):
    definition = definition_for(code)
    if definition is None:
        raise DomainError(_("事项 %(code)s 不能通过申报办理") % {"code": code})
    return definition


def _subject(definition, stored: dict) -> dict:
    if not definition.subject_field:
        return {"subject_id_number": "", "subject_name": ""}
    return {
        "subject_id_number": str(stored.get(definition.subject_field) or "")[:18],
        "subject_name": str(stored.get("name") or "")[:30],
    }


def _check_owner(declaration: Declaration, employer) -> None:
    if declaration.employer_id != employer.pk:
        raise DomainError(_("申报不存在"))


def _typed(value) -> str:
    """What was typed, as a string a database stores (PostgreSQL refuses NUL in text and JSON)."""
    return str(value or "").replace("\x00", "")


def _draft_data(definition, raw: dict) -> dict:
    """A draft keeps what was typed (strings), trimmed, so it can be completed later."""
    data = {}
    for f in definition.fields:
        value = raw.get(f.name)
        if f.kind == "table":
            data[f.name] = [
                {c.name: _typed(row.get(c.name, ""))[:200] for c in f.columns}
                for row in (value or [])
                if isinstance(row, dict)
            ]
        elif f.kind == "multi":
            data[f.name] = [_typed(v)[:40] for v in (value or [])]
        else:
            data[f.name] = _typed(value).strip()[:400]
    return data


# --- operator: drafts and submission ------------------------------------------------------------------------


@transaction.atomic
def declaration_save_draft(
    *,
    employer,
    item_code: str,
    raw: dict,
    actor,
    declaration: Declaration | None = None,
    idempotency_key=None,
) -> Declaration:
    """Save what was entered without checking it (草稿箱). Editing a draft keeps its number."""
    definition = _definition(item_code)
    data = _draft_data(definition, raw)
    if declaration is None and idempotency_key:
        declaration = Declaration.objects.filter(employer=employer, idempotency_key=idempotency_key).first()
    if declaration is not None:
        declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
        _check_owner(declaration, employer)
        if declaration.state != State.DRAFT:
            raise TransitionRefused(
                _("申报 %(number)s 当前状态为「%(state)s」，不能保存为草稿")
                % {"number": declaration.number, "state": State(declaration.state).label}
            )
        declaration.data = data
        declaration.__dict__.update(_subject(definition, data))
        fields = ["data", "subject_id_number", "subject_name", "updated_at"]
        if idempotency_key and declaration.idempotency_key != idempotency_key:
            declaration.idempotency_key = idempotency_key
            fields.append("idempotency_key")
        declaration.save(update_fields=fields)
        return declaration
    declaration = Declaration.objects.create(
        number=next_number(),
        employer=employer,
        item_code=definition.code,
        state=State.DRAFT,
        version=0,
        data=data,
        idempotency_key=idempotency_key or None,
        created_by=actor,
        **_subject(definition, data),
    )
    record_event(declaration, action="create", from_state="", to_state=State.DRAFT, actor=actor)
    return declaration


@transaction.atomic
def declaration_delete_draft(*, declaration: Declaration, employer, actor) -> None:
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    _check_owner(declaration, employer)
    if declaration.state != State.DRAFT or declaration.submitted_at is not None:
        raise TransitionRefused(_("只能删除从未申报过的草稿"))
    declaration.delete()


@transaction.atomic
def declaration_submit(
    *,
    employer,
    item_code: str,
    raw: dict,
    actor,
    today: dt.date,
    declaration: Declaration | None = None,
    idempotency_key: str | None = None,
) -> Declaration:
    """Check and submit: a new declaration, a draft, or a rejected one (a new version). Every bad field is
    reported at once (FieldErrors) and nothing is written. The same idempotency key submits once: a repeat
    returns the declaration already made."""
    definition = _definition(item_code)
    if idempotency_key:
        existing = Declaration.objects.filter(employer=employer, idempotency_key=idempotency_key).first()
        if existing is not None and existing.state != State.DRAFT:
            existing.replayed = True  # this form was submitted already (a double click, a resent request)
            return existing
        if existing is not None and declaration is None:
            declaration = existing
    if declaration is not None:
        _check_owner(declaration, employer)
        if declaration.item_code != definition.code:
            raise DomainError(_("申报事项不一致"))

    evaluation = definition.evaluate(raw, employer=employer, today=today, declaration=declaration)
    if not evaluation.ok:
        raise FieldErrors(evaluation.field_errors, issues=evaluation.issues)
    stored = evaluation.stored
    now = timezone.now()
    updates = {
        "data": stored,
        "needs_counter": definition.counter_needed(stored),
        "submitted_at": now,
        "result_unread": False,
        **_subject(definition, stored),
    }

    if declaration is None:
        try:
            with transaction.atomic():
                declaration = Declaration.objects.create(
                    number=next_number(),
                    employer=employer,
                    item_code=definition.code,
                    state=State.SUBMITTED,
                    version=1,
                    idempotency_key=idempotency_key or None,
                    created_by=actor,
                    **updates,
                )
        except IntegrityError:
            # The same form token arrived twice at once (a double click): the first one made it.
            existing = Declaration.objects.get(employer=employer, idempotency_key=idempotency_key)
            existing.replayed = True
            return existing
        record_event(declaration, action="submit", from_state="", to_state=State.SUBMITTED, actor=actor)
    else:
        current = Declaration.objects.get(pk=declaration.pk)
        action = "submit" if current.state == State.DRAFT else "resubmit"
        if idempotency_key:
            updates["idempotency_key"] = idempotency_key
        updates |= {
            "version": current.version + 1,
            "claimed_by": None,
            "claimed_at": None,
            "decided_by": None,
            "decided_by_label": "",
            "decided_at": None,
        }
        declaration = transition(current, action, actor=actor, updates=updates)
    DeclarationVersion.objects.create(
        declaration=declaration, version=declaration.version, data=stored, created_by=actor
    )
    declaration.replayed = False
    _maybe_auto_approve(declaration, definition, evaluation, today=today)
    return declaration


def _auto_rule_allows(definition, evaluation: Evaluation, rule: AutoApprovalRule) -> bool:
    if not rule.allowed_fields:
        return True
    changed = set(getattr(evaluation.context, "changed_fields", None) or ())
    if not changed:
        # Items that are not changes: every filled field other than the key must be allowed.
        changed = {k for k, v in evaluation.stored.items() if v not in ("", [], None)} - {"id_number", "name"}
    return changed <= set(rule.allowed_fields)


def _maybe_auto_approve(declaration: Declaration, definition, evaluation: Evaluation, *, today) -> None:
    if not definition.auto_approvable or evaluation.flags:
        return
    rule = AutoApprovalRule.objects.filter(item_code=definition.code, enabled=True).first()
    if rule is None or not _auto_rule_allows(definition, evaluation, rule):
        return
    try:
        with transaction.atomic():
            row = transition(
                declaration,
                "auto_approve",
                actor=None,
                actor_label=AUTO_REVIEWER_LABEL,
                comment=_("符合自动审核规则"),
                updates={
                    "decided_by": None,
                    "decided_by_label": AUTO_REVIEWER_LABEL,
                    "decided_at": timezone.now(),
                },
            )
            _apply_and_route(row, definition, actor=None, actor_label=AUTO_REVIEWER_LABEL, today=today)
    except DomainError:
        return  # left for a reviewer
    declaration.refresh_from_db()


@transaction.atomic
def declaration_withdraw(*, declaration: Declaration, employer, actor, comment: str = "") -> Declaration:
    _check_owner(declaration, employer)
    return transition(declaration, "withdraw", actor=actor, comment=comment)


@transaction.atomic
def declaration_edit(*, declaration: Declaration, employer, actor) -> Declaration:
    """A rejected declaration back to the drafts box to be revised (then resubmitted as a new version)."""
    _check_owner(declaration, employer)
    return transition(declaration, "edit", actor=actor, updates={"result_unread": False})


@transaction.atomic
def declaration_mark_read(*, declaration: Declaration, employer) -> None:
    _check_owner(declaration, employer)
    if declaration.result_unread:
        Declaration.objects.filter(pk=declaration.pk).update(result_unread=False)
        declaration.result_unread = False


# --- reviewer -------------------------------------------------------------------------------------------------


def _claimed_by(actor):
    def guard(row: Declaration) -> None:
        if row.claimed_by_id != actor.pk:
            who = row.claimed_by.label if row.claimed_by_id else _("其他审核人员")
            raise TransitionRefused(
                _("申报 %(number)s 已被%(who)s认领，只有认领人可以审核或释放")
                % {"number": row.number, "who": who},
                code="taken",
            )

    return guard


@transaction.atomic
def declaration_claim(*, declaration: Declaration, actor) -> Declaration:
    return transition(
        declaration, "claim", actor=actor, updates={"claimed_by": actor, "claimed_at": timezone.now()}
    )


@transaction.atomic
def declaration_take_next(*, actor, item_code: str = "", employer_id=None) -> Declaration | None:
    """Claim the oldest submitted declaration (matching the filters) that nobody else is claiming."""
    queryset = Declaration.objects.filter(state=State.SUBMITTED)
    if item_code:
        queryset = queryset.filter(item_code=item_code)
    if employer_id:
        queryset = queryset.filter(employer_id=employer_id)
    for _attempt in range(5):
        candidate = queryset.order_by("submitted_at", "id").select_for_update(skip_locked=True).first()
        if candidate is None:
            return None
        try:
            with transaction.atomic():
                return declaration_claim(declaration=candidate, actor=actor)
        except TransitionRefused:
            continue
    return None


@transaction.atomic
def declaration_release(*, declaration: Declaration, actor, comment: str = "") -> Declaration:
    return transition(
        declaration,
        "release",
        actor=actor,
        comment=comment,
        guard=_claimed_by(actor),
        updates={"claimed_by": None, "claimed_at": None},
    )


OPEN_STATES = (State.SUBMITTED, State.IN_REVIEW)


def checks_snapshot(evaluation: Evaluation, *, today: dt.date) -> dict:
    """What the checks said, kept on the declaration when it is decided."""
    return {
        "on": today.isoformat(),
        "results": [
            {
                "code": r.code,
                "label": str(r.label),
                "status": r.status,
                "messages": [str(m) for m in r.messages],
                "notes": [str(n) for n in r.notes],
            }
            for r in evaluation.results
        ],
        "flags": [str(f) for f in evaluation.flags],
    }


@dataclass(frozen=True)
class DecidedChecks:
    """The checks as they stood at the decision (read back from ``Declaration.decision_checks``)."""

    on: dt.date
    results: list[CheckResult]
    flags: list[str]
    decided = True

    @property
    def ok(self) -> bool:
        return all(r.status != "fail" for r in self.results)


def review_evaluation(declaration: Declaration, *, today: dt.date) -> Evaluation | DecidedChecks | None:
    """What the review page shows: while the declaration is open, the item's checks run now against the record
    as it is; once decided, the results stored at the decision (None if it was decided before they were kept,
    or never reached a reviewer)."""
    if declaration.state not in OPEN_STATES:
        kept = declaration.decision_checks or {}
        if not kept.get("results") and not kept.get("flags"):
            return None
        return DecidedChecks(
            on=dt.date.fromisoformat(kept["on"]),
            results=[CheckResult(**r) for r in kept.get("results", [])],
            flags=list(kept.get("flags", [])),
        )
    definition = _definition(declaration.item_code)
    return definition.evaluate(
        declaration.data, employer=declaration.employer, today=today, declaration=declaration
    )


def _apply_and_route(row: Declaration, definition, *, actor, actor_label: str, today: dt.date) -> Declaration:
    evaluation = definition.evaluate(row.data, employer=row.employer, today=today, declaration=row)
    if not evaluation.ok:
        failed = "；".join(
            f"{r.label}：{'；'.join(r.messages)}" for r in evaluation.failed_checks
        ) or "；".join(m for msgs in evaluation.field_errors.values() for m in msgs)
        raise ApprovalRefused(
            _("记录已变化，申报 %(number)s 现在不能通过检查，未予审核通过：%(failed)s")
            % {"number": row.number, "failed": failed},
            evaluation=evaluation,
        )
    checks = checks_snapshot(
        evaluation, today=today
    )  # kept as they were before the effect changed the record
    context = EffectContext(
        declaration=row, data=evaluation.data, check=evaluation.context, actor=actor, actor_label=actor_label
    )
    try:
        with transaction.atomic():
            definition.effect(context)
    except IntegrityError as exc:
        raise ApprovalRefused(
            _("记录已被其他操作修改，申报 %(number)s 未予审核通过，请刷新后重试") % {"number": row.number}
        ) from exc
    except DomainError as exc:
        raise ApprovalRefused(
            _("申报 %(number)s 未予审核通过：%(reason)s") % {"number": row.number, "reason": exc.message}
        ) from exc
    # Money follows the record: settled periods the change touched are marked; open ones re-settle at once.
    settlement_mark_record_changes(
        changes=RecordChange.objects.filter(declaration_number=row.number, employer=row.employer),
        reason=_("申报 %(number)s（%(item)s）") % {"number": row.number, "item": row.item_code},
    )
    if row.needs_counter:
        return transition(
            row,
            "await_counter",
            actor=None,
            actor_label=SYSTEM_LABEL,
            comment=str(definition.counter_note or _("请携带材料到窗口办理")),
            updates={"result_unread": True, "decision_checks": checks},
        )
    return transition(
        row,
        "close",
        actor=None,
        actor_label=SYSTEM_LABEL,
        updates={"result_unread": True, "completed_at": timezone.now(), "decision_checks": checks},
    )


@transaction.atomic
def declaration_approve(*, declaration: Declaration, actor, today: dt.date, comment: str = "") -> Declaration:
    """Approve a declaration the actor has claimed: its checks run again against the record as it is now, its
    effect is applied, and it moves on to completed (or awaiting the counter) — all in this one transaction.
    If a check fails now, ApprovalRefused says which and nothing changes."""
    definition = _definition(declaration.item_code)
    row = transition(
        declaration,
        "approve",
        actor=actor,
        comment=comment,
        guard=_claimed_by(actor),
        updates={
            "decided_by": actor,
            "decided_by_label": actor.label,
            "decided_at": timezone.now(),
            "review_comment": comment,
        },
    )
    return _apply_and_route(row, definition, actor=actor, actor_label=actor.label, today=today)


@transaction.atomic
def declaration_reject(
    *,
    declaration: Declaration,
    actor,
    comment: str = "",
    reasons: list[str] | tuple[str, ...] = (),
    today: dt.date | None = None,
) -> Declaration:
    reasons = [r for r in reasons if r in REJECT_REASON_LABELS]
    comment = (comment or "").strip()
    if not comment and not reasons:
        raise FieldErrors({"comment": [_("审核不通过须填写原因")]})
    text = "；".join([REJECT_REASON_LABELS[r] for r in reasons] + ([comment] if comment else []))
    today = today or timezone.localdate()
    definition = _definition(declaration.item_code)
    evaluation = definition.evaluate(
        declaration.data, employer=declaration.employer, today=today, declaration=declaration
    )
    return transition(
        declaration,
        "reject",
        actor=actor,
        comment=text,
        guard=_claimed_by(actor),
        updates={
            "decided_by": actor,
            "decided_by_label": actor.label,
            "decided_at": timezone.now(),
            "review_comment": text,
            "reject_reasons": reasons,
            "decision_checks": checks_snapshot(evaluation, today=today),
            "result_unread": True,
        },
    )


@transaction.atomic
def declaration_complete(
    *, declaration: Declaration, actor, comment: str = "", today: dt.date | None = None
) -> Declaration:
    """The counter clerk has checked the paper: an approved declaration that needed it is completed, and the
    item's completion step (a card handed over) is recorded in the same transaction."""
    row = transition(
        declaration,
        "complete",
        actor=actor,
        comment=comment,
        updates={"completed_at": timezone.now(), "result_unread": True},
    )
    definition = definition_for(row.item_code)
    if definition is not None and definition.complete is not None:
        definition.complete(
            CompleteContext(declaration=row, actor=actor, today=today or timezone.localdate())
        )
    return row


def declarations_bulk_approve(*, declarations, actor, today: dt.date) -> list[tuple[Declaration, bool, str]]:
    """Approve each selected declaration that passes every check and raises no manual-review flag, each in
    its own transaction (one refusal does not hold up the others). Returns (declaration, approved, message)."""
    outcomes = []
    for declaration in declarations:
        try:
            with transaction.atomic():
                evaluation = review_evaluation(declaration, today=today)
                if not evaluation.ok:
                    raise ApprovalRefused(_("未通过自动检查，不能批量审核"))
                if evaluation.flags:
                    raise ApprovalRefused(_("有人工核查提示，须逐件审核"))
                row = declaration
                if declaration.state == State.SUBMITTED:
                    row = declaration_claim(declaration=declaration, actor=actor)
                row = declaration_approve(
                    declaration=row, actor=actor, today=today, comment=_("批量审核通过")
                )
            outcomes.append((row, True, str(State(row.state).label)))
        except DomainError as exc:
            outcomes.append((declaration, False, exc.message))
    return outcomes


@transaction.atomic
def auto_approval_rule_set(
    *, item_code: str, enabled: bool, allowed_fields: list[str], actor
) -> AutoApprovalRule:
    definition = _definition(item_code)
    if enabled and not definition.auto_approvable:
        raise DomainError(_("事项 %(code)s 不允许自动审核") % {"code": item_code})
    known = {f.name for f in definition.fields}
    rule, _created = AutoApprovalRule.objects.update_or_create(
        item_code=definition.code,
        defaults={
            "enabled": enabled,
            "allowed_fields": [f for f in allowed_fields if f in known],
            "updated_by": actor,
        },
    )
    return rule
