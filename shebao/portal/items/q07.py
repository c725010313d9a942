"""Q07 个人养老帐户查询: one person's pension account for a year (employer: its employee; individual: self)."""

from django.utils.translation import gettext as _

from shebao.individual_accounts.selectors import pension_account_year
from shebao.portal.queries.listing import Column, Listing
from shebao.portal.queries.page import render_query
from shebao.portal.queries.personal import personal_subject
from shebao.portal.registry import portal_item


@portal_item("Q07")
def q07_pension_account(request):
    inputs, scope, person, context = personal_subject(request)
    year = inputs.year()
    account = pension_account_year(person=person, year=year) if person is not None and inputs.ok else None
    rows = (
        [{"month": f"{year}{month:02d}", "amount": amount} for month, amount in account.monthly]
        if account
        else []
    )
    listing = Listing(
        request,
        title=_("养老帐户月度记账"),
        columns=[
            Column("month", _("记账月份"), kind="period"),
            Column("amount", _("记账金额"), kind="money"),
        ],
        rows=rows,
        search=None,
        tiebreak=None,
        totals={"amount": account.credits} if account and rows else None,
        empty_message=_("%(year)s 年度没有个人缴费划入记录。") % {"year": year},
    )
    if account and (response := listing.respond()):
        return response
    return render_query(
        request,
        "portal/queries/q07.html",
        {
            **context,
            "inputs": inputs.values,
            "errors": list(inputs.errors.values()),
            "listing": listing,
            "account": account,
            "year": year,
            "input_summary": _("%(year)s 年度") % {"year": year},
        },
    )
