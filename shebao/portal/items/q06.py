"""Q06 工伤支付明细查询: work-injury payments of a period as totals per cost item; each total opens its rows
(?detail=<item>|total)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.benefits.models import InjuryPayment
from shebao.benefits.selectors import benefit_totals, injury_payments
from shebao.portal.queries.benefits import component_rows, query_string, sum_of, summary_listing
from shebao.portal.queries.inputs import Inputs
from shebao.portal.queries.listing import Column, Listing
from shebao.portal.queries.page import render_query
from shebao.portal.queries.scope import employer_of
from shebao.portal.registry import portal_item

ITEM_LABELS = dict(InjuryPayment.Item.choices)
DETAILS = [*InjuryPayment.Item.choices, ("total", gettext_lazy("合计"))]


@portal_item("Q06")
def q06_injury_payments(request):
    employer = employer_of(request)
    inputs = Inputs.from_request(request)
    period = inputs.period()
    detail = inputs.choice("detail", DETAILS, label=_("明细项目"))
    if inputs.ok and detail:
        return _rows(request, inputs, employer=employer, period=period, detail=detail)
    totals = benefit_totals(employer=employer, kind="injury", period=period.value) if inputs.ok else None
    rows = []
    if totals and totals.count:
        components = [
            (k, label, totals.by_component[k])
            for k, label in InjuryPayment.Item.choices
            if k in totals.by_component
        ]
        components.append(("total", _("合计"), totals.total))
        rows = component_rows(period=period, components=components, count=totals.count)
    listing = summary_listing(
        request,
        title=_("工伤支付汇总"),
        label_header=_("费用项目"),
        rows=rows,
        empty_message=_("%(period)s 期没有工伤待遇支付记录。") % {"period": period},
    )
    if inputs.ok and (response := listing.respond()):
        return response
    return render_query(
        request,
        "portal/queries/q06.html",
        {
            "inputs": inputs.values,
            "errors": list(inputs.errors.values()),
            "listing": listing,
            "period": period,
            "totals": totals,
            "input_summary": _("支付期 %(period)s") % {"period": period},
        },
    )


def _rows(request, inputs, *, employer, period, detail: str):
    rows = injury_payments(employer=employer, period=period.value, item=None if detail == "total" else detail)
    listing = Listing(
        request,
        title=_("工伤支付明细"),
        columns=[
            Column("person.id_number", _("公民身份号码"), sort="person__id_number", name="id_number"),
            Column("person.name", _("姓名"), sort="person__name", name="name"),
            Column("case.case_number", _("案件编号"), sort="case__case_number", name="case"),
            Column("case.accident_date", _("事故日期"), kind="date"),
            Column("item", _("费用项目"), sort="item", display=lambda v: str(ITEM_LABELS.get(v, v))),
            Column("amount", _("金额"), kind="money", sort="amount"),
            Column("paid_on", _("支付日期"), kind="date", sort="paid_on"),
            Column("note", _("说明")),
        ],
        rows=rows,
        default_sort="id_number",
        empty_message=_("没有符合条件的工伤待遇支付记录。"),
    )
    listing.totals = {"amount": sum_of(listing.rows_source, "amount")}
    if response := listing.respond():
        return response
    label = _("全部费用") if detail == "total" else ITEM_LABELS[detail]
    heading = _("%(period)s 期%(item)s明细") % {"period": period, "item": label}
    return render_query(
        request,
        "portal/queries/benefit_detail.html",
        {
            "listing": listing,
            "heading": heading,
            "back_url": query_string(period=str(period)),
            "input_summary": heading,
        },
    )
