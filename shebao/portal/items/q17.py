"""Q17 工伤事故查询: the employer's work-injury cases and their determination status."""

from django.utils.translation import gettext as _

from shebao.benefits.models import InjuryCase
from shebao.benefits.selectors import injury_cases
from shebao.portal.queries.inputs import Inputs
from shebao.portal.queries.listing import Column, Listing
from shebao.portal.queries.page import render_query
from shebao.portal.queries.scope import employer_of
from shebao.portal.registry import portal_item

STATUS_LABELS = dict(InjuryCase.Status.choices)


@portal_item("Q17")
def q17_injury_cases(request):
    employer = employer_of(request)
    inputs = Inputs.from_request(request)
    status = inputs.choice("status", InjuryCase.Status.choices, label=_("认定状态"))
    listing = Listing(
        request,
        title=_("工伤事故"),
        columns=[
            Column("case_number", _("案件编号"), sort="case_number"),
            Column("person.id_number", _("公民身份号码"), sort="person__id_number", name="id_number"),
            Column("person.name", _("姓名"), sort="person__name", name="name"),
            Column("accident_date", _("事故日期"), kind="date", sort="accident_date"),
            Column("place", _("事故地点")),
            Column("injury", _("受伤部位及程度")),
            Column("status", _("认定状态"), sort="status", display=lambda v: str(STATUS_LABELS.get(v, v))),
            Column("determined_on", _("认定日期"), kind="date"),
            Column("disability_grade", _("伤残等级"), kind="int"),
        ],
        rows=injury_cases(employer=employer, status=status or None),
        default_sort="-accident_date",
        empty_message=_("本单位没有工伤事故记录。"),
    )
    if inputs.ok and (response := listing.respond()):
        return response
    return render_query(
        request,
        "portal/queries/q17.html",
        {
            "inputs": inputs.values,
            "errors": list(inputs.errors.values()),
            "listing": listing,
            "statuses": InjuryCase.Status.choices,
        },
    )
