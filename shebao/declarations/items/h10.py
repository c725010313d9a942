"""H10 单位信息变更: the employer's own details; a change of name needs the counter."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.persons import services as record

from .base import Check, Field, ItemDefinition

CHANGES = (
    "name",
    "contact_name",
    "contact_phone",
    "address",
    "bank_name",
    "bank_account",
    "legal_representative",
)


def changed_fields(ctx) -> list[str]:
    employer = ctx.employer
    return [f for f in CHANGES if ctx.data.get(f) not in (None, "") and ctx.data[f] != getattr(employer, f)]


def _some_change(ctx):
    changed = changed_fields(ctx)
    ctx.changed_fields = changed
    if not changed:
        ctx.fail("__all__", _("没有需要变更的项目：所填内容与登记信息相同"))


def effect(ctx):
    changes = {f: ctx.data[f] for f in changed_fields(ctx.check)}
    record.employer_update(employer=ctx.employer, changes=changes, **ctx.audit)


def flags(ctx):
    return [_("变更单位名称：须到窗口核验营业执照等证明")] if "name" in changed_fields(ctx) else []


def summary(stored):
    labels = {f.name: str(f.label) for f in DEFINITION.fields}
    return _("变更：%(list)s") % {"list": "、".join(labels[k] for k in CHANGES if stored.get(k))}


DEFINITION = ItemDefinition(
    code="H10",
    fields=(
        Field(
            "name",
            gettext_lazy("单位名称"),
            "text",
            max_length=100,
            help=gettext_lazy("变更单位名称须到窗口办理"),
        ),
        Field("contact_name", gettext_lazy("联系人"), "name"),
        Field("contact_phone", gettext_lazy("联系电话"), "phone"),
        Field("address", gettext_lazy("地址"), "text", max_length=200),
        Field("bank_name", gettext_lazy("开户银行"), "text", max_length=60),
        Field("bank_account", gettext_lazy("银行账号"), "bank_account"),
        Field("legal_representative", gettext_lazy("法定代表人"), "name"),
    ),
    checks=(Check("some_change", gettext_lazy("至少有一项变更"), _some_change),),
    effect=effect,
    needs_counter=lambda stored: bool(stored.get("name")),
    counter_note=gettext_lazy("请携带营业执照副本和单位公章到经办窗口办结名称变更。"),
    auto_approvable=True,
    person_fields=CHANGES,
    flags=flags,
    summary=summary,
    subject_field=None,
    intro=gettext_lazy("只填写需要变更的项目。"),
)
