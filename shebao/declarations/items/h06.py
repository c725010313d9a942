"""H06 险种减少: close some insurances of an active employee (never pension or medical while employed)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.core.choices import Insurance
from shebao.persons import services as record

from . import fields as F
from .base import Check, Field, ItemDefinition
from .checks import EMPLOYED_HERE, employment_here, insurance_labels, open_coverages_here
from .prefill import prefill_name

INSURANCES = Field(
    "insurances", gettext_lazy("减少险种"), "multi", required=True, choices=F.INSURANCES.choices
)
STOP = Field(
    "stop_period", gettext_lazy("停止期"), "period", required=True, help=gettext_lazy("自该月起不再缴费")
)
MANDATORY = (Insurance.PENSION, Insurance.MEDICAL)


def _covered(ctx):
    if employment_here(ctx) is None:
        return
    coverages = open_coverages_here(ctx)
    missing = [i for i in ctx.data["insurances"] if i not in coverages]
    if missing:
        ctx.fail("insurances", _("未参加险种：%(list)s") % {"list": insurance_labels(missing)})
    mandatory = [i for i in ctx.data["insurances"] if i in MANDATORY]
    if mandatory:
        ctx.fail(
            "insurances",
            _("在职人员不能单独减少%(list)s，如已离职请办理人员减少(H04)")
            % {"list": insurance_labels(mandatory)},
        )
    stop = ctx.data.get("stop_period")
    if stop is not None:
        for ins in ctx.data["insurances"]:
            coverage = coverages.get(ins)
            if coverage is not None and int(stop) < coverage.start_period:
                ctx.fail(
                    "stop_period",
                    _("停止期 %(stop)s 不能早于%(ins)s的开始期 %(start)s")
                    % {"stop": stop, "ins": Insurance(ins).label, "start": coverage.start_period},
                )
        if stop > ctx.period + 1:
            ctx.fail(
                "stop_period",
                _("停止期 %(stop)s 不能晚于 %(latest)s") % {"stop": stop, "latest": ctx.period + 1},
            )


COVERED = Check(
    "covered",
    gettext_lazy("所选险种正在参加，且不含养老、医疗"),
    _covered,
    needs=("id_number", "insurances"),
)


def effect(ctx):
    record.coverage_close(
        employment=employment_here(ctx.check),
        insurances=ctx.data["insurances"],
        stop_period=int(ctx.data["stop_period"]),
        reason=ctx.data["reason"],
        **ctx.audit,
    )


def prefill(employer, id_number, today):
    return prefill_name(employer, id_number, today, active=True)


DEFINITION = ItemDefinition(
    code="H06",
    fields=(
        F.ID_NUMBER,
        Field("name", gettext_lazy("姓名"), "name"),
        INSURANCES,
        STOP,
        Field("reason", gettext_lazy("减少原因"), "text", required=True, max_length=100),
    ),
    checks=(EMPLOYED_HERE, COVERED),
    effect=effect,
    prefill=prefill,
)
