"""Q11 单位欠费查询: periods not fully paid after their due date, with the amount owed and the late surcharge
as of today."""

from django.utils import timezone
from django.utils.translation import gettext as _

from shebao.contributions.selectors import arrears_for
from shebao.portal.queries.listing import Column, Listing
from shebao.portal.queries.page import render_query
from shebao.portal.queries.scope import employer_of
from shebao.portal.registry import portal_item


@portal_item("Q11")
def q11_arrears(request):
    employer = employer_of(request)
    today = timezone.localdate()
    arrears = arrears_for(employer=employer, as_of=today)
    listing = Listing(
        request,
        title=_("单位欠费"),
        columns=[
            Column("period", _("结算期"), kind="period", sort="period"),
            Column("amount_due", _("应缴金额"), kind="money"),
            Column("paid", _("已缴金额"), kind="money"),
            Column("owed", _("欠费金额"), kind="money", sort="owed"),
            Column("due_date", _("缴费期限"), kind="date"),
            Column("days_overdue", _("逾期天数"), kind="int", sort="days_overdue"),
            Column("surcharge_assessed_owed", _("已核定未缴滞纳金"), kind="money"),
            Column("surcharge_outstanding", _("应计滞纳金"), kind="money"),
            Column("surcharge", _("滞纳金合计"), kind="money"),
        ],
        rows=arrears.rows,
        search=None,
        tiebreak=None,
        default_sort="period",
        totals={"owed": arrears.owed, "surcharge": arrears.surcharge} if arrears.rows else None,
        empty_message=_("截至 %(today)s，本单位没有欠费。") % {"today": today.isoformat()},
    )
    if response := listing.respond():
        return response
    return render_query(
        request,
        "portal/queries/q11.html",
        {
            "listing": listing,
            "arrears": arrears,
            "today": today,
            "input_summary": _("截至 %(d)s") % {"d": today},
        },
    )
