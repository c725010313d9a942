"""Q05 生育支付明细查询: maternity payments of a period as totals (allowance, medical costs, total);
each total opens its rows (?detail=allowance|medical_costs|total)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.benefits.models import MaternityPayment
from shebao.benefits.selectors import benefit_totals, maternity_payments
from shebao.portal.queries.benefits import component_rows, query_string, sum_of, summary_listing
from shebao.portal.queries.inputs import Inputs
from shebao.portal.queries.listing import Column, Listing
from shebao.portal.queries.page import render_query
from shebao.portal.queries.scope import employer_of
from shebao.portal.registry import portal_item

COMPONENTS = [
    ("allowance", gettext_lazy("生育津贴")),
    ("medical_costs", gettext_lazy("医疗费用")),
    ("total", gettext_lazy("合计")),
]
DELIVERY_LABELS = dict(MaternityPayment.DeliveryType.choices)


@portal_item("Q05")
def q05_maternity_payments(request):
    employer = employer_of(request)
    inputs = Inputs.from_request(request)
    period = inputs.period()
    detail = inputs.choice("detail", COMPONENTS, label=_("明细项目"))
    if inputs.ok and detail:
        return _rows(request, inputs, employer=employer, period=period, detail=detail)
    totals = benefit_totals(employer=employer, kind="maternity", period=period.value) if inputs.ok else None
    rows = []
    if totals and totals.count:
        amounts = {**totals.by_component, "total": totals.total}
        rows = component_rows(
            period=period, components=[(k, label, amounts[k]) for k, label in COMPONENTS], count=totals.count
        )
    listing = summary_listing(
        request,
        title=_("生育支付汇总"),
        label_header=_("项目"),
        rows=rows,
        empty_message=_("%(period)s 期没有生育待遇支付记录。") % {"period": period},
    )
    if inputs.ok and (response := listing.respond()):
        return response
    return render_query(
        request,
        "portal/queries/q05.html",
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
    rows = maternity_payments(employer=employer, period=period.value)
    if detail != "total":
        rows = rows.filter(**{f"{detail}__gt": 0})
    listing = Listing(
        request,
        title=_("生育支付明细"),
        columns=[
            Column("person.id_number", _("公民身份号码"), sort="person__id_number", name="id_number"),
            Column("person.name", _("姓名"), sort="person__name", name="name"),
            Column("delivery_date", _("生育日期"), kind="date", sort="delivery_date"),
            Column("delivery_type", _("生育类型"), display=lambda v: str(DELIVERY_LABELS.get(v, v))),
            Column("hospital", _("医院")),
            Column("leave_days", _("产假天数"), kind="int"),
            Column("average_base", _("单位月平均缴费基数"), kind="money"),
            Column("allowance", _("生育津贴"), kind="money", sort="allowance"),
            Column("medical_costs", _("医疗费用"), kind="money", sort="medical_costs"),
            Column("total", _("合计"), kind="money", sort="total"),
            Column("paid_on", _("支付日期"), kind="date", sort="paid_on"),
        ],
        rows=rows,
        default_sort="id_number",
        empty_message=_("没有符合条件的生育待遇支付记录。"),
    )
    source = listing.rows_source
    listing.totals = {field: sum_of(source, field) for field in ("allowance", "medical_costs", "total")}
    if response := listing.respond():
        return response
    heading = _("%(period)s 期%(item)s明细") % {"period": period, "item": dict(COMPONENTS)[detail]}
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
