"""H01 新参保人员登记: a person's first enrolment in the city (or at least with no employment on record)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.core.choices import EnrolmentType
from shebao.parameters.selectors import base_year_of
from shebao.persons import services as record
from shebao.persons.models import Employment, Person

from . import fields as F
from .base import Check, ItemDefinition
from .checks import (
    ID_MATCHES,
    NO_OPEN_EMPLOYMENT,
    age_in_range,
    base_within_limits,
    first_enrolment_age_flag,
    insurances_fit_form,
    period_window,
    person_of,
)
from .prefill import Prefill, insured_here, lookup_person, person_values, visible_to


def _not_known(ctx):
    person = person_of(ctx)
    if person is not None and Employment.objects.filter(person=person).exists():
        ctx.fail("id_number", _("该人员已有参保记录，请使用「续保(人员增加)」(H02) 或「人员转入」(H03) 办理"))


NOT_ENROLLED_BEFORE = Check(
    "not_enrolled_before", gettext_lazy("该人员此前无参保记录(首次参保)"), _not_known, needs=("id_number",)
)


def effect(ctx):
    d = ctx.data
    info = d["id_number"]
    audit = ctx.audit
    details = {
        "name": d["name"],
        "gender": d["gender"],
        "birth_date": d["birth_date"],
        "ethnicity": d.get("ethnicity") or "",
        "hukou_type": d.get("hukou_type") or "",
        "phone": d.get("phone") or "",
        "address": d.get("address") or "",
    }
    person = Person.objects.filter(id_number=info.number).first()
    if person is None:
        person = record.person_create(employer=ctx.employer, id_number=info.number, **details, **audit)
    else:
        record.person_update(person=person, employer=ctx.employer, changes=details, **audit)
    start = d["start_period"]
    record.employment_open(
        person=person,
        employer=ctx.employer,
        start_period=int(start),
        enrolment_type=EnrolmentType.FIRST,
        insurances=d["insurances"],
        employment_form=d.get("employment_form") or "contract",
        **audit,
    )
    record.base_set(
        person=person,
        employer=ctx.employer,
        base_year=base_year_of(start),
        start_period=int(start),
        declared_wage=d["wage"],
        source="H01",
        **audit,
    )


def prefill(employer, id_number, today):
    found = lookup_person(employer, id_number, today)
    if found is None:
        return Prefill()
    info, person, here, has_any = found
    if (already := insured_here(info, here)) is not None:
        return already
    if has_any:
        return Prefill(
            values={"id_number": info.number},
            notice=_("该人员已有参保记录，已转为「续保(人员增加)」(H02) 办理。"),
            redirect_code="H02",
        )
    values = {"id_number": info.number, "gender": info.gender, "birth_date": info.birth_date.isoformat()}
    if visible_to(employer, person, here, has_any):
        values.update({k: v for k, v in person_values(person).items() if v})
        return Prefill(values=values, notice=_("已按登记信息填写该人员的基本信息，请核对。"))
    return Prefill(values=values)


DEFINITION = ItemDefinition(
    code="H01",
    fields=(
        F.ID_NUMBER,
        F.NAME,
        F.GENDER,
        F.BIRTH_DATE,
        F.ETHNICITY,
        F.HUKOU_TYPE,
        F.PHONE,
        F.ADDRESS,
        F.EMPLOYMENT_FORM,
        F.START_PERIOD,
        F.WAGE,
        F.INSURANCES,
    ),
    checks=(
        ID_MATCHES,
        NOT_ENROLLED_BEFORE,
        age_in_range("start_period"),
        NO_OPEN_EMPLOYMENT,
        base_within_limits("wage", "start_period"),
        period_window("start_period", gettext_lazy("参保开始期")),
        insurances_fit_form(),
    ),
    effect=effect,
    flags=first_enrolment_age_flag,
    prefill=prefill,
    intro=gettext_lazy("首次在本市参保的人员。已有参保记录的人员请办理续保(H02)或转入(H03)。"),
)
