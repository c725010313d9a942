"""办事进度查询 (PROGRESS): every declaration of the employer, its state, the reviewer's comment and each step.

``/portal/items/progress/`` lists (filters: item, state, dates, number / ID / name); ``?open=<number>`` shows
one (and marks its result read); ``?receipt=<number>`` prints its receipt (PDF); ``?document=<number>`` prints the item's own document of an
approved declaration (H17's 参保缴费凭证). Posting ``action`` =
withdraw (before review) or revise (after rejection) with ``number`` acts on one.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from shebao.catalogue.items import get_item
from shebao.core.errors import DomainError, ValidationFailed
from shebao.core.pdf import pdf_response
from shebao.core.validators import ANY_DATE, parse_date
from shebao.declarations import clock, selectors, services
from shebao.declarations.batch import selectors as batch_selectors
from shebao.declarations.items import DEFINITIONS, definition_for
from shebao.declarations.models import State
from shebao.declarations.preview import declaration_preview
from shebao.declarations.receipts import receipt_pdf
from shebao.declarations.workflow import ACTION_LABELS
from shebao.portal.registry import portal_item

PAGE_SIZE = 50


def _date(value: str) -> dt.date | None:
    """A filter date as typed (core.validators.parse_date, any plausible day); bad or empty: no filter."""
    try:
        return parse_date(value or "", window=ANY_DATE)
    except ValidationFailed:
        return None


def _url(**params) -> str:
    return reverse("portal:item", args=["progress"]) + ("?" + urlencode(params) if params else "")


@portal_item("PROGRESS")
def progress_view(request):
    employer = request.user.employer
    if employer is None:
        raise Http404
    if request.method == "POST":
        return _act(request, employer)
    if request.GET.get("receipt"):
        declaration = selectors.declaration_for_employer(employer=employer, number=request.GET["receipt"])
        if declaration.state == State.DRAFT:
            raise Http404
        return pdf_response(receipt_pdf(declaration), f"申报回执_{declaration.number}.pdf")
    if request.GET.get("document"):
        return _document(employer, request.GET["document"])
    if request.GET.get("open"):
        return _detail(request, employer, request.GET["open"])
    return _list(request, employer)


def _list(request, employer):
    item_code = (request.GET.get("item") or "").upper()
    item_code = item_code if item_code in DEFINITIONS else ""
    state = request.GET.get("state") or ""
    state = state if state in State.values else ""
    date_from, date_to = _date(request.GET.get("from")), _date(request.GET.get("to"))
    search = (request.GET.get("q") or "").strip()[:30]
    qs = selectors.declarations_for_employer(
        employer=employer,
        item_code=item_code,
        state=state,
        date_from=date_from,
        date_to=date_to,
        search=search,
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
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
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    counts = selectors.state_counts(selectors.declarations_for_employer(employer=employer))
    batches = list(batch_selectors.batches_for_employer(employer=employer, limit=5))
    context = {
        "rows": rows,
        "page": page,
        "query": urlencode(params),
        "items": [(code, d.item.name) for code, d in DEFINITIONS.items()],
        "states": [(value, label, counts.get(value, 0)) for value, label in State.choices],
        "filters": {
            "item": item_code,
            "state": state,
            "from": request.GET.get("from", ""),
            "to": request.GET.get("to", ""),
            "q": search,
        },
        "unread": selectors.unread_result_count(employer=employer),
        "batches": batches,
        "batches_open": any(b.is_working or b.status == "validated" for b in batches),
    }
    return render(request, "portal/declarations/progress.html", context)


def _document(employer, number):
    """The item's own printable document of an approved declaration (H17's 参保缴费凭证); 404 otherwise."""
    declaration = selectors.declaration_for_employer(employer=employer, number=number)
    definition = definition_for(declaration.item_code)
    made = definition.document(declaration) if definition and definition.document else None
    if made is None:
        raise Http404
    data, filename = made
    return pdf_response(data, filename)


def _detail(request, employer, number):
    declaration = selectors.declaration_for_employer(employer=employer, number=number)
    definition = definition_for(declaration.item_code)
    was_unread = declaration.result_unread
    services.declaration_mark_read(declaration=declaration, employer=employer)
    events = [
        {
            "e": e,
            "action": ACTION_LABELS.get(e.action, e.action),
            "from": State(e.from_state).label if e.from_state else "",
            "to": State(e.to_state).label,
        }
        for e in declaration.events.select_related("actor").order_by("at", "id")
    ]
    versions = list(declaration.versions.order_by("-version"))
    context = {
        "d": declaration,
        "item": get_item(declaration.item_code),
        "rows": definition.display_rows(declaration.data) if definition else [],
        "tables": definition.tables(declaration.data) if definition else [],
        "events": events,
        "versions": [
            {"v": v, "rows": definition.display_rows(v.data) if definition else []} for v in versions[1:]
        ],
        "was_unread": was_unread,
        "can_withdraw": declaration.state == State.SUBMITTED,
        "can_revise": declaration.state == State.REJECTED,
        "can_continue": declaration.state == State.DRAFT,
        "has_receipt": declaration.state != State.DRAFT,
        "preview": declaration_preview(definition, declaration.data, employer=employer, today=clock.today())
        if definition
        else None,
        "outcome": definition.outcome(declaration) if definition and definition.outcome else [],
        "document_label": (definition.document_label if definition and definition.document else ""),
        "counter_note": (definition.counter_note if definition else "")
        if declaration.state == State.AWAITING_COUNTER
        else "",
    }
    return render(request, "portal/declarations/progress_detail.html", context)


def _act(request, employer):
    number = request.POST.get("number", "")
    declaration = selectors.declaration_for_employer(employer=employer, number=number)
    action = request.POST.get("action")
    try:
        if action == "withdraw":
            services.declaration_withdraw(
                declaration=declaration,
                employer=employer,
                actor=request.user,
                comment=request.POST.get("comment", "")[:200],
            )
            messages.success(request, _("申报 %(number)s 已撤回") % {"number": declaration.number})
        elif action == "revise":
            if declaration.state != State.REJECTED:
                raise DomainError(_("只有审核不通过的申报可以修改后重新申报"))
            return redirect(
                reverse("portal:item", args=[declaration.item_code]) + "?" + urlencode({"revise": number})
            )
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(_url(open=declaration.number))
