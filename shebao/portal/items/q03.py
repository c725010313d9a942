"""Q03 社保应付信息查询: the employer's payables of one period per insurance; every amount opens the
per-person lines behind it (drill-down: ?insurance=…&part=employer|individual|total)."""

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.contributions.models import LineKind
from shebao.contributions.selectors import payable_lines, payables_for
from shebao.core.choices import Insurance
from shebao.core.money import ZERO, round_money
from shebao.portal.queries.inputs import Inputs
from shebao.portal.queries.listing import Column, Listing, query_string
from shebao.portal.queries.page import render_query
from shebao.portal.queries.scope import employer_of
from shebao.portal.registry import portal_item

PARTS = [
    ("employer", gettext_lazy("单位缴纳")),
    ("individual", gettext_lazy("个人缴纳")),
    ("total", gettext_lazy("合计")),
]
INSURANCE_LABELS = dict(Insurance.choices)
KIND_LABELS = dict(LineKind.choices)


def _sum(value) -> Decimal:
    return round_money(Decimal(str(value))) if value is not None else ZERO


def drill_url(period, part: str, insurance: str = "") -> str:
    return query_string(period=str(period), insurance=insurance, part=part)


@portal_item("Q03")
def q03_payables(request):
    employer = employer_of(request)
    inputs = Inputs.from_request(request)
    period = inputs.period()
    part = inputs.choice("part", PARTS, label=_("缴费项目"))
    insurance = inputs.choice("insurance", Insurance.choices, label=_("险种"))
    if inputs.ok and part:
        return _detail(request, inputs, employer=employer, period=period, part=part, insurance=insurance)

    summary = payables_for(employer=employer, period=period.value) if inputs.ok else None
    rows = summary.rows if summary else []

    def link(part_name):
        # A zero figure (work injury and maternity have no individual part) has nothing to open.
        field = {"employer": "employer_amount", "individual": "individual_amount", "total": "total"}[
            part_name
        ]
        return lambda row: drill_url(period, part_name, row.insurance) if getattr(row, field) else None

    totals = {}
    if summary and rows:
        totals = {
            "employer_amount": (summary.employer_amount, drill_url(period, "employer")),
            "individual_amount": (summary.individual_amount, drill_url(period, "individual")),
            "total": (summary.total, drill_url(period, "total")),
        }
    listing = Listing(
        request,
        title=_("社保应付信息"),
        columns=[
            Column("label", _("险种")),
            Column("headcount", _("人数"), kind="int"),
            Column("employer_amount", _("单位缴纳"), kind="money", link=link("employer")),
            Column("individual_amount", _("个人缴纳"), kind="money", link=link("individual")),
            Column("total", _("合计"), kind="money", link=link("total")),
        ],
        rows=rows,
        search=None,
        tiebreak=None,
        totals=totals,
        empty_message=_("%(period)s 期没有应缴费用（尚未核定或本期无人参保）。") % {"period": period},
    )
    if inputs.ok and (response := listing.respond()):
        return response
    return render_query(
        request,
        "portal/queries/q03.html",
        {
            "inputs": inputs.values,
            "errors": list(inputs.errors.values()),
            "listing": listing,
            "list_class": "summary",
            "summary": summary,
            "period": period,
            "input_summary": _("结算期 %(period)s") % {"period": period},
        },
    )


def _detail(request, inputs, *, employer, period, part: str, insurance: str):
    lines = payable_lines(employer=employer, period=period.value, insurance=insurance or None)
    amount_columns = {
        "employer": [
            Column("employer_rate", _("单位缴费比例"), kind="rate"),
            Column("employer_amount", _("单位缴纳"), kind="money", sort="employer_amount"),
        ],
        "individual": [
            Column("individual_rate", _("个人缴费比例"), kind="rate"),
            Column("individual_amount", _("个人缴纳"), kind="money", sort="individual_amount"),
        ],
        "total": [
            Column("employer_amount", _("单位缴纳"), kind="money", sort="employer_amount"),
            Column("individual_amount", _("个人缴纳"), kind="money", sort="individual_amount"),
            Column("total", _("合计"), kind="money"),
        ],
    }[part]
    if part == "individual":
        # Insurances without an individual part (work injury, maternity) have only zero lines here.
        lines = lines.exclude(individual_rate=0, individual_amount=0)
    listing = Listing(
        request,
        title=_("应缴明细"),
        columns=[
            Column("person.id_number", _("公民身份号码"), sort="person__id_number", name="id_number"),
            Column("person.name", _("姓名"), sort="person__name", name="name"),
            Column(
                "insurance", _("险种"), sort="insurance", display=lambda v: str(INSURANCE_LABELS.get(v, v))
            ),
            Column("kind", _("类型"), display=lambda v: str(KIND_LABELS.get(v, v))),
            Column("base", _("缴费基数"), kind="money", sort="base"),
            *amount_columns,
        ],
        rows=lines,
        tiebreak=("insurance", "id"),  # index (period, employer, insurance) gives this order cheaply
        empty_message=_("没有符合条件的应缴明细。"),
    )
    if listing.term:
        agg = listing.rows_source.aggregate(e=Sum("employer_amount"), i=Sum("individual_amount"))
        employer_total, individual_total = _sum(agg["e"]), _sum(agg["i"])
    else:
        # Unsearched, the lines add up to the stored payables the summary shows (settlement writes both from
        # the same lines); reading those avoids summing 250,000 lines of a large employer on every page.
        rows = [
            r
            for r in payables_for(employer=employer, period=period.value).rows
            if r.insurance == insurance or not insurance
        ]
        employer_total = sum((r.employer_amount for r in rows), ZERO)
        individual_total = sum((r.individual_amount for r in rows), ZERO)
    totals = {
        "employer": {"employer_amount": employer_total},
        "individual": {"individual_amount": individual_total},
        "total": {
            "employer_amount": employer_total,
            "individual_amount": individual_total,
            "total": employer_total + individual_total,
        },
    }[part]
    listing.totals = totals
    if response := listing.respond():
        return response
    heading = _("%(period)s 期 %(insurance)s %(part)s明细") % {
        "period": period,
        "insurance": INSURANCE_LABELS[insurance] if insurance else _("全部险种"),
        "part": dict(PARTS)[part],
    }
    return render_query(
        request,
        "portal/queries/q03_detail.html",
        {
            "inputs": inputs.values,
            "listing": listing,
            "heading": heading,
            "back_url": query_string(period=str(period)),
            "figure": totals.get("total", totals.get(f"{part}_amount")),
            "input_summary": heading,
        },
    )
