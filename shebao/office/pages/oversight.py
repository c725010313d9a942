"""个人信息访问记录 (the personal-data access log, searched by person, staff user and date) and 通知公告."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from shebao.accounts.permissions import office_role_required
from shebao.audit.models import AccessAction
from shebao.audit.selectors import access_search, role_labels
from shebao.core.errors import FieldErrors, ValidationFailed
from shebao.core.idnumbers import normalize_identifier
from shebao.core.validators import ANY_DATE, parse_date
from shebao.notices import services as notice_services
from shebao.notices.models import Notice
from shebao.notices.selectors import notices_all
from shebao.persons.models import Person

LOG_READERS = ("is_office_admin", "is_auditor")


def _iso_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None


def _filter_date(request, name: str, label: str) -> dt.date | None:
    """A date filter: blank → none; a bad or implausible one (0001-01-01, 9999-12-31) is named and ignored."""
    value = (request.GET.get(name) or "").strip()
    if not value:
        return None
    try:
        return parse_date(value, field=name, label=label, window=ANY_DATE)
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return None


@office_role_required(*LOG_READERS)
def access_log(request):
    id_number = normalize_identifier(request.GET.get("person") or "")[:18]
    id_number = id_number if id_number.isascii() and id_number.isalnum() else ""
    username = "".join(c for c in (request.GET.get("user") or "") if c.isprintable()).strip()[:150]
    date_from, date_to = (
        _filter_date(request, "from", _("起始日期")),
        _filter_date(request, "to", _("截止日期")),
    )
    person = Person.objects.filter(id_number=id_number).first() if id_number else None
    rows = access_search(person=person, username=username, date_from=date_from, date_to=date_to)
    if id_number and person is None:
        rows = rows.none()
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    actions = dict(AccessAction.choices)
    for row in page.object_list:
        row.role_text = role_labels(row.roles)
        row.action_text = actions.get(row.action, row.action)
    return render(
        request,
        "office/access_log.html",
        {
            "page": page,
            "values": {
                "person": id_number,
                "user": username,
                "from": date_from.isoformat() if date_from else "",
                "to": date_to.isoformat() if date_to else "",
            },
            "unknown_person": bool(id_number and person is None),
        },
    )


@office_role_required("is_office_admin")
def notices(request):
    values = {"title": "", "body": "", "starts_on": "", "ends_on": ""}
    errors: dict = {}
    if request.method == "POST":
        if request.POST.get("withdraw"):
            notice = get_object_or_404(Notice, pk=request.POST.get("withdraw"))
            notice_services.notice_withdraw(actor=request.user, notice=notice)
            messages.success(request, _("已撤回通知「%(title)s」") % {"title": notice.title})
            return redirect("office:notices")
        values = {k: (request.POST.get(k) or "")[:5000] for k in values}
        try:
            notice_services.notice_publish(
                actor=request.user,
                title=values["title"],
                body=values["body"],
                starts_on=_iso_date(values["starts_on"]),
                ends_on=_iso_date(values["ends_on"]),
            )
            messages.success(request, _("通知已发布"))
            return redirect("office:notices")
        except FieldErrors as exc:
            errors = exc.errors
    return render(
        request,
        "office/notices.html",
        {"notices": notices_all()[:200], "values": values, "errors": errors},
        status=400 if errors else 200,
    )


urlpatterns = [
    path("access-log/", access_log, name="access_log"),
    path("notices/", notices, name="notices"),
]
