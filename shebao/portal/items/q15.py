"""Q15 单位缴费比例查询: the rates that apply to this employer in a period, per insurance and part."""

from django.utils.translation import gettext as _

from shebao.core.choices import Insurance
from shebao.parameters.selectors import ParameterMissing, rates_for
from shebao.portal.queries.inputs import Inputs
from shebao.portal.queries.listing import Column, Listing
from shebao.portal.queries.page import render_query
from shebao.portal.queries.scope import employer_of
from shebao.portal.registry import portal_item


def employer_rates(*, employer, period: int) -> list[dict]:
    rows = []
    for value, label in Insurance.choices:
        try:
            employer_rate, individual_rate = rates_for(employer=employer, insurance=value, period=period)
        except ParameterMissing:
            continue
        rows.append(
            {
                "insurance": label,
                "employer_rate": employer_rate,
                "individual_rate": individual_rate if value not in ("injury", "maternity") else None,
                "total_rate": employer_rate + individual_rate,
            }
        )
    return rows


@portal_item("Q15")
def q15_rates(request):
    employer = employer_of(request)
    inputs = Inputs.from_request(request)
    period = inputs.period()
    rows = employer_rates(employer=employer, period=period.value) if inputs.ok else []
    listing = Listing(
        request,
        title=_("单位缴费比例"),
        columns=[
            Column("insurance", _("险种")),
            Column("employer_rate", _("单位缴费比例"), kind="rate"),
            Column("individual_rate", _("个人缴费比例"), kind="rate"),
            Column("total_rate", _("合计"), kind="rate"),
        ],
        rows=rows,
        search=None,
        tiebreak=None,
        empty_message=_("%(period)s 期的缴费比例尚未设置。") % {"period": period},
    )
    if inputs.ok and (response := listing.respond()):
        return response
    return render_query(
        request,
        "portal/queries/q15.html",
        {
            "inputs": inputs.values,
            "errors": list(inputs.errors.values()),
            "listing": listing,
            "period": period,
            "employer": employer,
            "input_summary": _("结算期 %(period)s") % {"period": period},
        },
    )
