"""H08 缴费基数调整: change an employee's base from a period of the current base year."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.core.money import format_money
from shebao.parameters.selectors import base_year_of
from shebao.persons import services as record

from . import fields as F
from .base import Check, Field, ItemDefinition
from .checks import EMPLOYED_HERE, base_within_limits, current_base_here, employment_here
from .prefill import Prefill, base_values, lookup_person

PERIOD = Field(
    "period", gettext_lazy("调整起始期"), "period", required=True, help=gettext_lazy("年月，如 202611")
)
WAGE = Field("wage", gettext_lazy("调整后月工资(缴费基数)"), "amount", required=True)


def _period_ok(ctx):
    period = ctx.data["period"]
    if base_year_of(period) != base_year_of(ctx.period) or period > ctx.period:
        ctx.fail(
            "period",
            _("调整起始期 %(period)s 应在本基数年度(%(year)d)内且不晚于当前期 %(now)s")
            % {"period": period, "year": base_year_of(ctx.period), "now": ctx.period},
        )
    employment = employment_here(ctx)
    if employment is not None and int(period) < employment.start_period:
        ctx.fail(
            "period",
            _("调整起始期 %(period)s 不能早于参保开始期 %(start)s")
            % {"period": period, "start": employment.start_period},
        )


def flags(ctx):
    base = current_base_here(ctx, int(ctx.data["period"]))
    wage = ctx.data.get("wage")
    if base is None or not wage or not base.declared_wage:
        return []
    change = abs(wage - base.declared_wage) / base.declared_wage
    if change > 0.5:
        return [
            _("缴费基数变动超过50%%：%(old)s → %(new)s")
            % {"old": format_money(base.declared_wage), "new": format_money(wage)}
        ]
    return []


def effect(ctx):
    period = ctx.data["period"]
    record.base_set(
        person=employment_here(ctx.check).person,
        employer=ctx.employer,
        base_year=base_year_of(period),
        start_period=int(period),
        declared_wage=ctx.data["wage"],
        source="H08",
        **ctx.audit,
    )


def prefill(employer, id_number, today):
    found = lookup_person(employer, id_number, today)
    if found is None:
        return Prefill()
    info, person, here, _any = found
    if person is None or not any(e.stop_period is None for e in here):
        return Prefill(values={"id_number": info.number}, notice=_("该人员不是本单位在职参保人员。"))
    current = base_values(person, employer)
    notice = _("当前申报工资：%(wage)s") % {"wage": current.get("wage", "—")}
    return Prefill(values={"id_number": info.number, "name": person.name}, notice=notice)


DEFINITION = ItemDefinition(
    code="H08",
    fields=(
        F.ID_NUMBER,
        F.NAME,
        PERIOD,
        WAGE,
        Field("reason", gettext_lazy("调整原因"), "text", required=True),
    ),
    checks=(
        EMPLOYED_HERE,
        Check(
            "period_ok", gettext_lazy("调整起始期在本基数年度内"), _period_ok, needs=("id_number", "period")
        ),
        base_within_limits("wage", "period"),
    ),
    effect=effect,
    flags=flags,
    prefill=prefill,
    intro=gettext_lazy("已结算的期间按差额补收或退还(补差)，在下次结算时计算。"),
)
