"""H15 工伤待遇申请: cost items of a case of this employer determined as a work injury. The lump-sum disability
grant is not typed: months of wage by grade from the parameter table (``benefits.selectors.disability_grant_quote``),
shown before submitting and paid on approval with the other items (Q06)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.benefits.models import InjuryCase, InjuryPayment
from shebao.benefits.selectors import disability_grant_quote
from shebao.benefits.services import injury_payment_record
from shebao.core.money import format_money
from shebao.core.validators import normalize_identifier

from .base import Check, Field, ItemDefinition

Item = InjuryPayment.Item
# The cost items an employer claims (the grant is computed, the allowances are the office's).
COST_ITEMS = (Item.MEDICAL, Item.HOSPITAL_FOOD, Item.TEMPORARY_DISABILITY, Item.REHABILITATION, Item.NURSING)


def _case(ctx) -> InjuryCase | None:
    number = normalize_identifier(ctx.data.get("case_number") or "").upper()
    if not (number.isascii() and number.isalnum()):
        return None  # not a case number (GS + digits): nothing to look up
    return ctx.cached(
        ("case", number),
        lambda: InjuryCase.objects.filter(employer=ctx.employer, case_number=number).first(),
    )


def _case_determined(ctx):
    case = _case(ctx)
    if case is None:
        ctx.fail(
            "case_number", _("本单位没有编号为「%(no)s」的工伤案件") % {"no": ctx.data["case_number"][:20]}
        )
        return
    if case.status not in (InjuryCase.Status.DETERMINED, InjuryCase.Status.CLOSED):
        ctx.fail(
            "case_number",
            _("工伤案件 %(no)s 的认定状态为「%(status)s」，认定为工伤后才能申请待遇")
            % {"no": case.case_number, "status": case.get_status_display()},
        )


def _grant(ctx):
    case = _case(ctx)
    if case is None or case.status not in (InjuryCase.Status.DETERMINED, InjuryCase.Status.CLOSED):
        return None
    if case.payments.filter(item=Item.DISABILITY_GRANT).exists():
        return None  # paid once
    return ctx.cached(("grant", case.pk), lambda: disability_grant_quote(case=case))


def _items(ctx):
    case = _case(ctx)
    if case is None:
        return
    claimed = {i: ctx.data.get(i) for i in COST_ITEMS if ctx.data.get(i)}
    grant = _grant(ctx)
    if not claimed and grant is None:
        ctx.fail("medical", _("请至少填写一项费用金额"))
        return
    for item, amount in claimed.items():
        if amount <= 0:
            ctx.fail(item, _("%(label)s应大于0") % {"label": Item(item).label})
    total = sum(claimed.values(), Decimal("0.00"))
    if grant is not None:
        ctx.note(
            _("一次性伤残补助金：%(grade)d级伤残 %(months)d 个月 × 本人工伤缴费基数 %(wage)s = %(amount)s")
            % {
                "grade": grant.grade,
                "months": grant.months,
                "wage": format_money(grant.wage),
                "amount": format_money(grant.amount),
            }
        )
        total += grant.amount
    ctx.note(_("本次工伤待遇合计 %(total)s") % {"total": format_money(total)})


def effect(ctx):
    case = _case(ctx.check)
    grant = _grant(ctx.check)
    for item in COST_ITEMS:
        amount = ctx.data.get(item)
        if amount:
            injury_payment_record(
                case=case, item=item, amount=amount, paid_on=ctx.check.today, source="declaration"
            )
    if grant is not None:
        injury_payment_record(
            case=case,
            item=Item.DISABILITY_GRANT,
            amount=grant.amount,
            paid_on=ctx.check.today,
            note=_("%(grade)d级伤残 %(months)d 个月") % {"grade": grant.grade, "months": grant.months},
            source="declaration",
        )


def summary(stored):
    return _("工伤案件 %(no)s") % {"no": stored.get("case_number", "")}


DEFINITION = ItemDefinition(
    code="H15",
    fields=(
        Field("case_number", gettext_lazy("工伤案件编号"), "text", required=True, max_length=20),
        *(Field(str(item), Item(item).label, "amount") for item in COST_ITEMS),
        Field("remark", gettext_lazy("备注"), "text", max_length=200),
    ),
    checks=(
        Check(
            "case_determined", gettext_lazy("工伤案件已认定为工伤"), _case_determined, needs=("case_number",)
        ),
        Check("items", gettext_lazy("费用项目及一次性伤残补助金"), _items, needs=("case_number",)),
    ),
    effect=effect,
    summary=summary,
    subject_field=None,
    intro=gettext_lazy(
        "一次性伤残补助金按伤残等级对应的月数自动计算，无需填写；提交前可点「检查/试算」查看金额。"
    ),
)
