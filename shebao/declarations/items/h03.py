"""H03 人员转入: a person transferred in from another region (统筹区) starts at this employer."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.core.choices import EnrolmentType
from shebao.persons import services as record
from shebao.persons.models import Person

from . import fields as F
from .base import Check, Field, ItemDefinition
from .checks import (
    NO_OPEN_EMPLOYMENT,
    age_in_range,
    base_within_limits,
    insurances_fit_form,
    period_window,
    person_of,
)
from .h02 import open_employment_effect
from .prefill import Prefill, lookup_person


def _name_matches(ctx):
    person = person_of(ctx)
    if person is not None and ctx.data.get("name") and person.name != ctx.data["name"]:
        ctx.fail("name", _("姓名与公民身份号码对应的登记信息不一致"))


NAME_MATCHES = Check(
    "name_matches",
    gettext_lazy("已登记人员的姓名与公民身份号码一致"),
    _name_matches,
    needs=("id_number", "name"),
)


def effect(ctx):
    info = ctx.data["id_number"]
    if not Person.objects.filter(id_number=info.number).exists():
        record.person_create(
            employer=ctx.employer,
            id_number=info.number,
            name=ctx.data["name"],
            gender=info.gender,
            birth_date=info.birth_date,
            **ctx.audit,
        )
        ctx.check.cache.clear()
    open_employment_effect(ctx, enrolment_type=EnrolmentType.TRANSFERRED_IN, source="H03")


def prefill(employer, id_number, today):
    found = lookup_person(employer, id_number, today)
    if found is None:
        return Prefill()
    info, person, here, _has_any = found
    values = {"id_number": info.number}
    if person is not None and here:
        values["name"] = person.name
    return Prefill(values=values)


DEFINITION = ItemDefinition(
    code="H03",
    fields=(
        F.ID_NUMBER,
        F.NAME,
        Field("from_region", gettext_lazy("转出地(统筹区)"), "text", required=True, max_length=60),
        Field("transfer_document", gettext_lazy("转移接续联系函编号"), "text", required=True, max_length=40),
        F.EMPLOYMENT_FORM,
        F.START_PERIOD,
        F.WAGE,
        F.INSURANCES,
    ),
    checks=(
        NAME_MATCHES,
        age_in_range("start_period"),
        NO_OPEN_EMPLOYMENT,
        base_within_limits("wage", "start_period"),
        period_window("start_period", gettext_lazy("参保开始期")),
        insurances_fit_form(),
    ),
    effect=effect,
    needs_counter=True,
    counter_note=gettext_lazy(
        "请携带《基本养老保险关系转移接续联系函》和参保缴费凭证原件到经办窗口办结转入手续。"
    ),
    prefill=prefill,
    intro=gettext_lazy("从外地(其他统筹区)转入本市、到本单位参保的人员。审核通过后须到窗口提交转移材料。"),
)
