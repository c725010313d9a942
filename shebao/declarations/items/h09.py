"""H09 个人信息变更: change an employee's details; a new name or ID number needs the counter."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.core.choices import ETHNICITIES, HukouType, PostType
from shebao.persons import services as record
from shebao.persons.models import Person

from . import fields as F
from .base import Check, Field, ItemDefinition, code_table
from .checks import EMPLOYED_HERE, employment_here, person_of
from .prefill import Prefill, lookup_person

# form field → person field
CHANGES = {
    "new_name": "name",
    "new_id_number": "id_number",
    "phone": "phone",
    "address": "address",
    "hukou_type": "hukou_type",
    "ethnicity": "ethnicity",
}
COUNTER_FIELDS = {"new_name", "new_id_number"}


def _value(field_name, value):
    return value.number if field_name == "new_id_number" else value


def changed_fields(ctx) -> list[str]:
    person = person_of(ctx)
    if person is None:
        return []
    out = []
    for field_name, attr in CHANGES.items():
        value = ctx.data.get(field_name)
        if value not in (None, "") and _value(field_name, value) != getattr(person, attr):
            out.append(field_name)
    employment = employment_here(ctx)
    post = ctx.data.get("post_type")
    if post and employment is not None and post != employment.post_type:
        out.append("post_type")  # on the employment, not the person: it decides a woman's retirement age
    return out


def _some_change(ctx):
    if person_of(ctx) is None:
        return
    changed = changed_fields(ctx)
    ctx.changed_fields = changed
    if not changed:
        ctx.fail("__all__", _("没有需要变更的项目：所填内容与登记信息相同"))
    new_id = ctx.data.get("new_id_number")
    if new_id is not None and "new_id_number" in changed:
        if Person.objects.filter(id_number=new_id.number).exists():
            ctx.fail("new_id_number", _("新公民身份号码已被其他人员使用"))


def needs_counter(stored) -> bool:
    return any(stored.get(f) for f in COUNTER_FIELDS)


def flags(ctx):
    changed = set(changed_fields(ctx))
    out = []
    if changed & COUNTER_FIELDS:
        out.append(_("变更姓名或公民身份号码：须到窗口核验身份证件和户籍证明"))
    if "post_type" in changed:
        out.append(_("变更岗位类型：女职工的法定退休年龄随之改变，须核对岗位证明"))
    return out


def effect(ctx):
    person = person_of(ctx.check)
    changed = changed_fields(ctx.check)
    if "post_type" in changed:
        record.employment_post_type_set(
            employment=employment_here(ctx.check), post_type=ctx.data["post_type"], **ctx.audit
        )
        changed.remove("post_type")
        if not changed:
            return
    changes = {CHANGES[f]: _value(f, ctx.data[f]) for f in changed}
    if "id_number" in changes:
        info = ctx.data["new_id_number"]
        changes["gender"], changes["birth_date"] = info.gender, info.birth_date
    record.person_update(person=person, employer=ctx.employer, changes=changes, **ctx.audit)


def prefill(employer, id_number, today):
    found = lookup_person(employer, id_number, today)
    if found is None:
        return Prefill()
    info, person, here, _any = found
    if person is None or not any(e.stop_period is None for e in here):
        return Prefill(values={"id_number": info.number}, notice=_("该人员不是本单位在职参保人员。"))
    employment = next(e for e in here if e.stop_period is None)
    return Prefill(
        values={
            "id_number": info.number,
            "post_type": employment.post_type,
            "phone": person.phone,
            "address": person.address,
            "hukou_type": person.hukou_type,
            "ethnicity": person.ethnicity,
        },
        notice=_("当前登记：%(name)s。只需修改要变更的项目。") % {"name": person.name},
    )


def summary(stored):
    labels = {f.name: str(f.label) for f in DEFINITION.fields}
    changed = [labels[k] for k in (*CHANGES, "post_type") if stored.get(k)]
    return f"{stored.get('id_number', '')} " + _("变更：%(list)s") % {"list": "、".join(changed)}


DEFINITION = ItemDefinition(
    code="H09",
    fields=(
        F.ID_NUMBER,
        Field("new_name", gettext_lazy("新姓名"), "name", help=gettext_lazy("变更姓名须到窗口办理")),
        Field(
            "new_id_number",
            gettext_lazy("新公民身份号码"),
            "id_number",
            help=gettext_lazy("变更身份号码须到窗口办理"),
        ),
        Field("phone", gettext_lazy("联系电话"), "phone"),
        Field("address", gettext_lazy("地址"), "text", max_length=200),
        Field("hukou_type", gettext_lazy("户籍性质"), "choice", choices=code_table(HukouType)),
        Field("ethnicity", gettext_lazy("民族"), "choice", choices=lambda: [(e, e) for e in ETHNICITIES]),
        Field(
            "post_type",
            gettext_lazy("岗位类型"),
            "choice",
            choices=code_table(PostType),
            help=gettext_lazy("女职工按岗位类型确定退休年龄"),
        ),
    ),
    checks=(
        EMPLOYED_HERE,
        Check(
            "some_change",
            gettext_lazy("至少有一项变更，新身份号码未被使用"),
            _some_change,
            needs=("id_number",),
        ),
    ),
    effect=effect,
    needs_counter=needs_counter,
    counter_note=gettext_lazy("请携带身份证件原件及户籍变更证明到经办窗口办结。"),
    auto_approvable=True,
    person_fields=tuple(CHANGES),
    flags=flags,
    prefill=prefill,
    summary=summary,
)
