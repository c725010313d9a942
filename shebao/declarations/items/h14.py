"""H14 生育待遇申请: the delivery type decides the leave days (the leave-days parameter table; nobody types days);
12 months of maternity coverage here before the birth month; medical costs within the type's limit. The allowance
(the employer's average base, adjustments included, ÷ 30 × days) is computed by ``benefits.selectors.
maternity_quote`` — shown before submitting, at review, and recorded on approval (Q05)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.benefits.models import MaternityPayment
from shebao.benefits.selectors import maternity_quote
from shebao.benefits.services import maternity_payment_record
from shebao.core.money import format_money
from shebao.core.period import Period
from shebao.persons.models import Coverage

from . import fields as F
from .base import Check, Field, ItemDefinition, code_table
from .checks import EMPLOYED_HERE, employment_here
from .prefill import prefill_name

COVERAGE_MONTHS = 12  # catalogue.md: covered for maternity for 12 months before
DeliveryType = MaternityPayment.DeliveryType


def _int_field(name, label, help_text):
    return Field(name, label, "text", max_length=2, help=help_text)


def _count(ctx, name, label, low, high) -> int | None:
    raw = ctx.data.get(name) or ""
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and low <= int(raw) <= high):
        ctx.fail(
            name, _("%(label)s应为 %(low)d–%(high)d 的整数") % {"label": label, "low": low, "high": high}
        )
        return None
    return int(raw)


def _details(ctx) -> tuple[int, int] | None:
    """(babies, months of pregnancy) as the delivery type needs them; fails naming the field otherwise."""
    kind = ctx.data["delivery_type"]
    babies = _count(ctx, "babies", _("婴儿数"), 1, 9)
    months = _count(ctx, "pregnancy_months", _("怀孕月数"), 1, 10)
    if kind == DeliveryType.MULTIPLE and (babies is None or babies < 2):
        ctx.fail("babies", _("多胞胎须填写婴儿数(2个及以上)"))
        return None
    if kind == DeliveryType.MISCARRIAGE and months is None:
        ctx.fail("pregnancy_months", _("流产须填写怀孕月数"))
        return None
    return babies or 1, months or 0


def _date_ok(ctx):
    day = ctx.data["delivery_date"]
    if day > ctx.today:
        ctx.fail("delivery_date", _("生育日期 %(day)s 不能晚于今天") % {"day": day.isoformat()})


def _woman(ctx):
    employment = employment_here(ctx)
    if employment is not None and employment.person.gender != "F":
        ctx.fail("id_number", _("生育津贴由生育的女职工申领"))


def _covered_12_months(ctx):
    employment = employment_here(ctx)
    if employment is None:
        return
    birth = Period.from_date(ctx.data["delivery_date"])
    months = [(birth - k).value for k in range(1, COVERAGE_MONTHS + 1)]
    rows = list(
        Coverage.objects.filter(
            person=employment.person, employer=ctx.employer, insurance="maternity"
        ).values_list("start_period", "stop_period")
    )
    missing = [m for m in months if not any(s <= m and (e is None or e > m) for s, e in rows)]
    if missing:
        ctx.fail(
            "delivery_date",
            _("生育前12个月未连续参加生育保险：%(months)s 在本单位无生育保险，不能享受生育待遇")
            % {"months": "、".join(str(m) for m in sorted(missing)[:12])},
        )


def quote_of(ctx):
    details = _details(ctx)
    if details is None:
        return None
    babies, months = details
    return ctx.cached(
        ("maternity", ctx.data["delivery_date"], ctx.data["delivery_type"], babies, months),
        lambda: maternity_quote(
            employer=ctx.employer,
            delivery_date=ctx.data["delivery_date"],
            delivery_type=ctx.data["delivery_type"],
            babies=babies,
            pregnancy_months=months,
        ),
    )


def _allowance(ctx):
    quote = quote_of(ctx)
    if quote is None:
        return
    costs = ctx.data.get("medical_costs") or Decimal("0.00")
    if costs > quote.cost_limit:
        ctx.fail(
            "medical_costs",
            _("医疗费用 %(costs)s 超过该生育情形的限额 %(limit)s")
            % {"costs": format_money(costs), "limit": format_money(quote.cost_limit)},
        )
    ctx.note(
        _(
            "产假 %(days)d 天；单位月平均缴费基数 %(avg)s；生育津贴 %(avg)s ÷ 30 × %(days)d = %(allowance)s；"
            "医疗费用 %(costs)s（限额 %(limit)s）；合计 %(total)s"
        )
        % {
            "days": quote.leave_days,
            "avg": format_money(quote.average_base),
            "allowance": format_money(quote.allowance),
            "costs": format_money(costs),
            "limit": format_money(quote.cost_limit),
            "total": format_money(quote.allowance + costs),
        }
    )


def effect(ctx):
    employment = employment_here(ctx.check)
    babies, months = _details(ctx.check)
    maternity_payment_record(
        person=employment.person,
        employer=ctx.employer,
        delivery_date=ctx.data["delivery_date"],
        delivery_type=ctx.data["delivery_type"],
        babies=babies,
        pregnancy_months=months,
        hospital=ctx.data.get("hospital") or "",
        medical_costs=ctx.data.get("medical_costs") or Decimal("0.00"),
        paid_on=ctx.check.today,
        source="declaration",
    )


DEFINITION = ItemDefinition(
    code="H14",
    fields=(
        F.ID_NUMBER,
        F.NAME,
        Field("delivery_date", gettext_lazy("生育日期"), "date", required=True),
        Field(
            "delivery_type",
            gettext_lazy("生育类型"),
            "choice",
            required=True,
            choices=code_table(DeliveryType),
        ),
        _int_field("babies", gettext_lazy("婴儿数"), gettext_lazy("多胞胎填写")),
        _int_field("pregnancy_months", gettext_lazy("怀孕月数"), gettext_lazy("流产填写")),
        Field("hospital", gettext_lazy("医院"), "text", required=True, max_length=100),
        Field("medical_costs", gettext_lazy("医疗费用"), "amount"),
    ),
    checks=(
        EMPLOYED_HERE,
        Check("delivery_date_ok", gettext_lazy("生育日期不晚于今天"), _date_ok, needs=("delivery_date",)),
        Check("woman", gettext_lazy("申领人为女职工"), _woman, needs=("id_number",)),
        Check(
            "covered_12_months",
            gettext_lazy("生育前连续12个月参加生育保险"),
            _covered_12_months,
            needs=("id_number", "delivery_date"),
        ),
        Check(
            "allowance",
            gettext_lazy("产假天数、生育津贴试算及医疗费用限额"),
            _allowance,
            needs=("id_number", "delivery_date", "delivery_type"),
        ),
    ),
    effect=effect,
    prefill=lambda employer, id_number, today: prefill_name(employer, id_number, today, active=True),
    intro=gettext_lazy("产假天数按生育类型由系统确定；提交前可点「检查/试算」查看生育津贴。"),
)
