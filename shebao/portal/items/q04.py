"""Q04 养老支付明细查询: pension paid to the employer's retirees in a period, with its components."""

from django.utils.translation import gettext as _

from shebao.benefits.selectors import benefit_totals, pension_payments
from shebao.portal.queries.inputs import Inputs
from shebao.portal.queries.listing import Column, Listing
from shebao.portal.queries.page import render_query
from shebao.portal.queries.scope import employer_of
from shebao.portal.registry import portal_item


@portal_item("Q04")
def q04_pension_payments(request):
    employer = employer_of(request)
    inputs = Inputs.from_request(request)
    period = inputs.period()
    totals = benefit_totals(employer=employer, kind="pension", period=period.value) if inputs.ok else None
    listing = Listing(
        request,
        title=_("养老支付明细"),
        columns=[
            Column("person.id_number", _("公民身份号码"), sort="person__id_number", name="id_number"),
            Column("person.name", _("姓名"), sort="person__name", name="name"),
            Column("basic_amount", _("基础养老金"), kind="money", sort="basic_amount"),
            Column("account_amount", _("个人帐户养老金"), kind="money", sort="account_amount"),
            Column("transitional_amount", _("过渡性养老金"), kind="money"),
            Column("supplement_amount", _("调整及补贴"), kind="money"),
            Column("total", _("月养老金"), kind="money", sort="total"),
            Column("paid_on", _("支付日期"), kind="date"),
        ],
        rows=pension_payments(employer=employer, period=period.value),
        totals=(
            {
                "basic_amount": totals.by_component["basic_amount"],
                "account_amount": totals.by_component["account_amount"],
                "transitional_amount": totals.by_component["transitional_amount"],
                "supplement_amount": totals.by_component["supplement_amount"],
                "total": totals.total,
            }
            if totals and totals.count
            else None
        ),
        empty_message=_("%(period)s 期没有养老金支付记录。") % {"period": period},
    )
    if listing.term and listing.totals:
        listing.totals = None  # the totals are the period's; a search shows only matching rows
    if inputs.ok and (response := listing.respond()):
        return response
    return render_query(
        request,
        "portal/queries/q04.html",
        {
            "inputs": inputs.values,
            "errors": list(inputs.errors.values()),
            "listing": listing,
            "period": period,
            "totals": totals,
            "input_summary": _("支付期 %(period)s") % {"period": period},
        },
    )
