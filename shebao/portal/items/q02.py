"""Q02 参保职工名单查询: the employer's insured roster, filtered by status and insurance, searchable."""

from django.utils.translation import gettext as _

from shebao.core.choices import EmploymentStatus, Gender, Insurance, PostType
from shebao.portal.employee import employee_url
from shebao.portal.queries.inputs import Inputs
from shebao.portal.queries.listing import Column, Listing
from shebao.portal.queries.page import render_query
from shebao.portal.queries.records import covered_insurances, current_bases, roster
from shebao.portal.queries.scope import employer_of
from shebao.portal.registry import portal_item

INSURANCE_LABELS = dict(Insurance.choices)
STATUS_LABELS = dict(EmploymentStatus.choices)
POST_LABELS = dict(PostType.choices)
GENDER_LABELS = dict(Gender.choices)


@portal_item("Q02")
def q02_roster(request):
    employer = employer_of(request)
    inputs = Inputs.from_request(request)
    status = inputs.choice("status", EmploymentStatus.choices, default="active", label=_("参保状态"))
    if request.GET.get("status") == "all":
        status = ""
        inputs.values["status"] = "all"
        inputs.errors.pop("status", None)
    insurance = inputs.choice("insurance", Insurance.choices, label=_("险种"))
    period = inputs.current

    def enrich(rows):
        bases = current_bases(employer=employer, person_ids={r.person_id for r in rows}, period=period.value)
        covered = covered_insurances(employment_ids=[r.pk for r in rows], period=period.value)
        for row in rows:
            base = bases.get(row.person_id)
            row.current_base = base.base_pension if base else None
            row.declared_wage = base.declared_wage if base else None
            row.covered = "、".join(str(INSURANCE_LABELS[i]) for i in covered.get(row.pk, []))
        return rows

    listing = Listing(
        request,
        title=_("参保职工名单"),
        # Search and sort on the person's fields the employment repeats: a large roster is then sorted
        # without joining the persons table (by name from the index employment_roster_name).
        columns=[
            Column("person.id_number", _("公民身份号码"), sort="person_id_number", name="id_number"),
            Column(
                "person.name",
                _("姓名"),
                sort="person_name",
                name="name",
                link=lambda row: employee_url(row.person_id_number),
            ),
            Column("person.gender", _("性别"), display=lambda v: str(GENDER_LABELS.get(v, v))),
            Column(
                "person.birth_date", _("出生日期"), kind="date", sort="person_birth_date", name="birth_date"
            ),
            Column("start_period", _("参保开始期"), kind="period", sort="start_period"),
            Column("status", _("参保状态"), sort="status", display=lambda v: str(STATUS_LABELS.get(v, v))),
            Column("declared_wage", _("申报工资"), kind="money"),
            Column("current_base", _("当前缴费基数"), kind="money"),
            Column("covered", _("参保险种")),
            Column("post_type", _("岗位类型"), display=lambda v: str(POST_LABELS.get(v, v))),
        ],
        rows=roster(employer=employer, period=period.value, status=status, insurance=insurance),
        search=("person_id_number", "person_name"),
        enrich=enrich,
        empty_message=_("没有符合条件的参保职工。"),
    )
    if inputs.ok and (response := listing.respond()):
        return response
    return render_query(
        request,
        "portal/queries/q02.html",
        {
            "inputs": inputs.values,
            "errors": list(inputs.errors.values()),
            "listing": listing,
            "statuses": EmploymentStatus.choices,
            "insurances": Insurance.choices,
            "period": period,
        },
    )
