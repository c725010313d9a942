"""Checks and look-ups shared by several items. Each check takes "today" from its context, never the clock."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.core.choices import INJURY_ONLY_FORMS, Insurance
from shebao.core.idnumbers import id_number_mismatches
from shebao.core.money import format_money
from shebao.core.period import Period
from shebao.parameters import selectors as params
from shebao.parameters.rules import retirement_period
from shebao.parameters.selectors import ParameterMissing, base_year_of
from shebao.persons.models import ContributionBase, Coverage, Employment, Person

from .base import Check, CheckContext

# --- look-ups (cached per evaluation) ----------------------------------------------------------------------


def id_number_of(ctx: CheckContext) -> str | None:
    info = ctx.data.get("id_number")
    return info.number if info is not None else None


def person_of(ctx: CheckContext) -> Person | None:
    number = id_number_of(ctx)
    if number is None:
        return None
    return ctx.cached(("person", number), lambda: Person.objects.filter(id_number=number).first())


def open_employment_of(ctx: CheckContext) -> Employment | None:
    """The person's open employment anywhere (at most one: a database constraint)."""
    person = person_of(ctx)
    if person is None:
        return None
    return ctx.cached(
        ("open_employment", person.pk),
        lambda: (
            Employment.objects.filter(person=person, stop_period__isnull=True)
            .select_related("employer")
            .first()
        ),
    )


def employment_here(ctx: CheckContext) -> Employment | None:
    employment = open_employment_of(ctx)
    return employment if employment is not None and employment.employer_id == ctx.employer.pk else None


def open_coverages_here(ctx: CheckContext) -> dict[str, Coverage]:
    employment = employment_here(ctx)
    if employment is None:
        return {}
    return ctx.cached(
        ("coverages", employment.pk),
        lambda: {c.insurance: c for c in employment.coverages.filter(stop_period__isnull=True)},
    )


def current_base_here(ctx: CheckContext, period: int) -> ContributionBase | None:
    person = person_of(ctx)
    if person is None:
        return None
    return ctx.cached(
        ("base", person.pk, period),
        lambda: (
            ContributionBase.objects.filter(person=person, employer=ctx.employer, start_period__lte=period)
            .order_by("-start_period")
            .first()
        ),
    )


def retirement_group(gender: str) -> str:
    # For women the post (worker or cadre) is not known at enrolment: the later (cadre) age bounds it, so no
    # one is refused who may still be insured; the manual-review flag covers the risk (catalogue.md).
    return "male" if gender == "M" else "female_cadre"


def last_paid_period(ctx: CheckContext, employment: Employment) -> int | None:
    """The last period of this employment that the employer has paid (money allocated to it) and that has
    contribution lines of the person; None when nothing is paid yet."""
    from django.db.models import Max

    from shebao.contributions.models import ContributionLine, EmployerPeriod

    paid = EmployerPeriod.objects.filter(
        employer_id=employment.employer_id, amount_paid__gt=0, period__gte=employment.start_period
    ).values("period")
    return ContributionLine.objects.filter(
        employer_id=employment.employer_id, person_id=employment.person_id, period__in=paid
    ).aggregate(last=Max("period"))["last"]


def insurance_labels(codes) -> str:
    return "、".join(str(Insurance(c).label) for c in codes)


# --- checks ------------------------------------------------------------------------------------------------


def _id_matches(ctx: CheckContext) -> None:
    info = ctx.data["id_number"]
    for problem in id_number_mismatches(
        info, birth_date=ctx.data.get("birth_date"), gender=ctx.data.get("gender")
    ):
        ctx.fail(problem.field, problem.message)


ID_MATCHES = Check(
    "id_matches",
    gettext_lazy("公民身份号码有效，且与性别、出生日期一致"),
    _id_matches,
    needs=("id_number",),
)


def age_in_range(period_field: str) -> Check:
    def run(ctx: CheckContext) -> None:
        info = ctx.data["id_number"]
        start: Period = ctx.data[period_field]
        age = info.age_on(start.first_day())
        if age < 16:
            ctx.fail(
                "id_number",
                _("参保人员在 %(period)s 未满16周岁（%(age)d 岁），不能参保")
                % {"period": start.label(), "age": age},
            )
            return
        try:
            retire = retirement_period(
                info.birth_date, params.retirement_rule_for(retirement_group(info.gender))
            )
        except ParameterMissing as exc:
            ctx.fail("id_number", exc.message)
            return
        if int(start) >= retire:
            ctx.fail(
                "id_number",
                _("参保人员已于 %(retire)s 达到法定退休年龄，不能参保") % {"retire": Period(retire).label()},
            )

    return Check(
        "age_in_range", gettext_lazy("年龄在16周岁至法定退休年龄之间"), run, needs=("id_number", period_field)
    )


def _no_open_employment(ctx: CheckContext) -> None:
    employment = open_employment_of(ctx)
    if employment is None:
        return
    if employment.employer_id == ctx.employer.pk:
        ctx.fail("id_number", _("该人员已在本单位参保，不能重复登记"))
    else:
        ctx.fail("id_number", _("该人员仍在其他单位参保，须原单位办理停保后才能在本单位参保"))


