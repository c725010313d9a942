"""Handling items: one generic form page, derived from each item's declaration in
``shebao.declarations.items`` (fields, labels, code tables, checks).

``/portal/items/<CODE>/`` — a new declaration; ``?draft=<number>`` continues a draft; ``?revise=<number>``
revises a rejected one; ``?id_number=…&lookup=1`` pre-fills from the record. The form posts ``action`` =
lookup (pre-fill), save (drafts box), submit or delete (a draft). A hidden form token makes a double-clicked
submit one declaration.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from shebao.accounts.middleware import client_ip
from shebao.accounts.services import LookupLimited, identity_lookup_record
from shebao.core.errors import DomainError, FieldErrors
from shebao.declarations import clock, selectors, services
from shebao.declarations.items import DEFINITIONS
from shebao.declarations.items.prefill import Prefill
from shebao.declarations.models import State
from shebao.declarations.preview import declaration_preview
from shebao.portal.registry import portal_item

HANDLING_CODES = sorted(DEFINITIONS)  # every item declared as data (H19 is the accounts' own page)


def _item_url(code: str, **params) -> str:
    url = reverse("portal:item", args=[code])
    return f"{url}?{urlencode(params)}" if params else url


def _progress_url(number: str) -> str:
    return reverse("portal:item", args=["progress"]) + "?" + urlencode({"open": number})


# Period fields an empty form starts with the current period in (Asia/Shanghai); stop periods stay empty
# because they are a decision the operator has to make.
PREFILLED_PERIODS = {"start_period", "period"}


def _initial(definition) -> dict:
    values = {}
    for f in definition.fields:
        if f.default is not None:
            values[f.name] = f.default
        elif f.kind == "period" and f.name in PREFILLED_PERIODS:
            values[f.name] = str(clock.current_period())
        elif f.kind == "year":
            values[f.name] = str(clock.current_period().year)
        else:
            values[f.name] = [] if f.kind in ("multi", "table") else ""
    return values


def _table_rows(definition, employer, values, today) -> dict:
    """Tables (H07's per-employee wages) start with the employer's active employees."""
    out = {}
    for f in definition.fields:
        if f.kind != "table":
            continue
        rows = values.get(f.name) or []
        if not rows and definition.table_rows is not None:
            rows = definition.table_rows(employer, today)
        out[f.name] = rows
    return out


def _prefill_links(prefill, id_number: str) -> list[tuple[str, str]]:
    """The prefill's next steps as links that carry the person (handling items open with 读取档案 done)."""
    links = []
    for label, code in prefill.links if prefill is not None else []:
        params = {"id_number": id_number, "lookup": 1} if code.startswith("H") else {"id_number": id_number}
        links.append((label, _item_url(code, **params)))
    return links


def _render(
    request,
    definition,
    values,
    *,
    errors=None,
    declaration=None,
    token="",
    notice="",
    notice_links=(),
    notes=(),
    status=200,
):
    employer = request.user.employer
    today = clock.today()
    errors = errors or {}
    tables = _table_rows(definition, employer, values, today)
    widgets = []
    for f in definition.fields:
        value = values.get(f.name)
        widget = {
            "field": f,
            "name": f.name,
            "label": f.label,
            "kind": f.kind,
            "required": f.required,
            "lines": f.lines,
            "help": f.help,
            "value": value if value is not None else "",
            "errors": errors.get(f.name, []),
            "choices": f.choice_list() if f.kind in ("choice", "multi") else [],
        }
        if f.kind == "multi":
            widget["selected"] = set(value or [])
        if f.kind == "table":
            rows = tables.get(f.name, [])
            widget["columns"] = f.columns
            widget["rows"] = [
                {"index": i, "cells": [(c, f"{f.name}-{i}-{c.name}", row.get(c.name, "")) for c in f.columns]}
                for i, row in enumerate(rows)
            ]
            widget["count"] = len(rows)
        widgets.append(widget)
    other_errors = [
        m for key, msgs in errors.items() if key not in {f.name for f in definition.fields} for m in msgs
    ]
    error_count = sum(len(m) for m in errors.values())
    context = {
        "definition": definition,
        "item": definition.item,
        "widgets": widgets,
        "errors": errors,
        "error_count": error_count,
        "other_errors": other_errors,
        "declaration": declaration,
        "token": token or services.new_form_token(),
        "notice": notice,
        "notice_links": notice_links,
        "notes": list(notes),
        "drafts": selectors.drafts(employer=employer, item_code=definition.code)[:20],
        "has_lookup": definition.prefill is not None,
        "has_preview": any(f.name == "wage" for f in definition.fields),
        "preview": declaration_preview(definition, values, employer=employer, today=today),
    }
    return render(request, "portal/declarations/form.html", context, status=status)


def _prefill(request, definition, id_number: str) -> Prefill:
    """What the record says about an ID number, for this employer's form — each look-up recorded and limited
    per user and per employer (accounts.services.identity_lookup_record), since it tells whether a number is
    registered and whose it is."""
    try:
        identity_lookup_record(
            user=request.user, item_code=definition.code, id_number=id_number, ip=client_ip(request)
        )
    except LookupLimited as exc:
        return Prefill(notice=exc.message)
    return definition.prefill(request.user.employer, id_number, clock.today())


def _load(request, number: str, *, states) -> object:
    declaration = selectors.declaration_for_employer(employer=request.user.employer, number=number)
    if declaration.state not in states:
        raise Http404
    return declaration


def handling_view(request):
    definition = DEFINITIONS[request.item.code]
    employer = request.user.employer
    if employer is None:
        raise Http404
    if request.method == "POST":
        return _post(request, definition)

    declaration, notice = None, ""
    values = _initial(definition)
    if request.GET.get("draft"):
        declaration = _load(request, request.GET["draft"], states={State.DRAFT})
        values.update(declaration.data)
    elif request.GET.get("revise"):
        declaration = _load(request, request.GET["revise"], states={State.REJECTED})
        values.update(declaration.data)
        notice = _("审核意见：%(comment)s") % {"comment": declaration.review_comment}
    if declaration is not None and declaration.item_code != definition.code:
        raise Http404
    links = []
    if request.GET.get("lookup") and request.GET.get("id_number") and definition.prefill is not None:
        prefill = _prefill(request, definition, request.GET["id_number"])
        values.update(prefill.values)
        notice = prefill.notice or notice
        links = _prefill_links(prefill, prefill.values.get("id_number", ""))
    return _render(request, definition, values, declaration=declaration, notice=notice, notice_links=links)


def _post(request, definition):
    employer = request.user.employer
    action = request.POST.get("action", "submit")
    raw = definition.raw_from_post(request.POST)
    token = (request.POST.get("form_token") or "")[:64]
    number = request.POST.get("declaration") or ""
    declaration = None
    if number:
        declaration = _load(request, number, states=set(State.values))
        if declaration.item_code != definition.code:
            raise Http404

    if action == "cost":  # htmx, as the operator types: the base used and the monthly cost
        preview = declaration_preview(definition, raw, employer=employer, today=clock.today())
        return render(request, "portal/declarations/_preview.html", {"preview": preview})

    if action == "lookup":
        id_number = str(raw.get("id_number") or "")
        prefill = _prefill(request, definition, id_number) if definition.prefill and id_number else None
        if prefill is None:
            return _render(request, definition, raw, declaration=declaration, token=token)
        if prefill.redirect_code:
            messages.info(request, prefill.notice)
            return redirect(_item_url(prefill.redirect_code, id_number=id_number, lookup=1))
        values = dict(raw)
        for key, value in prefill.values.items():
            if key == "id_number" or value not in ("", None, []):
                values[key] = value
        return _render(
            request,
            definition,
            values,
            declaration=declaration,
            token=token,
            notice=prefill.notice,
            notice_links=_prefill_links(prefill, prefill.values.get("id_number", "")),
        )

    if action == "preview":
        # 检查/试算: the item's checks run as at submission, and what they computed (the base used, the back
        # payment's amounts, the pension) is shown — by the same functions approval records with. Nothing is saved.
        evaluation = definition.evaluate(raw, employer=employer, today=clock.today(), declaration=declaration)
        notes = [n for result in evaluation.results for n in result.notes]
        if evaluation.ok and not notes:
            notes = [_("检查通过，可以申报。")]
        return _render(
            request,
            definition,
            raw,
            errors=evaluation.field_errors,
            declaration=declaration,
            token=token,
            notes=notes,
        )

    try:
        if action == "delete":
            if declaration is None:
                raise Http404
            services.declaration_delete_draft(declaration=declaration, employer=employer, actor=request.user)
            messages.success(request, _("草稿 %(number)s 已删除") % {"number": declaration.number})
            return redirect(_item_url(definition.code))
        if action == "save":
            if declaration is not None and declaration.state == State.REJECTED:
                declaration = services.declaration_edit(
                    declaration=declaration, employer=employer, actor=request.user
                )
            saved = services.declaration_save_draft(
                employer=employer,
                item_code=definition.code,
                raw=raw,
                actor=request.user,
                declaration=declaration,
                idempotency_key=token or None,
            )
            messages.success(
                request,
                _("已保存到草稿箱，申报流水号 %(number)s。草稿不会提交审核。") % {"number": saved.number},
            )
            return redirect(_item_url(definition.code, draft=saved.number))
        submitted = services.declaration_submit(
            employer=employer,
            item_code=definition.code,
            raw=raw,
            actor=request.user,
            today=clock.today(),
            declaration=declaration,
            idempotency_key=token or None,
        )
    except FieldErrors as exc:
        return _render(request, definition, raw, errors=exc.errors, declaration=declaration, token=token)
    except DomainError as exc:
        return _render(
            request, definition, raw, errors={"__all__": [exc.message]}, declaration=declaration, token=token
        )
    if not getattr(submitted, "replayed", False):
        if submitted.state in (State.COMPLETED, State.AWAITING_COUNTER):
            messages.success(
                request,
                _("申报成功并已自动审核通过，申报流水号 %(number)s。") % {"number": submitted.number},
            )
        else:
            messages.success(
                request,
                _("申报成功，申报流水号 %(number)s，请等待经办机构审核。") % {"number": submitted.number},
            )
    return redirect(_progress_url(submitted.number))


for _code in HANDLING_CODES:
    if _code in DEFINITIONS:
        portal_item(_code)(handling_view)
