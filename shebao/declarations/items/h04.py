"""H04 人员减少(停保): stop an employee's employment and all its coverages from the stop period."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.core.choices import StopReason
from shebao.core.period import Period
from shebao.core.validators import PAST_DATE
from shebao.persons import services as record

from . import fields as F
from .base import Check, Field, ItemDefinition
from .checks import EMPLOYED_HERE, employment_here, last_paid_period
from .prefill import Prefill, lookup_person


def _stop_period_ok(ctx):
    employment = employment_here(ctx)
    if employment is None:
        return  # EMPLOYED_HERE says why
    stop = ctx.data["stop_period"]
    if int(stop) < employment.start_period:
        ctx.fail(
            "stop_period",
            _("停保期 %(stop)s 不能早于参保开始期 %(start)s")
            % {"stop": stop, "start": employment.start_period},
        )
    paid = last_paid_period(ctx, employment)
    if paid is not None and int(stop) <= paid:
        ctx.fail(
            "stop_period",
            _("%(paid)s 及以前的月份已缴费，停保期最早为 %(earliest)s（填写的是 %(stop)s）")
            % {"stop": stop, "paid": paid, "earliest": Period(paid) + 1},
        )
    latest = ctx.period + 1
    if stop > latest:
        ctx.fail("stop_period", _("停保期 %(stop)s 不能晚于 %(latest)s") % {"stop": stop, "latest": latest})


STOP_PERIOD_OK = Check(
    "stop_period_ok",
    gettext_lazy("停保期不早于参保开始期及已缴费期"),
    _stop_period_ok,
    needs=("id_number", "stop_period"),
)


def _death_date(ctx):
    if ctx.data.get("reason") == StopReason.DIED and not ctx.data.get("death_date"):
        ctx.fail("death_date", _("减员原因为死亡时须填写死亡日期"))
    death = ctx.data.get("death_date")
    if death is not None and death > ctx.today:
        ctx.fail("death_date", _("死亡日期不能晚于今天"))


DEATH_DATE = Check("death_date", gettext_lazy("死亡减员须填写死亡日期"), _death_date, needs=("reason",))


def flags(ctx):
    if ctx.data.get("reason") == StopReason.DIED:
        return [_("停保原因为死亡：须核对死亡证明，并告知家属办理丧葬补助金和个人账户继承")]
    return []


def effect(ctx):
    employment = employment_here(ctx.check)
    record.employment_stop(
        employment=employment,
        stop_period=int(ctx.data["stop_period"]),
        reason=ctx.data["reason"],
        **ctx.audit,
    )


def prefill(employer, id_number, today):
    found = lookup_person(employer, id_number, today)
    if found is None:
        return Prefill()
    info, person, here, _has_any = found
    if person is None or not any(e.stop_period is None for e in here):
        return Prefill(values={"id_number": info.number}, notice=_("该人员不是本单位在职参保人员。"))
    return Prefill(
        values={
            "id_number": info.number,
            "name": person.name,
            "stop_period": str(Period.from_date(today) + 1),
        }
    )


DEFINITION = ItemDefinition(
    code="H04",
    fields=(
        F.ID_NUMBER,
        F.NAME,
        F.STOP_PERIOD,
        F.STOP_REASON,
        Field(
            "death_date",
            gettext_lazy("死亡日期"),
            "date",
            help=gettext_lazy("减员原因为死亡时填写"),
            window=PAST_DATE,
        ),
        Field("remark", gettext_lazy("备注"), "text", max_length=200),
    ),
    checks=(EMPLOYED_HERE, STOP_PERIOD_OK, DEATH_DATE),
    effect=effect,
    flags=flags,
    prefill=prefill,
    intro=gettext_lazy("停保期为不再缴费的第一个月：如最后缴费月为 202611，停保期填 202612。"),
    importable=True,
)