NO_OPEN_EMPLOYMENT = Check(
    "no_open_employment",
    gettext_lazy("该人员在任何单位均无未终止的参保关系"),
    _no_open_employment,
    needs=("id_number",),
)


def known_person(ctx: CheckContext, *, unknown: str | None = None) -> Person | None:
    """The person of the entered ID number, the entered name checked against the record; fails on id_number
    (with `unknown`, or the plain message) when the city has no such person."""
    person = person_of(ctx)
    if person is None:
        ctx.fail("id_number", unknown or _("本市无该人员的参保登记"))
        return None
    name = ctx.data.get("name")
    if name and name != person.name:
        ctx.fail("name", _("姓名与公民身份号码对应的登记信息不一致"))
    return person


def _person_known(ctx: CheckContext) -> None:
    known_person(ctx, unknown=_("本市无该人员的参保登记，请使用「新参保人员登记」(H01) 办理"))


PERSON_KNOWN = Check(
    "person_known", gettext_lazy("人员已登记，且姓名与公民身份号码一致"), _person_known, needs=("id_number",)
)


def _employed_here(ctx: CheckContext) -> None:
    if known_person(ctx) is None:
        return
    employment = employment_here(ctx)
    if employment is None:
        ctx.fail("id_number", _("该人员不是本单位在职参保人员"))
    elif employment.status != "active":
        ctx.fail(
            "id_number",
            _("该人员在本单位的参保状态为「%(status)s」") % {"status": employment.get_status_display()},
        )


EMPLOYED_HERE = Check(
    "employed_here", gettext_lazy("该人员在本单位正常参保"), _employed_here, needs=("id_number",)
)


def base_within_limits(wage_field: str, period_field: str) -> Check:
    """The declared wage is clamped to the base year's floor and ceiling; the clamped values are shown."""

    def run(ctx: CheckContext) -> None:
        wage: Decimal = ctx.data[wage_field]
        if wage <= 0:
            ctx.fail(wage_field, _("月工资(缴费基数)应大于0"))
            return
        year = base_year_of(ctx.data[period_field])
        try:
            floor, ceiling = params.base_limits_for(base_year=year, insurance="pension")
        except ParameterMissing:
            ctx.fail(
                period_field, _("%(year)d 年度缴费基数上下限尚未公布，暂不能申报该期间") % {"year": year}
            )
            return
        if wage < floor:
            ctx.note(
                _("申报工资 %(wage)s 低于 %(year)d 年度缴费基数下限，按下限 %(floor)s 缴费")
                % {"wage": format_money(wage), "year": year, "floor": format_money(floor)}
            )
        elif wage > ceiling:
            ctx.note(
                _("申报工资 %(wage)s 高于 %(year)d 年度缴费基数上限，按上限 %(ceiling)s 缴费")
                % {"wage": format_money(wage), "year": year, "ceiling": format_money(ceiling)}
            )

    return Check(
        "base_within_limits",
        gettext_lazy("缴费基数在年度上下限之内(超出按上下限计)"),
        run,
        needs=(wage_field, period_field),
    )


def period_window(field_name: str, label, *, future_months: int = 1) -> Check:
    """Not more than `max_backdate_months` (a parameter) before the current period, and not more than
    `future_months` after it."""

    def run(ctx: CheckContext) -> None:
        period: Period = ctx.data[field_name]
        try:
            back = params.policy_int("max_backdate_months", period=int(ctx.period))
        except ParameterMissing:
            back = 3
        earliest = ctx.period - back
        if period < earliest:
            ctx.fail(
                field_name,
                _("%(label)s %(period)s 早于允许的最早期 %(earliest)s（最多追溯 %(back)d 个月）")
                % {"label": label, "period": period, "earliest": earliest, "back": back},
            )
        latest = ctx.period + future_months
        if period > latest:
            ctx.fail(
                field_name,
                _("%(label)s %(period)s 不能晚于 %(latest)s")
                % {"label": label, "period": period, "latest": latest},
            )

    return Check(
        f"{field_name}_window",
        gettext_lazy("期间不超过规定的追溯月数"),
        run,
        needs=(field_name,),
    )


def insurances_fit_form(insurances_field: str = "insurances", form_field: str = "employment_form") -> Check:
    def run(ctx: CheckContext) -> None:
        form = ctx.data.get(form_field) or "contract"
        chosen = ctx.data[insurances_field]
        if form in INJURY_ONLY_FORMS and set(chosen) != {Insurance.INJURY}:
            ctx.fail(insurances_field, _("非全日制和退休返聘人员只参加工伤保险"))

    return Check("insurances_fit_form", gettext_lazy("险种与用工形式相符"), run, needs=(insurances_field,))


def first_enrolment_age_flag(ctx: CheckContext, period_field: str = "start_period") -> list[str]:
    info = ctx.data.get("id_number")
    start = ctx.data.get(period_field)
    if info is None or start is None:
        return []
    age = info.age_on(start.first_day())
    if (info.gender == "M" and age >= 50) or (info.gender == "F" and age >= 40):
        return [
            _("首次参保：%(gender)s性，%(age)d 岁（男50岁、女40岁以上首次参保，须核查是否临近退休补缴年限）")
            % {"gender": _("男") if info.gender == "M" else _("女"), "age": age}
        ]
    return []
