"""Q14 退休及到龄人员查询: the employer's retirees with their current pension, and active employees who
reach retirement age within six months (or already have)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.core.choices import Gender, PostType, retirement_group_of
from shebao.core.period import Period
from shebao.parameters.rules import retirement_age_months, retirement_period
from shebao.parameters.selectors import retirement_rule_for
from shebao.portal.queries.inputs import Inputs
from shebao.portal.queries.listing import Column, Listing
from shebao.portal.queries.page import render_query
from shebao.portal.queries.records import (
    latest_pension_payments,
    pension_awards,
    reaching_retirement,
    retirees,
)
from shebao.portal.queries.scope import employer_of
from shebao.portal.registry import portal_item

GENDER_LABELS = dict(Gender.choices)
POST_LABELS = dict(PostType.choices)
TABS = [("retired", gettext_lazy("退休人员")), ("due", gettext_lazy("六个月内到龄人员"))]
WITHIN_MONTHS = 6


def _age_text(months: int) -> str:
    years, rest = divmod(months, 12)
    return _("%(y)s岁%(m)s个月") % {"y": years, "m": rest} if rest else _("%(y)s岁") % {"y": years}


@portal_item("Q14")
def q14_retirement(request):
    employer = employer_of(request)
    inputs = Inputs.from_request(request)
    tab = inputs.choice("tab", TABS, default="retired", label=_("类别"))
    period = inputs.current
    # Search and sort on the person's fields the employment repeats (no join with persons).
    common = [
        Column("person.id_number", _("公民身份号码"), sort="person_id_number", name="id_number"),
        Column("person.name", _("姓名"), sort="person_name", name="name"),
        Column("person.gender", _("性别"), display=lambda v: str(GENDER_LABELS.get(v, v))),
        Column("person.birth_date", _("出生日期"), kind="date", sort="person_birth_date", name="birth_date"),
    ]
    if tab == "retired":

        def enrich(rows):
            ids = [r.person_id for r in rows]
            payments = latest_pension_payments(employer=employer, person_ids=ids, period=period.value)
            awards = pension_awards(employer=employer, person_ids=ids)
            for row in rows:
                payment, award = payments.get(row.person_id), awards.get(row.person_id)
                # before the first month is paid, the pension as awarded (its first month)
                row.pension = payment.total if payment else award.total if award else None
                row.pension_period = payment.period if payment else award.start_period if award else None
            return rows

        columns = [
            *common,
            Column("stop_period", _("退休期"), kind="period", sort="stop_period"),
            Column("pension", _("月养老金"), kind="money"),
            Column("pension_period", _("最近支付期"), kind="period"),
        ]
        rows = retirees(employer=employer)
        default_sort = "-stop_period"
        empty = _("本单位没有退休人员。")
    else:
        rules = {group: retirement_rule_for(group) for group in ("male", "female_worker", "female_cadre")}

        def enrich(rows):
            for row in rows:
                rule = rules[retirement_group_of(row.person.gender, row.post_type)]
                row.retirement_age = _age_text(retirement_age_months(row.person.birth_date, rule))
                row.retirement_period = retirement_period(row.person.birth_date, rule)
                months = Period(row.retirement_period) - period
                row.remaining = _("已到龄") if months <= 0 else _("%(n)s个月后") % {"n": months}
            return rows

        columns = [
            *common,
            Column("start_period", _("参保开始期"), kind="period"),
            Column("retirement_age", _("法定退休年龄")),
            Column("retirement_period", _("到龄年月"), kind="period"),
            Column("remaining", _("距到龄")),
            Column("post_type", _("岗位类型"), display=lambda v: str(POST_LABELS.get(v, v))),
        ]
        rows = reaching_retirement(employer=employer, period=period.value, within_months=WITHIN_MONTHS)
        default_sort = "birth_date"
        empty = _("六个月内没有到达退休年龄的在职人员。")
    listing = Listing(
        request,
        title=dict(TABS)[tab],
        columns=columns,
        rows=rows,
        search=("person_id_number", "person_name"),
        default_sort=default_sort,
        enrich=enrich,
        empty_message=empty,
    )
    if inputs.ok and (response := listing.respond()):
        return response
    return render_query(
        request,
        "portal/queries/q14.html",
        {
            "inputs": inputs.values,
            "errors": list(inputs.errors.values()),
            "listing": listing,
            "tabs": TABS,
            "tab": tab,
            "period": period,
            "within": WITHIN_MONTHS,
            "input_summary": dict(TABS)[tab],
        },
    )
