"""H18 退费申请: pay back overpaid contributions, never more than the employer's real credit (what its arrivals
left unallocated less earlier refunds). Approval records a refund (contributions.services.refund_record), which
reduces the credit; the arrivals themselves are not edited."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.contributions import selectors as money_read
from shebao.contributions import services as money
from shebao.contributions.models import Refund
from shebao.core.money import format_money

from .base import Check, Field, ItemDefinition

MAX_MONTHS = 60


def _periods_ok(ctx):
    start, end = ctx.data["period_from"], ctx.data["period_to"]
    if end < start:
        ctx.fail(
            "period_to", _("溢缴所属期止 %(end)s 不能早于所属期起 %(start)s") % {"end": end, "start": start}
        )
        return
    if end > ctx.period:
        ctx.fail(
            "period_to",
            _("溢缴所属期止 %(end)s 不能晚于本期 %(current)s") % {"end": end, "current": ctx.period},
        )
    months = (end - start) + 1
    if months > MAX_MONTHS:
        ctx.fail(
            "period_from",
            _("溢缴所属期跨度 %(months)d 个月，最多 %(max)d 个月") % {"months": months, "max": MAX_MONTHS},
        )


PERIODS_OK = Check(
    "refund_periods_ok",
    gettext_lazy("溢缴所属期起止有效，不晚于本期，跨度不超过60个月"),
    _periods_ok,
    needs=("period_from", "period_to"),
)


def _overpaid_in_periods(ctx):
    start, end = ctx.data["period_from"], ctx.data["period_to"]
    if end < start:
        return  # PERIODS_OK says why
    overpaid = money_read.overpaid_in_periods(employer=ctx.employer, start=int(start), end=int(end))
    if overpaid <= 0:
        ctx.fail(
            "period_from",
            _("溢缴所属期 %(start)s 至 %(end)s 没有溢缴款：该期间的到账均已分配到结算期或已退费")
            % {"start": start, "end": end},
        )
        return
    amount = ctx.data.get("amount")
    credit = ctx.cached("credit", lambda: money_read.employer_credit(employer=ctx.employer))
    if amount is not None and overpaid < credit and amount > overpaid:  # else the credit check says it
        ctx.fail(
            "amount",
            _("退费金额 %(amount)s 元超过溢缴所属期 %(start)s 至 %(end)s 的溢缴款 %(overpaid)s 元")
            % {
                "amount": format_money(amount),
                "start": start,
                "end": end,
                "overpaid": format_money(overpaid),
            },
        )


OVERPAID_IN_PERIODS = Check(
    "overpaid_in_periods",
    gettext_lazy("所选期间有溢缴款，退费金额不超过该期间的溢缴款"),
    _overpaid_in_periods,
    needs=("period_from", "period_to"),
)


def _within_credit(ctx):
    amount = ctx.data["amount"]
    if amount <= 0:
        ctx.fail("amount", _("退费金额应大于0"))
        return
    credit = ctx.cached("credit", lambda: money_read.employer_credit(employer=ctx.employer))
    ctx.note(_("本单位溢缴余额 %(credit)s 元") % {"credit": format_money(credit)})
    if credit <= 0:
        ctx.fail("amount", _("本单位没有可退的溢缴余额（0.00 元），不能申请退费"))
    elif amount > credit:
        ctx.fail(
            "amount",
            _("退费金额 %(amount)s 元超过本单位可退的溢缴余额 %(credit)s 元")
            % {"amount": format_money(amount), "credit": format_money(credit)},
        )


WITHIN_CREDIT = Check(
    "refund_within_credit",
    gettext_lazy("退费金额不超过单位的溢缴余额"),
    _within_credit,
    needs=("amount",),
)


def effect(ctx):
    data = ctx.data
    money.refund_record(
        employer=ctx.employer,
        amount=data["amount"],
        refunded_on=ctx.check.today,
        period_from=int(data["period_from"]),
        period_to=int(data["period_to"]),
        reason=data["reason"],
        bank_name=data.get("bank_name") or "",
        bank_account=data["bank_account"],
        declaration_number=ctx.declaration.number,
        user=ctx.actor,
    )


def outcome(declaration):
    refund = Refund.objects.filter(
        declaration_number=declaration.number, employer=declaration.employer
    ).first()
    if refund is None:
        return []
    credit = money_read.employer_credit(employer=declaration.employer)
    return [
        (_("退费金额"), format_money(refund.amount)),
        (_("退费日期"), refund.refunded_on.isoformat()),
        (_("退入银行账号"), f"{refund.bank_name} {refund.bank_account}".strip()),
        (_("本单位现有溢缴余额"), format_money(credit)),
    ]


def summary(stored):
    return _("退费 %(amount)s 元（%(start)s 至 %(end)s）") % {
        "amount": stored.get("amount") or "",
        "start": stored.get("period_from") or "",
        "end": stored.get("period_to") or "",
    }


DEFINITION = ItemDefinition(
    code="H18",
    fields=(
        Field(
            "period_from",
            gettext_lazy("溢缴所属期起"),
            "period",
            required=True,
            help=gettext_lazy("年月，如 202601"),
        ),
        Field(
            "period_to",
            gettext_lazy("溢缴所属期止"),
            "period",
            required=True,
            help=gettext_lazy("年月，如 202611"),
        ),
        Field(
            "amount",
            gettext_lazy("退费金额"),
            "amount",
            required=True,
            help=gettext_lazy("不超过单位的溢缴余额"),
        ),
        Field("reason", gettext_lazy("退费原因"), "text", required=True, max_length=200),
        Field("bank_name", gettext_lazy("开户银行"), "text", max_length=60),
        Field("bank_account", gettext_lazy("退入银行账号"), "bank_account", required=True),
    ),
    checks=(PERIODS_OK, OVERPAID_IN_PERIODS, WITHIN_CREDIT),
    effect=effect,
    outcome=outcome,
    summary=summary,
    subject_field=None,
    intro=gettext_lazy(
        "多缴的社会保险费（到账后未分配到任何结算期的溢缴款）可申请退回单位银行账户。可退金额见「单位缴费到账查询」(Q10)。"
    ),
)
