"""H05 险种增加: an active employee starts an insurance not yet covered."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.core.choices import INJURY_ONLY_FORMS, Insurance
from shebao.persons import services as record

from . import fields as F
from .base import Check, Field, ItemDefinition
from .checks import EMPLOYED_HERE, employment_here, insurance_labels, open_coverages_here, period_window
from .prefill import Prefill, lookup_person

INSURANCES = Field(
    "insurances", gettext_lazy("增加险种"), "multi", required=True, choices=F.INSURANCES.choices
)
START = Field(
    "start_period", gettext_lazy("开始期"), "period", required=True, help=gettext_lazy("年月，如 202611")
)


def _not_covered(ctx):
    employment = employment_here(ctx)
    if employment is None:
        return
    covered = [i for i in ctx.data["insurances"] if i in open_coverages_here(ctx)]
    if covered:
        ctx.fail("insurances", _("已参加险种：%(list)s") % {"list": insurance_labels(covered)})
    if employment.employment_form in INJURY_ONLY_FORMS and set(ctx.data["insurances"]) - {Insurance.INJURY}:
        ctx.fail("insurances", _("非全日制和退休返聘人员只参加工伤保险"))
    start = ctx.data.get("start_period")
    if start is not None and int(start) < employment.start_period:
        ctx.fail(
            "start_period",
            _("开始期 %(start)s 不能早于参保开始期 %(emp)s")
            % {"start": start, "emp": employment.start_period},
        )


NOT_COVERED = Check(
    "not_covered", gettext_lazy("所选险种尚未参加"), _not_covered, needs=("id_number", "insurances")
)


def effect(ctx):
    record.coverage_open(
        employment=employment_here(ctx.check),
        insurances=ctx.data["insurances"],
        start_period=int(ctx.data["start_period"]),
        **ctx.audit,
    )


def prefill(employer, id_number, today):
    found = lookup_person(employer, id_number, today)
    if found is None:
        return Prefill()
    info, person, here, _any = found
    if person is None or not any(e.stop_period is None for e in here):
        return Prefill(values={"id_number": info.number}, notice=_("该人员不是本单位在职参保人员。"))
    employment = next(e for e in here if e.stop_period is None)
    covered = set(employment.coverages.filter(stop_period__isnull=True).values_list("insurance", flat=True))
    missing = [i for i in Insurance.values if i not in covered]
    return Prefill(
        values={"id_number": info.number, "name": person.name, "insurances": missing},
        notice=_("当前已参加：%(list)s")
        % {"list": insurance_labels([i for i in Insurance.values if i in covered])},
    )


DEFINITION = ItemDefinition(
    code="H05",
    fields=(F.ID_NUMBER, Field("name", gettext_lazy("姓名"), "name"), INSURANCES, START),
    checks=(EMPLOYED_HERE, NOT_COVERED, period_window("start_period", gettext_lazy("开始期"))),
    effect=effect,
    prefill=prefill,
    importable=True,
)
