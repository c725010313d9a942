"""Q12 人员增减变动查询: enrolments and stops of the employer's employees by period, with type and reason."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.core.choices import EnrolmentType, Insurance, StopReason
from shebao.portal.queries.inputs import Inputs
from shebao.portal.queries.listing import Column, Listing, search_filter
from shebao.portal.queries.page import render_query
from shebao.portal.queries.records import employment_changes, person_numbers_and_names
from shebao.portal.queries.scope import employer_of
from shebao.portal.registry import portal_item

EVENT_LABELS = {
    "enrol": gettext_lazy("增员"),
    "stop": gettext_lazy("减员"),
    "coverage_opened": gettext_lazy("险种增加"),
    "coverage_closed": gettext_lazy("险种减少"),
}
CODE_LABELS = dict(EnrolmentType.choices) | dict(StopReason.choices) | dict(Insurance.choices)
CHANGE_TYPES = [
    ("enrol", gettext_lazy("增员（全部）")),
    *EnrolmentType.choices,
    ("stop", gettext_lazy("减员（全部）")),
    ("coverage", gettext_lazy("险种增减")),
]


@portal_item("Q12")
def q12_changes(request):
    employer = employer_of(request)
    inputs = Inputs.from_request(request)
    start, end = inputs.period_range(default_months=12)
    change_type = inputs.choice("type", CHANGE_TYPES, label=_("变动类型"))

    # Sorted by period or event (the default), the list needs persons only for the page shown: joining them
    # to every change of a large employer (50,000 enrolments over 36 months) is what made it slow.
    by_person = (request.GET.get("sort") or "").lstrip("-") in ("id_number", "name")

    def rows(term):
        search = search_filter(term, "person__id_number", "person__name") if term else None
        return employment_changes(
            employer=employer,
            start=start.value,
            end=end.value,
            change_type=change_type,
            search=search,
            with_person=by_person,
        )

    listing = Listing(
        request,
        title=_("人员增减变动"),
        columns=[
            Column("period", _("变动期"), kind="period", sort="period"),
            Column("event", _("增减"), sort="event", display=lambda v: str(EVENT_LABELS.get(v, v))),
            Column("code", _("变动类型/原因"), display=lambda v: str(CODE_LABELS.get(v, v or "—"))),
            Column("id_number", _("公民身份号码"), sort="id_number"),
            Column("name", _("姓名"), sort="name"),
        ],
        rows=rows,
        default_sort="-period",
        tiebreak="id",
        enrich=None if by_person else person_numbers_and_names,
        empty_message=_("所选期间内没有人员增减变动。"),
    )
    if inputs.ok and (response := listing.respond()):
        return response
    return render_query(
        request,
        "portal/queries/q12.html",
        {
            "inputs": inputs.values,
            "errors": list(inputs.errors.values()),
            "listing": listing,
            "change_types": CHANGE_TYPES,
            "start": start,
            "end": end,
            "input_summary": f"{start} — {end}",
        },
    )
