"""Q09 个人缴费明细查询: one person's contributions month by month and per insurance over a period range,
with base and arrival state. An employer sees only its own lines; an individual sees all of theirs."""

from django.utils.translation import gettext as _

from shebao.contributions.selectors import person_contributions
from shebao.core.choices import Insurance
from shebao.core.money import ZERO
from shebao.employers.models import Employer
from shebao.portal.queries.listing import Column, Listing
from shebao.portal.queries.page import render_query
from shebao.portal.queries.personal import personal_subject
from shebao.portal.registry import portal_item

INSURANCE_LABELS = dict(Insurance.choices)
INSURANCE_ORDER = {value: index for index, value in enumerate(Insurance.values)}
MAX_MONTHS = 120


@portal_item("Q09")
def q09_person_contributions(request):
    inputs, scope, person, context = personal_subject(request)
    start, end = inputs.period_range(default_months=12, max_months=MAX_MONTHS)
    months = []
    if person is not None and inputs.ok:
        months = person_contributions(
            person=person,
            start=start.value,
            end=end.value,
            employer=None if scope.is_individual else scope.employer,
        )
    rows = contribution_rows(months)
    grid = contribution_grid(rows)
    columns = [
        Column("period", _("结算期"), kind="period", sort="period"),
        Column("insurance", _("险种"), sort="insurance", display=lambda v: str(INSURANCE_LABELS.get(v, v))),
        Column("base", _("缴费基数"), kind="money"),
        Column("employer_amount", _("单位缴纳"), kind="money"),
        Column("individual_amount", _("个人缴纳"), kind="money"),
        Column("total", _("合计"), kind="money"),
        Column("state", _("到账状态"), sort="state"),
        Column("paid_on", _("到账日期"), kind="date"),
    ]
    if scope.is_individual:
        columns.insert(1, Column("employer", _("缴费单位"), sort="employer"))
    totals = None
    if rows:
        employer_total = sum((r["employer_amount"] for r in rows), ZERO)
        individual_total = sum((r["individual_amount"] for r in rows), ZERO)
        totals = {
            "employer_amount": employer_total,
            "individual_amount": individual_total,
            "total": employer_total + individual_total,
        }
    listing = Listing(
        request,
        title=_("个人缴费明细"),
        columns=columns,
        rows=rows,
        search=None,
        tiebreak=None,
        totals=totals,
        empty_message=_("%(start)s 至 %(end)s 期间没有缴费记录。") % {"start": start, "end": end},
    )
    if person is not None and inputs.ok and (response := listing.respond()):
        return response
    return render_query(
        request,
        "portal/queries/q09.html",
        {
            **context,
            "inputs": inputs.values,
            "errors": list(inputs.errors.values()),
            "listing": listing,
            "start": start,
            "end": end,
            "input_summary": f"{start} — {end}",
            "grid": grid,
        },
    )


def contribution_grid(rows: list[dict]) -> dict | None:
    """The months × insurances view of Q09's rows: each cell the month's total for that insurance (employer
    and individual parts), whether it has arrived, and after a 补差 on a paid period the difference still owed."""
    if not rows:
        return None
    insurances = [i for i in Insurance.values if any(r["insurance"] == i for r in rows)]
    by_month: dict[int, dict[str, dict]] = {}
    for r in rows:
        cell = by_month.setdefault(r["period"], {}).setdefault(
            r["insurance"], {"total": ZERO, "paid": True, "base": r["base"], "outstanding": ZERO}
        )
        cell["total"] += r["total"]
        cell["outstanding"] += r.get("outstanding") or ZERO
        cell["paid"] = cell["paid"] and r["paid_on"] is not None
    return {
        "insurances": [(i, INSURANCE_LABELS[i]) for i in insurances],
        "months": [
            {
                "period": period,
                "cells": [cells.get(i) for i in insurances],
                "total": sum((c["total"] for c in cells.values()), ZERO),
            }
            for period, cells in sorted(by_month.items())
        ],
    }


def contribution_rows(months) -> list[dict]:
    """Q09's rows from ``person_contributions``: one per month, insurance and employer, in that order."""
    names = (
        dict(Employer.objects.filter(pk__in={m.employer_id for m in months}).values_list("pk", "name"))
        if months
        else {}
    )
    rows = [
        {
            "period": m.period,
            "employer": names.get(m.employer_id, ""),
            "insurance": m.insurance,
            "base": m.base,
            "employer_amount": m.employer_amount,
            "individual_amount": m.individual_amount,
            "total": m.employer_amount + m.individual_amount,
            "state": m.state + (_("（补缴）") if m.back_payment else ""),
            "paid_on": m.paid_on if m.paid else None,
            "outstanding": m.outstanding,
        }
        for m in sorted(months, key=lambda m: (m.period, INSURANCE_ORDER.get(m.insurance, 9), m.employer_id))
    ]
    return rows
