"""Q01 单位基本信息查询: the logged-in employer's profile and its insured headcount by insurance."""

from django.utils.translation import gettext as _

from shebao.contributions.selectors import payables_for
from shebao.core.choices import Insurance
from shebao.parameters.selectors import ParameterMissing, risk_class_rate
from shebao.portal.queries.inputs import Inputs
from shebao.portal.queries.listing import Column, Listing
from shebao.portal.queries.page import render_query
from shebao.portal.queries.records import headcount_by_insurance
from shebao.portal.queries.scope import employer_of
from shebao.portal.registry import portal_item


@portal_item("Q01")
def q01_employer_profile(request):
    employer = employer_of(request)
    inputs = Inputs.from_request(request)
    period = inputs.current
    try:
        injury_rate = risk_class_rate(risk_class=employer.risk_class, period=period.value)
    except ParameterMissing:
        injury_rate = None
    settled = payables_for(employer=employer, period=period.value).rows
    if settled:  # the current period is settled: its headcount per insurance is stored with the payables
        counts = dict.fromkeys(Insurance.values, 0) | {row.insurance: row.headcount for row in settled}
    else:
        counts = headcount_by_insurance(employer=employer, period=period.value)
    rows = [{"insurance": label, "count": counts[value]} for value, label in Insurance.choices]
    listing = Listing(
        request,
        title=_("单位参保人数"),
        columns=[Column("insurance", _("险种")), Column("count", _("参保人数"), kind="int")],
        rows=rows,
        search=None,
        tiebreak=None,
    )
    if response := listing.respond():
        return response
    return render_query(
        request,
        "portal/queries/q01.html",
        {
            "employer": employer,
            "injury_rate": injury_rate,
            "period": period,
            "listing": listing,
            "settled": bool(settled),
        },
    )
