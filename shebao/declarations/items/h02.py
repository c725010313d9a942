"""H02 续保(人员增加): a person known to the record, not employed anywhere now, resumes at this employer."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.core.choices import EnrolmentType
from shebao.parameters.selectors import base_year_of
from shebao.persons import services as record
from shebao.persons.models import Employment

from . import fields as F
from .base import Check, ItemDefinition
from .checks import (
    NO_OPEN_EMPLOYMENT,
    PERSON_KNOWN,
    age_in_range,
    base_within_limits,
    insurances_fit_form,
    period_window,
    person_of,
)
from .prefill import Prefill, base_values, insured_here, lookup_person


def _after_last_stop(ctx):
    person = person_of(ctx)
    if person is None:
        return
    last = (
        Employment.objects.filter(person=person, stop_period__isnull=False).order_by("-stop_period").first()
    )
    start = ctx.data["start_period"]
    if last is not None and int(start) < last.stop_period:
        ctx.fail(
            "start_period",
            _("参保开始期 %(start)s 不能早于上一段参保的停保期 %(stop)s")
            % {"start": start, "stop": last.stop_period},
        )


AFTER_LAST_STOP = Check(
    "after_last_stop",
    gettext_lazy("参保开始期不早于上一段参保的停保期"),
    _after_last_stop,
    needs=("id_number", "start_period"),
)


def open_employment_effect(ctx, *, enrolment_type: str, source: str):
    d = ctx.data
    person = person_of(ctx.check)
    start = d["start_period"]
    record.employment_open(
        person=person,
        employer=ctx.employer,
        start_period=int(start),
        enrolment_type=enrolment_type,
        insurances=d["insurances"],
        employment_form=d.get("employment_form") or "contract",
        **ctx.audit,
    )
    record.base_set(
        person=person,
        employer=ctx.employer,
        base_year=base_year_of(start),
        start_period=int(start),
        declared_wage=d["wage"],
        source=source,
        **ctx.audit,
    )


def effect(ctx):
    open_employment_effect(ctx, enrolment_type=EnrolmentType.RESUMED, source="H02")


def prefill(employer, id_number, today):
    found = lookup_person(employer, id_number, today)
    if found is None:
        return Prefill()
    info, person, here, has_any = found
    if (already := insured_here(info, here)) is not None:
        return already
    if person is None:
        return Prefill(
            values={"id_number": info.number},
            notice=_("本市无该人员的参保登记，请使用「新参保人员登记」(H01) 办理。"),
        )
    if here:
        return Prefill(
            values={"id_number": info.number, "name": person.name, **base_values(person, employer)},
            notice=_("该人员曾在本单位参保，已填写姓名和上次申报工资，请核对。"),
        )
    return Prefill(values={"id_number": info.number}, notice=_("该人员已在本市登记，请填写姓名以核对身份。"))


DEFINITION = ItemDefinition(
    code="H02",
    fields=(F.ID_NUMBER, F.NAME, F.EMPLOYMENT_FORM, F.START_PERIOD, F.WAGE, F.INSURANCES),
    checks=(
        PERSON_KNOWN,
        age_in_range("start_period"),
        NO_OPEN_EMPLOYMENT,
        AFTER_LAST_STOP,
        base_within_limits("wage", "start_period"),
        period_window("start_period", gettext_lazy("参保开始期")),
        insurances_fit_form(),
    ),
    effect=effect,
    prefill=prefill,
    intro=gettext_lazy("曾在本市参保、现已停保的人员到本单位重新参保。"),
)
