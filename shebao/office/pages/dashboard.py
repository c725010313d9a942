"""统计 (office dashboard): the month's declarations, review times, settlement totals, arrivals and arrears,
headcounts — as server-side SVG charts (core.charts, as Q19) and tables, each table exportable as CSV."""

from __future__ import annotations

from decimal import Decimal

from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.accounts.permissions import office_role_required
from shebao.core.charts import Series, line_chart
from shebao.core.export import csv_response
from shebao.core.money import format_count, format_money
from shebao.core.period import Period
from shebao.office import statistics

VIEWERS = ("is_office_admin", "is_auditor", "is_settlement", "is_finance")


def _month(request) -> Period:
    raw = (request.GET.get("month") or "").strip()
    try:
        return Period(int(raw)) if raw else Period.current()
    except ValueError:
        return Period.current()


def _hours(value) -> str:
    return "—" if value is None else f"{value:.1f}"


def _shown(row: list) -> list[str]:
    """A table row as the page shows it (the CSV export keeps the plain figures): amounts with two decimals and
    separators, counts (ints) with separators; periods (strings here) and text as they are."""
    out = []
    for cell in row:
        if isinstance(cell, Decimal):
            out.append(format_money(cell))
        elif isinstance(cell, int) and not isinstance(cell, bool):
            out.append(format_count(cell))
        else:
            out.append(str(cell))
    return out


def _tables(month: Period) -> dict:
    declarations = statistics.declarations_by_item_and_state(period=month)
    review = statistics.review_hours(period=month)
    totals = statistics.period_totals(end=month)
    arrivals = statistics.arrivals_by_month(end=month)
    heads = statistics.headcount_by_insurance_and_district()
    return {
        "declarations": (
            [_("事项编码"), _("事项"), *[str(label) for _s, label in declarations["states"]], _("合计")],
            [[r["code"], str(r["name"]), *r["counts"], r["total"]] for r in declarations["rows"]],
        ),
        "review": (
            [_("审结件数"), _("中位数(小时)"), _("90%分位(小时)"), _("95%分位(小时)")],
            [[review["count"], _hours(review["p50"]), _hours(review["p90"]), _hours(review["p95"])]],
        ),
        "settlement": (
            [_("结算期"), _("结算单位数"), _("应缴合计"), _("已缴合计"), _("欠缴"), _("未缴清单位数")],
            [[str(r["period"]), r["employers"], r["due"], r["paid"], r["owed"], r["unpaid"]] for r in totals],
        ),
        "arrivals": (
            [_("到账月份"), _("到账笔数"), _("到账金额")],
            [[str(r["period"]), r["count"], r["amount"]] for r in arrivals],
        ),
        "headcount": (
            [_("行政区划"), *[str(label) for _i, label in heads["insurances"]]],
            [[r["district"] or "—", *r["counts"]] for r in heads["rows"]],
        ),
        "_raw": {"totals": totals, "arrivals": arrivals, "heads": heads, "review": review},
    }


TITLES = {
    "declarations": gettext_lazy("本月申报(按事项和状态)"),
    "review": gettext_lazy("审核用时"),
    "settlement": gettext_lazy("各期结算合计"),
    "arrivals": gettext_lazy("到账"),
    "headcount": gettext_lazy("参保人数(按险种和区划)"),
}


@office_role_required(*VIEWERS)
def dashboard(request):
    month = _month(request)
    tables = _tables(month)
    raw = tables.pop("_raw")
    export = request.GET.get("export")
    if export:
        if export not in tables:
            raise Http404
        header, rows = tables[export]
        return csv_response(
            f"{export}_{month}.csv", [str(h) for h in header], ([str(c) for c in r] for r in rows)
        )
    totals, arrivals = raw["totals"], raw["arrivals"]
    charts = []
    if totals:
        charts.append(
            line_chart(
                title=_("各期应缴与已缴（元）"),
                labels=[str(r["period"]) for r in totals],
                series=[
                    Series(_("应缴"), [r["due"] for r in totals]),
                    Series(_("已缴"), [r["paid"] for r in totals]),
                ],
            )
        )
    if any(r["count"] for r in arrivals):
        charts.append(
            line_chart(
                title=_("每月到账金额（元）"),
                labels=[str(r["period"]) for r in arrivals],
                series=[Series(_("到账"), [r["amount"] for r in arrivals])],
            )
        )
    sections = [
        {"key": key, "title": TITLES[key], "header": header, "rows": [_shown(r) for r in rows]}
        for key, (header, rows) in tables.items()
    ]
    return render(
        request,
        "office/dashboard.html",
        {"month": month, "charts": charts, "sections": sections, "headcount_period": raw["heads"]["period"]},
    )


urlpatterns = [path("dashboard/", dashboard, name="dashboard")]
