"""Q20 政策参数查询 (public, no login): the published average wage, base limits and rates of a year."""

from django.utils.translation import gettext as _

from shebao.portal.queries.inputs import Inputs
from shebao.portal.queries.listing import Column, Listing
from shebao.portal.queries.page import render_query
from shebao.portal.queries.parameters import parameters_for_year, published_years
from shebao.portal.registry import portal_item


def _employer_rate_text(value) -> str:
    from shebao.core.money import format_rate

    return format_rate(value) if value is not None else _("按工伤风险类别")


@portal_item("Q20")
def q20_parameters(request):
    inputs = Inputs.from_request(request)
    year = inputs.year()
    published = parameters_for_year(year) if inputs.ok else {"rows": [], "limits": [], "risk_rates": []}
    listing = Listing(
        request,
        title=_("政策参数"),
        columns=[
            Column("insurance", _("险种")),
            Column("employer_type", _("适用单位类型"), display=lambda v: v or _("全部")),
            Column("effective_from", _("起始期"), kind="period"),
            Column("employer_rate", _("单位缴费比例"), display=_employer_rate_text),
            Column("individual_rate", _("个人缴费比例"), kind="rate"),
            Column("floor", _("基数下限"), kind="money"),
            Column("ceiling", _("基数上限"), kind="money"),
        ],
        rows=published["rows"],
        search=None,
        tiebreak=None,
        empty_message=_("%(year)s 年度的政策参数尚未公布。") % {"year": year},
    )
    if inputs.ok and (response := listing.respond()):
        return response
    return render_query(
        request,
        "portal/queries/q20.html",
        {
            "inputs": inputs.values,
            "errors": list(inputs.errors.values()),
            "listing": listing,
            "year": year,
            "published": published,
            "years": published_years(),
            "input_summary": _("%(year)s 年度") % {"year": year},
        },
    )
