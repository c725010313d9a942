"""Q10 单位缴费到账查询: the employer's arrivals in a period range and the periods each was applied to
(tab "arrivals"), or per period what was paid to it and when (tab "periods"); above either, the overpayment
held as credit (unallocated less refunded) and the refunds paid (H18)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.contributions.selectors import (
    arrivals_for,
    arrivals_for_periods,
    employer_credit_summary,
    refunds_for,
)
from shebao.core.money import format_money
from shebao.portal.queries.inputs import Inputs
from shebao.portal.queries.listing import Column, Listing
from shebao.portal.queries.page import render_query
from shebao.portal.queries.scope import employer_of
from shebao.portal.registry import portal_item

TABS = [("arrivals", gettext_lazy("按到账")), ("periods", gettext_lazy("按结算期"))]


def _applied_to(arrival) -> str:
    parts = [
        f"{a.period}: {format_money(a.amount)}" + (_("（滞纳金）") if a.kind == "surcharge" else "")
        for a in arrival.allocations.all()
    ]
    return "；".join(parts)


@portal_item("Q10")
def q10_arrivals(request):
    employer = employer_of(request)
    inputs = Inputs.from_request(request)
    start, end = inputs.period_range(default_months=12)
    tab = inputs.choice("tab", TABS, default="arrivals", label=_("查看方式"))
    if tab == "arrivals":
        rows = arrivals_for(employer=employer, start=start.first_day(), end=end.last_day())
        columns = [
            Column("received_on", _("到账日期"), kind="date", sort="received_on"),
            Column("reference", _("银行流水号"), sort="reference"),
            Column("amount", _("到账金额"), kind="money", sort="amount"),
            Column("allocated", _("已分配"), kind="money"),
            Column("credit", _("未分配(溢缴)"), kind="money"),
            Column("period", _("指定结算期"), kind="period"),
            Column(_applied_to, _("分配至结算期"), name="applied"),
        ]
        default_sort = "-received_on"
        empty = _("%(start)s 至 %(end)s 期间没有到账记录。")
    else:
        rows = arrivals_for_periods(employer=employer, start=start.value, end=end.value)
        columns = [
            Column("period", _("结算期"), kind="period", sort="period"),
            Column("get_kind_display", _("分配项目"), name="kind"),
            Column("amount", _("分配金额"), kind="money", sort="amount"),
            Column("applied_on", _("缴费日期"), kind="date", sort="applied_on"),
            Column("arrival.reference", _("银行流水号")),
            Column("days_late", _("滞纳天数"), kind="int"),
            Column("surcharge", _("核定滞纳金"), kind="money"),
        ]
        default_sort = "-period"
        empty = _("%(start)s 至 %(end)s 各期没有到账分配记录。")
    listing = Listing(
        request,
        title=_("单位缴费到账"),
        columns=columns,
        rows=rows,
        search=None,
        default_sort=default_sort,
        empty_message=empty % {"start": start, "end": end},
    )
    if inputs.ok and (response := listing.respond()):
        return response
    return render_query(
        request,
        "portal/queries/q10.html",
        {
            "inputs": inputs.values,
            "errors": list(inputs.errors.values()),
            "listing": listing if inputs.ok else None,
            "tabs": TABS,
            "tab": tab,
            "start": start,
            "end": end,
            "input_summary": f"{start} — {end} · {dict(TABS)[tab]}",
            "credit": employer_credit_summary(employer=employer),
            "refunds": refunds_for(employer=employer)[:50],
        },
    )
