"""H11 补缴申报: contributions for past months the person worked here and nobody declared. Each period's base is
the declared wage clamped to that period's base-year limits; the amounts and the late surcharge from each period's
own due date are computed by ``contributions.selectors.back_payment_quote`` — shown before submitting (检查/试算),
at review, and written on approval by ``contributions.services.back_payment_create`` (lines marked 补缴)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.contributions.models import ContributionLine, EmployerPeriod
from shebao.contributions.selectors import back_payment_quote
from shebao.contributions.services import back_payment_create
from shebao.core.money import format_money
from shebao.core.period import Period, period_range
from shebao.parameters import selectors as params
from shebao.parameters.models import PolicySetting
from shebao.persons.models import Coverage, Employment

from . import fields as F
from .base import Check, Field, ItemDefinition
from .checks import base_year_of, known_person, person_of
from .prefill import prefill_name

START = Field(
    "start_period", gettext_lazy("补缴起始期"), "period", required=True, help=gettext_lazy("如 202301")
)
END = Field("end_period", gettext_lazy("补缴截止期"), "period", required=True, help=gettext_lazy("如 202306"))
WAGE = Field(
    "wage",
    gettext_lazy("补缴月工资(缴费基数)"),
    "amount",
    required=True,
    help=gettext_lazy("每期按该期所属年度的基数上下限计"),
)
REASON = Field("reason", gettext_lazy("补缴原因"), "text", required=True, max_length=200)
REVIEW_OVER_MONTHS = 12  # catalogue.md's manual-review trigger


def _periods(ctx) -> list[int]:
    return [p.value for p in period_range(ctx.data["start_period"], ctx.data["end_period"])]


def _range_ok(ctx):
    start, end = ctx.data["start_period"], ctx.data["end_period"]
    if end < start:
        ctx.fail(
            "end_period", _("补缴截止期 %(end)s 不能早于起始期 %(start)s") % {"end": end, "start": start}
        )
        return
    if end >= ctx.period:
        ctx.fail(
            "end_period",
            _("补缴截止期 %(end)s 应早于当前期 %(now)s（只能补缴以前的月份）")
            % {"end": end, "now": ctx.period},
        )
    limit = params.policy_int(PolicySetting.Key.MAX_BACK_PAYMENT_MONTHS, period=int(ctx.period))
    span = (end - start) + 1
    if span > limit:
        ctx.fail(
            "end_period",
            _("补缴期间跨度 %(n)d 个月，超过一次最多 %(limit)d 个月，请分次申报")
            % {"n": span, "limit": limit},
        )


def _coverages(ctx, person) -> dict[int, tuple[str, ...]]:
    """Period → the insurances the person was covered for at this employer then (empty: not employed here)."""

    def compute():
        periods = _periods(ctx)
        rows = Coverage.objects.filter(person=person, employer=ctx.employer).values_list(
            "insurance", "start_period", "stop_period"
        )
        out = {}
        for period in periods:
            out[period] = tuple(
                ins for ins, start, stop in rows if start <= period and (stop is None or stop > period)
            )
        return out

    return ctx.cached(("back_coverages", person.pk), compute)


def _fmt(periods: list[int]) -> str:
    shown = "、".join(str(p) for p in periods[:12])
    return shown + (_("等 %(n)d 个月") % {"n": len(periods)} if len(periods) > 12 else "")


def _periods_ok(ctx):
    person = known_person(ctx)
    if person is None or ctx.data["end_period"] < ctx.data["start_period"]:
        return
    if (ctx.data["end_period"] - ctx.data["start_period"]) + 1 > 600:
        return  # the range check says why
    covered = _coverages(ctx, person)
    not_here = [p for p, ins in covered.items() if not ins]
    if not_here:
        employed = Employment.objects.filter(person=person, employer=ctx.employer).exists()
        ctx.fail(
            "start_period",
            _("%(periods)s 该人员未在本单位参保，不能补缴") % {"periods": _fmt(not_here)}
            + ("" if employed else _("（该人员在本单位没有参保记录）")),
        )
    lines = set(
        ContributionLine.objects.filter(
            person=person, employer=ctx.employer, period__in=list(covered)
        ).values_list("period", flat=True)
    )
    if lines:
        paid = set(
            EmployerPeriod.objects.filter(
                employer=ctx.employer, period__in=lines, paid_on__isnull=False
            ).values_list("period", flat=True)
        )
        if paid:
            ctx.fail(
                "start_period",
                _("%(periods)s 已缴费，不能补缴") % {"periods": _fmt(sorted(paid))},
            )
        unpaid = sorted(lines - paid)
        if unpaid:
            ctx.fail(
                "start_period",
                _("%(periods)s 已核定应缴（未缴清），请按欠费缴纳，不能重复补缴") % {"periods": _fmt(unpaid)},
            )


def _limits_ok(ctx):
    if ctx.data["end_period"] < ctx.data["start_period"]:
        return
    if ctx.data["wage"] <= 0:
        ctx.fail("wage", _("补缴月工资应大于0"))
        return
    years = {base_year_of(Period(p)) for p in _periods(ctx)}
    missing = sorted(y for y in years if not _has_limits(y))
    if missing:
        ctx.fail(
            "start_period",
            _("%(years)s 年度缴费基数上下限未设置，不能补缴这些年度的月份")
            % {"years": "、".join(str(y) for y in missing)},
        )


def _has_limits(year: int) -> bool:
    try:
        params.base_limits_for(base_year=year, insurance="pension")
    except params.ParameterMissing:
        return False
    return True


def quote_of(ctx):
    person = person_of(ctx)
    covered = _coverages(ctx, person)
    rows = [(p, ctx.data["wage"], ins) for p, ins in sorted(covered.items())]
    return ctx.cached(
        ("back_quote", person.pk),
        lambda: back_payment_quote(employer=ctx.employer, periods=rows, as_of=ctx.today),
    )


def _amounts(ctx):
    """The amounts, per period and in total, as of today (the surcharge grows until paid)."""
    quote = quote_of(ctx)
    for p in quote.periods:
        base = p.lines[0].base if p.lines else None
        ctx.note(
            _(
                "%(period)s：缴费基数 %(base)s，单位 %(e)s，个人 %(i)s，合计 %(t)s；缴费期限 %(due)s，滞纳 %(days)d 天，滞纳金 %(s)s"
            )
            % {
                "period": p.period,
                "base": format_money(base) if base is not None else "—",
                "e": format_money(p.employer_amount),
                "i": format_money(p.individual_amount),
                "t": format_money(p.amount),
                "due": p.due_date.isoformat(),
                "days": p.days_late,
                "s": format_money(p.surcharge),
            }
        )
    ctx.note(
        _("补缴合计 %(n)d 个月：缴费 %(amount)s，滞纳金 %(s)s（截至 %(day)s，缴清前每日按规定加收）")
        % {
            "n": len(quote.periods),
            "amount": format_money(quote.amount),
            "s": format_money(quote.surcharge),
            "day": ctx.today.isoformat(),
        }
    )


def _amounts_if_ok(ctx):
    probe = type(ctx)(definition=ctx.definition, employer=ctx.employer, data=ctx.data, today=ctx.today)
    probe.cache = ctx.cache
    for check in (_range_ok, _periods_ok, _limits_ok):
        check(probe)
    if probe._errors:
        return  # those checks name the problem
    _amounts(ctx)


def flags(ctx):
    months = (ctx.data["end_period"] - ctx.data["start_period"]) + 1
    if months > REVIEW_OVER_MONTHS:
        return [_("补缴 %(n)d 个月，超过12个月：须核查劳动关系证明及工资发放记录") % {"n": months}]
    return []


def effect(ctx):
    person = person_of(ctx.check)
    covered = _coverages(ctx.check, person)
    back_payment_create(
        employer=ctx.employer,
        person=person,
        periods=[(p, ctx.data["wage"], ins) for p, ins in sorted(covered.items())],
        today=ctx.check.today,
        declaration_number=ctx.declaration.number,
        user=ctx.actor,
    )


def outcome(declaration):
    lines = ContributionLine.objects.filter(
        employer=declaration.employer,
        kind="back_payment",
        run__message__endswith=declaration.number,
    )
    rows = list(lines.values_list("employer_amount", "individual_amount"))
    if not rows:
        return []
    total = sum((e + i for e, i in rows), 0)
    return [(_("补缴应缴合计"), format_money(total)), (_("查询"), _("单位欠费查询(Q11)显示滞纳金"))]


DEFINITION = ItemDefinition(
    code="H11",
    fields=(F.ID_NUMBER, F.NAME, START, END, WAGE, REASON),
    checks=(
        Check(
            "range_ok",
            gettext_lazy("补缴期间为以前月份，一次不超过规定月数"),
            _range_ok,
            needs=("start_period", "end_period"),
        ),
        Check(
            "periods_ok",
            gettext_lazy("各期在本单位参保，且未缴费、未核定"),
            _periods_ok,
            needs=("id_number", "start_period", "end_period"),
        ),
        Check(
            "limits_ok",
            gettext_lazy("各期所属年度的基数上下限已公布"),
            _limits_ok,
            needs=("start_period", "end_period", "wage"),
        ),
        Check(
            "amounts",
            gettext_lazy("补缴金额及滞纳金试算"),
            _amounts_if_ok,
            needs=("id_number", "start_period", "end_period", "wage"),
        ),
    ),
    effect=effect,
    flags=flags,
    prefill=lambda employer, id_number, today: prefill_name(employer, id_number, today, active=False),
    outcome=outcome,
    intro=gettext_lazy(
        "补缴以前月份的社会保险费：按各期所属年度基数上下限计算，自各期缴费期限次日起按日加收滞纳金。"
        "提交前可点「检查/试算」查看每期金额和合计。"
    ),
)
