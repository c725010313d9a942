"""Q13 缴费基数查询: each employee's contribution base for a base year, and the floor/ceiling that applied."""

from django.utils.translation import gettext as _

from shebao.core.choices import Insurance
from shebao.parameters.models import BaseLimit
from shebao.persons.models import ContributionBase
from shebao.portal.queries.inputs import Inputs
from shebao.portal.queries.listing import Column, Listing
from shebao.portal.queries.page import render_query
from shebao.portal.queries.scope import employer_of
from shebao.portal.registry import portal_item


@portal_item("Q13")
def q13_bases(request):
    employer = employer_of(request)
    inputs = Inputs.from_request(request)
    year = inputs.year()
    order = {value: index for index, value in enumerate(Insurance.values)}
    limits = sorted(BaseLimit.objects.filter(base_year=year), key=lambda row: order.get(row.insurance, 9))
    rows = ContributionBase.objects.filter(employer=employer, base_year=year).select_related("person")
    listing = Listing(
        request,
        title=_("缴费基数"),
        columns=[
            Column("person.id_number", _("公民身份号码"), sort="person__id_number", name="id_number"),
            Column("person.name", _("姓名"), sort="person__name", name="name"),
            Column("start_period", _("生效期"), kind="period", sort="start_period"),
            Column("declared_wage", _("申报工资"), kind="money", sort="declared_wage"),
            Column("base_pension", _("养老基数"), kind="money", sort="base_pension"),
            Column("base_medical", _("医疗基数"), kind="money", sort="base_medical"),
            Column("base_unemployment", _("失业基数"), kind="money"),
            Column("base_injury", _("工伤基数"), kind="money"),
            Column("base_maternity", _("生育基数"), kind="money"),
        ],
        rows=rows,
        empty_message=_("%(year)s 年度没有缴费基数记录。") % {"year": year},
    )
    if inputs.ok and (response := listing.respond()):
        return response
    return render_query(
        request,
        "portal/queries/q13.html",
        {
            "inputs": inputs.values,
            "errors": list(inputs.errors.values()),
            "listing": listing,
            "year": year,
            "limits": limits,
            "input_summary": _("%(year)s 年度") % {"year": year},
        },
    )
