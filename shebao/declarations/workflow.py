"""The declaration state machine (workflow.md) as one table, enforced by one function.

``transition`` is the only code that changes ``Declaration.state``. It locks the row (SELECT … FOR UPDATE on
PostgreSQL; SQLite transactions here begin IMMEDIATE and so are serialised anyway), refuses a move that the
table does not allow from the current state with a Chinese message that says why, writes the new state with a
conditional ``UPDATE … WHERE state = <old>`` whose row count must be 1, and appends an event row. A refused
move raises before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.core.errors import DomainError

from .models import Declaration, DeclarationEvent, State

OPERATOR, REVIEWER, CLERK, SYSTEM = "operator", "reviewer", "clerk", "system"


@dataclass(frozen=True)
class Move:
    action: str
    label: object  # the verb users see
    sources: frozenset[str]
    target: str
    by: str  # who may make it


def _move(action, label, sources, target, by) -> Move:
    return Move(action, label, frozenset(sources), target, by)


MOVES: dict[str, Move] = {
    m.action: m
    for m in (
        _move("submit", gettext_lazy("申报"), {State.DRAFT}, State.SUBMITTED, OPERATOR),
        _move("withdraw", gettext_lazy("撤回"), {State.SUBMITTED}, State.WITHDRAWN, OPERATOR),
        _move("claim", gettext_lazy("认领"), {State.SUBMITTED}, State.IN_REVIEW, REVIEWER),
        _move("release", gettext_lazy("释放"), {State.IN_REVIEW}, State.SUBMITTED, REVIEWER),
        _move("approve", gettext_lazy("审核通过"), {State.IN_REVIEW}, State.APPROVED, REVIEWER),
        _move("auto_approve", gettext_lazy("自动审核通过"), {State.SUBMITTED}, State.APPROVED, SYSTEM),
        _move("reject", gettext_lazy("审核不通过"), {State.IN_REVIEW}, State.REJECTED, REVIEWER),
        _move("await_counter", gettext_lazy("待窗口办理"), {State.APPROVED}, State.AWAITING_COUNTER, SYSTEM),
        _move("close", gettext_lazy("办结"), {State.APPROVED}, State.COMPLETED, SYSTEM),
        _move("complete", gettext_lazy("窗口办结"), {State.AWAITING_COUNTER}, State.COMPLETED, CLERK),
        _move("edit", gettext_lazy("修改"), {State.REJECTED}, State.DRAFT, OPERATOR),
        _move("resubmit", gettext_lazy("重新申报"), {State.REJECTED}, State.SUBMITTED, OPERATOR),
    )
}

# state → the states it may move to (the diagram in workflow.md)
TRANSITIONS: dict[str, set[str]] = {state: set() for state in State.values}
for _m in MOVES.values():
    for _s in _m.sources:
        TRANSITIONS[_s].add(_m.target)

# Action labels for the history, including the two that create a declaration.
ACTION_LABELS = {action: move.label for action, move in MOVES.items()} | {
    "create": gettext_lazy("保存草稿"),
    "submit": gettext_lazy("申报"),
}


class TransitionRefused(DomainError):
    """A move not allowed from the declaration's current state (or lost to another user)."""


def allowed_actions(state: str) -> list[str]:
    return [action for action, move in MOVES.items() if state in move.sources]


def _refusal(row: Declaration, move: Move) -> TransitionRefused:
    state_label = State(row.state).label
    if row.state == State.IN_REVIEW and move.action in ("claim", "approve", "reject", "release"):
        who = row.claimed_by.label if row.claimed_by_id else _("其他审核人员")
        return TransitionRefused(
            _("申报 %(number)s 已被%(who)s认领，正在审核中，不能%(action)s")
            % {"number": row.number, "who": who, "action": move.label},
            code="taken",
        )
    if (
        row.state in (State.APPROVED, State.AWAITING_COUNTER, State.COMPLETED, State.REJECTED)
        and move.by == REVIEWER
    ):
        who = row.decided_by_label or _("其他审核人员")
        return TransitionRefused(
            _("申报 %(number)s 已由%(who)s审核（%(state)s），不能%(action)s")
            % {"number": row.number, "who": who, "state": state_label, "action": move.label},
            code="decided",
        )
    return TransitionRefused(
        _("申报 %(number)s 当前状态为「%(state)s」，不能%(action)s")
        % {"number": row.number, "state": state_label, "action": move.label},
        code="state",
    )


