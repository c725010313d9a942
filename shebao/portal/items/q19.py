"""Q19 缴费趋势分析: headcount, total base and payables per insurance over 12–36 months, drawn as server-side
SVG charts, with the same numbers as a table."""

from django.utils.translation import gettext as _

from shebao.contributions.selectors import payable_trend
from shebao.core.charts import Series, line_chart
from shebao.core.choices import Insurance
from shebao.core.money import ZERO
from shebao.core.period import period_range
from shebao.portal.queries.inputs import Inputs
from shebao.portal.queries.listing import Column, Listing
from shebao.portal.queries.page import render_query
from shebao.portal.queries.scope import employer_of
from shebao.portal.registry import portal_item

MIN_MONTHS, MAX_MONTHS = 12, 36


@portal_item("Q19")
def q19_trends(request):
    employer = employer_of(request)
    inputs = Inputs.from_request(request)
    start, end = inputs.period_range(default_months=12, min_months=MIN_MONTHS, max_months=MAX_MONTHS)
    points = (
        {p.period: p for p in payable_trend(employer=employer, start=start.value, end=end.value)}
        if inputs.ok
        else {}
    )
    periods = [p.value for p in period_range(start, end)] if inputs.ok else []
    rows = []
    for period in periods:
        point = points.get(period)
        by_insurance = point.by_insurance if point else {}
        row = {
            "period": period,
            "headcount": point.headcount if point else 0,
            "base_total": point.base_total if point else ZERO,
            **{ins: by_insurance.get(ins, ZERO) for ins in Insurance.values},
        }
        row["total"] = sum((row[ins] for ins in Insurance.values), ZERO)
        rows.append(row)
    charts = []
    if points:
        labels = [f"{str(p)[2:4]}/{str(p)[4:]}" for p in periods]
        charts = [
            line_chart(
                title=_("参保人数"),
                labels=labels,
                series=[Series(_("人数"), [r["headcount"] for r in rows])],
                money=False,
            ),
            line_chart(
                title=_("缴费基数合计（元）"),
                labels=labels,
                series=[Series(_("基数合计"), [r["base_total"] for r in rows])],
            ),
            line_chart(
                title=_("各险种应缴金额（元）"),
                labels=labels,
                series=[Series(str(label), [r[value] for r in rows]) for value, label in Insurance.choices],
            ),
        ]
    listing = Listing(
        request,
        title=_("缴费趋势"),
        columns=[
            Column("period", _("结算期"), kind="period"),
            Column("headcount", _("参保人数"), kind="int"),
            Column("base_total", _("缴费基数合计"), kind="money"),
            *[Column(value, str(label), kind="money") for value, label in Insurance.choices],
            Column("total", _("应缴合计"), kind="money"),
        ],
        rows=rows if points else [],
        search=None,
        tiebreak=None,
        per_page=MAX_MONTHS,
        empty_message=_("%(start)s 至 %(end)s 期间没有结算数据。") % {"start": start, "end": end},
    )
    if inputs.ok and (response := listing.respond()):
        return response
    return render_query(
        request,
        "portal/queries/q19.html",
        {
            "inputs": inputs.values,
            "errors": list(inputs.errors.values()),
            "listing": listing,
            "charts": charts,
            "start": start,
            "end": end,
            "input_summary": f"{start} — {end}",
        },
    )
