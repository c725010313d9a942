"""职工详情: one employee of the employer in one place — who, their employment and insurances here, the base,
this year's pension and medical accounts, a year of contributions as a months × insurances grid, and the
declarations made for them; with the actions an operator takes next. Reached from the roster (Q02)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from shebao.accounts.permissions import can_use_item, item_required
from shebao.catalogue.items import get_item
from shebao.contributions.selectors import person_contributions
from shebao.core.choices import Insurance
from shebao.declarations import clock
from shebao.declarations.selectors import declarations_for_employer
from shebao.individual_accounts.selectors import medical_account_year, pension_account_year
from shebao.persons.models import Coverage, Employment

from .items.q09 import contribution_grid, contribution_rows
from .queries.records import current_bases
from .queries.scope import PersonNotFound, employee_lookup, employer_of

INSURANCE_LABELS = dict(Insurance.choices)


def employee_url(id_number: str) -> str:
    return reverse("portal:employee") + "?" + urlencode({"id_number": id_number})


@item_required("Q02")
def employee(request):
    employer = employer_of(request)
    try:
        person = employee_lookup(
            employer=employer, id_number=(request.GET.get("id_number") or "").strip()[:20]
        )
    except PersonNotFound as exc:
        raise Http404 from exc
    period = clock.current_period()
    employments = list(Employment.objects.filter(person=person, employer=employer).order_by("-start_period"))
    covered = {}
    for c in Coverage.objects.filter(employment__in=employments).order_by("insurance"):
        covered.setdefault(c.employment_id, []).append(c)
    base = current_bases(employer=employer, person_ids={person.pk}, period=period.value).get(person.pk)
    user = request.user

    def allowed(code):
        return can_use_item(user, get_item(code))

    grid = None
    if allowed("Q09"):
        months = person_contributions(
            person=person, start=(period - 11).value, end=period.value, employer=employer
        )
        grid = contribution_grid(contribution_rows(months))
    query = urlencode({"id_number": person.id_number})
    context = {
        "person": person,
        "employments": [
            {
                "e": e,
                "coverages": [
                    {"label": INSURANCE_LABELS.get(c.insurance, c.insurance), "c": c}
                    for c in covered.get(e.pk, [])
                ],
            }
            for e in employments
        ],
        "open_employment": next((e for e in employments if e.stop_period is None), None),
        "base": base,
        "period": period,
        "pension": pension_account_year(person=person, year=period.year) if allowed("Q07") else None,
        "medical": medical_account_year(person=person, year=period.year) if allowed("Q08") else None,
        "grid": grid,
        "grid_from": period - 11,
        "declarations": list(declarations_for_employer(employer=employer, search=person.id_number)[:10])
        if allowed("PROGRESS")
        else [],
        "links": [
            (code, label, f"{reverse('portal:item', args=[code])}?{query}{extra}")
            for code, label, extra in (
                ("Q09", _("缴费明细"), ""),
                ("Q07", _("养老帐户"), ""),
                ("Q08", _("医疗帐户"), ""),
                ("H08", _("缴费基数调整"), "&lookup=1"),
                ("H04", _("人员减少(停保)"), "&lookup=1"),
            )
            if allowed(code)
        ],
    }
    return render(request, "portal/employee.html", context)