def record_event(
    declaration: Declaration,
    *,
    action: str,
    from_state: str,
    to_state: str,
    actor,
    actor_label: str = "",
    comment="",
) -> DeclarationEvent:
    return DeclarationEvent.objects.create(
        declaration=declaration,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=(actor_label or (actor.label if getattr(actor, "pk", None) else ""))[:60],
        comment=comment,
        version=declaration.version,
    )


def transition(
    declaration: Declaration | int,
    action: str,
    *,
    actor,
    actor_label: str = "",
    comment: str = "",
    guard: Callable[[Declaration], None] | None = None,
    updates: dict | None = None,
) -> Declaration:
    """Move the declaration by `action`; returns the locked, updated row. Raises TransitionRefused."""
    move = MOVES[action]
    pk = declaration.pk if isinstance(declaration, Declaration) else declaration
    with transaction.atomic():
        # No select_related here: after waiting for the lock PostgreSQL re-reads the locked row, but a joined
        # row would still come from the old snapshot (claimed_by_id set, claimed_by None).
        row = Declaration.objects.select_for_update().get(pk=pk)
        if row.state not in move.sources:
            raise _refusal(row, move)
        if guard is not None:
            guard(row)
        fields = {"state": move.target, **(updates or {})}
        changed = Declaration.objects.filter(pk=row.pk, state=row.state).update(
            **fields, updated_at=timezone.now()
        )
        if changed != 1:  # someone moved it between our read and our write
            raise TransitionRefused(
                _("申报 %(number)s 已被其他用户处理，请刷新后重试") % {"number": row.number}, code="race"
            )
        from_state = row.state
        for key, value in fields.items():
            setattr(row, key, value)
        record_event(
            row,
            action=action,
            from_state=from_state,
            to_state=move.target,
            actor=actor,
            actor_label=actor_label,
            comment=comment,
        )
        if fields.get("result_unread"):
            result_message_send(row, action, comment)
        return row


RESULT_SUBJECTS = {
    "close": gettext_lazy("申报 %(number)s（%(item)s）已办结"),
    "complete": gettext_lazy("申报 %(number)s（%(item)s）已办结"),
    "await_counter": gettext_lazy("申报 %(number)s（%(item)s）审核通过，请到窗口办理"),
    "reject": gettext_lazy("申报 %(number)s（%(item)s）审核不通过，请修改后重新申报"),
}


def portal_item_path(code: str, **query) -> str:
    """The portal path of an item page, also from an office-only process (whose URLconf has no portal)."""
    from django.urls import NoReverseMatch, reverse
    from django.utils.http import urlencode

    try:
        path = reverse("portal:item", args=[code])
    except NoReverseMatch:
        path = f"/portal/items/{code}/"
    return path + (f"?{urlencode(query)}" if query else "")


def result_message_send(row: Declaration, action: str, comment: str) -> None:
    """The operator who made the declaration finds its result in their message centre (and by email when they
    gave an address), linked to the declaration in 办事进度."""
    if row.created_by_id is None or action not in RESULT_SUBJECTS:
        return
    from shebao.catalogue.items import get_item
    from shebao.inbox.models import MessageKind
    from shebao.inbox.services import message_send

    item = getattr(get_item(row.item_code), "name", row.item_code)
    link = portal_item_path("progress", open=row.number)
    body = "；".join(
        part
        for part in (
            _("对象：%(name)s") % {"name": row.subject_name} if row.subject_name else "",
            (_("原因：%(text)s") if action == "reject" else _("说明：%(text)s")) % {"text": comment}
            if comment
            else "",
        )
        if part
    )
    message_send(
        recipient=row.created_by,
        kind=MessageKind.REJECTION if action == "reject" else MessageKind.RESULT,
        subject=str(RESULT_SUBJECTS[action]) % {"number": row.number, "item": item},
        body=body,
        link=link,
    )
