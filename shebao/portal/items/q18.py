"""Q18 年度对账单: the employer's statement of a year: per month payables, arrivals, arrears, headcount."""

from django.utils.translation import gettext as _

from shebao.contributions.selectors import annual_statement
from shebao.core.money import ZERO
from shebao.portal.queries.inputs import Inputs
from shebao.portal.queries.listing import Column, Listing
from shebao.portal.queries.page import render_query
from shebao.portal.queries.scope import employer_of
from shebao.portal.registry import portal_item


@portal_item("Q18")
def q18_statement(request):
    employer = employer_of(request)
    inputs = Inputs.from_request(request)
    year = inputs.year()
    months = annual_statement(employer=employer, year=year) if inputs.ok else []
    totals = None
    if months:
        totals = {
            "amount_due": sum((m.amount_due for m in months), ZERO),
            "arrived": sum((m.arrived for m in months), ZERO),
            "owed": sum((m.owed for m in months), ZERO),
            "surcharge_assessed": sum((m.surcharge_assessed for m in months), ZERO),
            "surcharge_paid": sum((m.surcharge_paid for m in months), ZERO),
            "surcharge_waived": sum((m.surcharge_waived for m in months), ZERO),
        }
    listing = Listing(
        request,
        title=_("年度对账单"),
        columns=[
            Column("period", _("结算期"), kind="period"),
            Column("headcount", _("参保人数"), kind="int"),
            Column("amount_due", _("应缴金额"), kind="money"),
            Column("arrived", _("到账金额"), kind="money"),
            Column("owed", _("欠费金额"), kind="money"),
            Column("paid_on", _("缴清日期"), kind="date"),
            Column("surcharge_assessed", _("核定滞纳金"), kind="money"),
            Column("surcharge_paid", _("已缴滞纳金"), kind="money"),
            Column("surcharge_waived", _("减免滞纳金"), kind="money"),
        ],
        rows=months,
        search=None,
        tiebreak=None,
        totals=totals,
        empty_message=_("%(year)s 年度没有结算记录。") % {"year": year},
    )
    if inputs.ok and (response := listing.respond()):
        return response
    return render_query(
        request,
        "portal/queries/q18.html",
        {
            "inputs": inputs.values,
            "errors": list(inputs.errors.values()),
            "listing": listing,
            "year": year,
            "employer": employer,
            "input_summary": _("%(year)s 年度") % {"year": year},
        },
    )
