"""Model rows → API shapes (the same labels and figures the pages show)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.paginator import Paginator
from django.urls import reverse

from shebao.declarations.items import definition_for
from shebao.declarations.models import State
from shebao.declarations.workflow import ACTION_LABELS

from .schemas import local

PER_PAGE = 50
MAX_PER_PAGE = 200


def paginate(queryset, *, page: int, per_page: int = PER_PAGE) -> tuple[list, dict]:
    per_page = max(1, min(int(per_page or PER_PAGE), MAX_PER_PAGE))
    paginator = Paginator(queryset, per_page)
    found = paginator.get_page(page)
    meta = {
        "count": paginator.count,
        "page": found.number,
        "pages": paginator.num_pages,
        "per_page": per_page,
    }
    return list(found.object_list), meta


def declaration_out(d, *, with_receipt: bool = True) -> dict:
    definition = definition_for(d.item_code)
    item = d.item
    return {
        "number": d.number,
        "item": d.item_code,
        "item_name": str(item.name) if item else d.item_code,
        "state": d.state,
        "state_label": str(State(d.state).label),
        "version": d.version,
        "employer_number": d.employer.number,
        "employer_name": d.employer.name,
        "subject_id_number": d.subject_id_number,
        "subject_name": d.subject_name,
        "summary": definition.summarize(d.data) if definition else "",
        "data": d.data,
        "needs_counter": d.needs_counter,
        "review_comment": d.review_comment,
        "reject_reasons": list(d.reject_reasons or []),
        "result_unread": d.result_unread,
        "batch_number": d.batch_number,
        "created_at": local(d.created_at),
        "submitted_at": local(d.submitted_at),
        "decided_at": local(d.decided_at),
        "completed_at": local(d.completed_at),
        "receipt_url": reverse("api-1:declaration_receipt", args=[d.number])
        if with_receipt and d.state != State.DRAFT
        else None,
    }


def declaration_detail_out(d, *, with_receipt: bool = True) -> dict:
    events = [
        {
            "action": e.action,
            "action_label": str(ACTION_LABELS.get(e.action, e.action)),
            "from_state": e.from_state,
            "to_state": e.to_state,
            "actor": e.actor_label,
            "comment": e.comment,
            "version": e.version,
            "at": local(e.at),
        }
        for e in d.events.order_by("at", "id")
    ]
    versions = [
        {"version": v.version, "data": v.data, "created_at": local(v.created_at)}
        for v in d.versions.order_by("version")
    ]
    return declaration_out(d, with_receipt=with_receipt) | {"events": events, "versions": versions}


def checks_out(evaluation) -> list[dict]:
    return [
        {"code": r.code, "label": r.label, "status": r.status, "messages": r.messages, "notes": r.notes}
        for r in evaluation.results
    ]


def issues_out(issues) -> list[dict]:
    return [{"field": path, "code": code, "message": str(message)} for path, code, message in issues]


def scalar(value, kind: str):
    """A list cell as JSON: money and rates as decimal strings, periods and counts as integers, dates ISO."""
    if value is None or value == "":
        return None
    if kind == "money":
        try:
            return f"{Decimal(str(value)):.2f}"
        except ArithmeticError:
            return str(value)
    if kind == "rate":
        try:
            return str(Decimal(str(value)))
        except ArithmeticError:
            return str(value)
    if kind in ("int", "period"):
        try:
            return int(value)
        except (TypeError, ValueError):
            return str(value)
    if isinstance(value, dt.datetime):
        return local(value).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    return str(value)


def money_strings(value):
    """Decimals (amounts, rates) as decimal strings, recursively; everything else as it is."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: money_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [money_strings(v) for v in value]
    return value
