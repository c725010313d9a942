"""Q08 个人医疗帐户查询: one person's medical account for a year: credits, spending, balance."""

from django.utils.translation import gettext as _

from shebao.individual_accounts.models import MedicalEntry
from shebao.individual_accounts.selectors import medical_account_year
from shebao.portal.queries.listing import Column, Listing
from shebao.portal.queries.page import render_query
from shebao.portal.queries.personal import personal_subject
from shebao.portal.registry import portal_item

KIND_LABELS = dict(MedicalEntry.Kind.choices)


@portal_item("Q08")
def q08_medical_account(request):
    inputs, scope, person, context = personal_subject(request)
    year = inputs.year()
    account = medical_account_year(person=person, year=year) if person is not None and inputs.ok else None
    listing = Listing(
        request,
        title=_("医疗帐户明细"),
        columns=[
            Column("entry_date", _("发生日期"), kind="date", sort="entry_date"),
            Column("period", _("所属期"), kind="period", sort="period"),
            Column("kind", _("类型"), display=lambda v: str(KIND_LABELS.get(v, v))),
            Column("amount", _("金额"), kind="money", sort="amount"),
            Column("place", _("消费机构")),
            Column("reference", _("单据号")),
        ],
        rows=account.entries if account else [],
        search=None,
        tiebreak=None,
        empty_message=_("%(year)s 年度没有医疗帐户收支记录。") % {"year": year},
    )
    if account and (response := listing.respond()):
        return response
    return render_query(
        request,
        "portal/queries/q08.html",
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
