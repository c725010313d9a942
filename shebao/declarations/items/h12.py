"""H12 退休申报: an employee retires (normal, special-type or illness). The checks: employed here; the retirement
date not before the statutory age of the person's group (men; women by post type: worker or cadre, money.md's
2025 rule), earlier by the parameter years for special-type and illness retirements; enough contribution years
(15, rising from 2030). The initial pension is computed by ``benefits.selectors.pension_computation`` — shown
before submitting, at review, and recorded on approval by ``benefits.services.pension_award_record``. Special-type
and illness retirements wait at the counter for their paper."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.benefits.models import PensionAward
from shebao.benefits.selectors import age_in_months, pension_computation, pension_paid_months
from shebao.benefits.services import pension_award_record
from shebao.core.choices import PostType, StopReason, retirement_group_of
from shebao.core.money import format_money
from shebao.core.period import Period
from shebao.parameters import selectors as params
from shebao.parameters.models import PolicySetting
from shebao.parameters.rules import min_contribution_months, retirement_age_months
from shebao.persons import services as record

from . import fields as F
from .base import Check, Field, ItemDefinition, code_table
from .checks import EMPLOYED_HERE, employment_here
from .prefill import prefill_name

Key = PolicySetting.Key
RetirementType = PensionAward.RetirementType

RETIREMENT_DATE = Field(
    "retirement_date", gettext_lazy("退休日期"), "date", required=True, help=gettext_lazy("如 2026-12-31")
)
TYPE = Field(
    "type",
    gettext_lazy("退休类型"),
    "choice",
    required=True,
    choices=code_table(RetirementType),
    default=RetirementType.NORMAL,
)


def _age_text(months: int) -> str:
    years, rest = divmod(months, 12)
    return _("%(y)d岁%(m)d个月") % {"y": years, "m": rest} if rest else _("%(y)d岁") % {"y": years}


def required_age_months(*, gender: str, post_type: str, birth_date: dt.date, kind: str, period: int) -> int:
    """The youngest age (months) at which this person may retire with this type: the statutory age of the
    group (retirement_age_months under the group's rule), earlier by the parameter years for special-type and
    illness retirements."""
    statutory = retirement_age_months(
        birth_date, params.retirement_rule_for(retirement_group_of(gender, post_type))
    )
    if kind == RetirementType.SPECIAL:
        earlier = params.policy_int(Key.SPECIAL_RETIREMENT_YEARS_EARLIER, period=period)
    elif kind == RetirementType.ILLNESS:
        key = (
            Key.ILLNESS_RETIREMENT_YEARS_EARLIER_MALE
            if gender == "M"
            else Key.ILLNESS_RETIREMENT_YEARS_EARLIER_FEMALE
        )
        earlier = params.policy_int(key, period=period)
    else:
        earlier = 0
    return statutory - 12 * earlier


def _date_ok(ctx):
    day = ctx.data["retirement_date"]
    latest = (ctx.period + 1).last_day()
    if day > latest:
        ctx.fail(
            "retirement_date",
            _("退休日期 %(day)s 不能晚于 %(latest)s（最早提前一个月申报）")
            % {"day": day.isoformat(), "latest": latest.isoformat()},
        )


def _age_reached(ctx):
    employment = employment_here(ctx)
    if employment is None:
        return  # EMPLOYED_HERE says why
    person = employment.person
    day = ctx.data["retirement_date"]
    kind = ctx.data["type"]
    required = required_age_months(
        gender=person.gender,
        post_type=employment.post_type,
        birth_date=person.birth_date,
        kind=kind,
        period=Period.from_date(day).value,
    )
    age = age_in_months(person.birth_date, day)
    if age < required:
        index = person.birth_date.year * 12 + person.birth_date.month - 1 + required
        earliest = dt.date(index // 12, index % 12 + 1, 1)
        group = (
            _("男职工")
            if person.gender == "M"
            else _("女职工(%(post)s)") % {"post": PostType(employment.post_type).label}
        )
        ctx.fail(
            "retirement_date",
            _(
                "退休日期 %(day)s 时未达到退休年龄：%(group)s%(type)s须年满 %(required)s"
                "（到 %(day)s 为 %(age)s），最早可于 %(earliest)s 起退休"
            )
            % {
                "day": day.isoformat(),
                "group": group,
                "type": RetirementType(kind).label,
                "required": _age_text(required),
                "age": _age_text(age),
                "earliest": f"{earliest:%Y-%m}",
            },
        )


def _years_enough(ctx):
    employment = employment_here(ctx)
    if employment is None:
        return
    period = Period.from_date(ctx.data["retirement_date"]).value
    years = params.min_contribution_years_for(period=period)
    months = len(pension_paid_months(person=employment.person))
    if months < min_contribution_months(years):
        ctx.fail(
            "id_number",
            _("缴费年限不足：已缴费 %(have)d 个月（%(y)s 年），%(year)d 年退休须累计缴费满 %(need)s 年")
            % {
                "have": months,
                "y": (Decimal(months) / 12).quantize(Decimal("0.01")),
                "year": period // 100,
                "need": years.normalize(),
            },
        )


def computation_of(ctx):
    employment = employment_here(ctx)
    day = ctx.data["retirement_date"]
    return ctx.cached(
        ("pension", employment.person_id, day),
        lambda: pension_computation(person=employment.person, retirement_date=day),
    )


def _pension(ctx):
    if employment_here(ctx) is None:
        return
    c = computation_of(ctx)
    ctx.note(
        _(
            "退休时年龄 %(age)s；基础养老金 (%(a)s + %(a)s × %(i)s) ÷ 2 × %(n)s 年 × 1%% = %(basic)s；"
            "个人帐户养老金 %(balance)s ÷ %(divisor)s = %(account)s；月养老金 %(total)s，自 %(start)s 起发放"
        )
        % {
            "age": c.age_label,
            "a": format_money(c.average_wage),
            "i": c.contribution_index,
            "n": c.contribution_years,
            "basic": format_money(c.basic),
            "balance": format_money(c.balance),
            "divisor": c.divisor,
            "account": format_money(c.account),
            "total": format_money(c.total),
            "start": Period(c.start_period).label(),
        }
    )


def effect(ctx):
    employment = employment_here(ctx.check)
    day = ctx.data["retirement_date"]
    record.employment_stop(
        employment=employment,
        stop_period=(Period.from_date(day) + 1).value,
        reason=StopReason.RETIRED,
        **ctx.audit,
    )
    pension_award_record(
        person=employment.person,
        employer=ctx.employer,
        retirement_date=day,
        retirement_type=ctx.data["type"],
        today=ctx.check.today,
        declaration_number=ctx.declaration.number,
    )


def _award(declaration):
    return PensionAward.objects.filter(declaration_number=declaration.number).first()


def outcome(declaration):
    award = _award(declaration)
    if award is None:
        return []
    return [
        (_("待遇起始期"), Period(award.start_period).label()),
        (_("基础养老金"), format_money(award.basic_amount)),
        (_("个人帐户养老金"), format_money(award.account_amount)),
        (_("月养老金"), format_money(award.total)),
    ]


def sheet_rows(award) -> list[tuple[str, str]]:
    """Every input and intermediate figure of the computation (the printed sheet; the tests read it too)."""
    b = award.sheet.get("balance", {})
    credits = "、".join(f"{m}月 {format_money(Decimal(v))}" for m, v in b.get("credits", [])) or "—"
    years, months = divmod(award.age_months, 12)
    return [
        (_("姓名"), award.person.name),
        (_("公民身份号码"), award.person.id_number),
        (_("出生日期"), award.person.birth_date.isoformat()),
        (_("退休类型"), award.get_retirement_type_display()),
        (_("退休日期"), award.retirement_date.isoformat()),
        (_("退休时年龄"), _("%(y)d岁%(m)d个月") % {"y": years, "m": months}),
        (_("待遇起始期"), Period(award.start_period).label()),
        (
            _("上年度社会平均工资 A"),
            _("%(year)d 年 %(a)s") % {"year": award.average_wage_year, "a": format_money(award.average_wage)},
        ),
        (_("缴费月数"), str(award.paid_months)),
        (_("缴费年限 N"), str((Decimal(award.paid_months) / 12).quantize(Decimal("0.01")))),
        (_("平均缴费指数 I"), str(award.contribution_index)),
        (_("基础养老金 (A + A×I) ÷ 2 × N × 1%"), format_money(award.basic_amount)),
        (_("上一结息年度"), str(b.get("closed_year") or "—")),
        (_("上年末余额"), format_money(Decimal(b.get("closed_balance", "0")))),
        (_("其后结转及记账"), format_money(Decimal(b.get("carried", "0")))),
        (_("本年期初"), format_money(Decimal(b.get("opening", "0")))),
        (_("本年记账"), credits),
        (_("本年记账合计"), format_money(Decimal(b.get("credits_total", "0")))),
        (_("本年计息月数 k"), str(b.get("months", ""))),
        (
            _("记账利率 r"),
            _("%(year)s 年 %(rate)s") % {"year": b.get("rate_year", ""), "rate": b.get("rate", "")},
        ),
        (_("本年利息"), format_money(Decimal(b.get("interest", "0")))),
        (_("退休时个人帐户储存额"), format_money(award.balance)),
        (_("计发月数"), str(award.divisor)),
        (_("个人帐户养老金"), format_money(award.account_amount)),
        (_("月养老金"), format_money(award.total)),
    ]


def document(declaration):
    from shebao.core.pdf import PdfDocument

    award = _award(declaration)
    if award is None:
        return None
    doc = PdfDocument(
        title=_("基本养老金计算表"),
        subtitle=_("申报流水号 %(number)s") % {"number": declaration.number},
        footer=_("本表由社会保险经办系统按核定时的缴费记录和政策参数生成。"),
    )
    doc.fields([(_("单位名称"), declaration.employer.name), *sheet_rows(award)])
    years = award.sheet.get("index_years", [])
    if years:
        doc.table(
            [
                _("基数年度"),
                _("缴费月数"),
                _("缴费基数合计"),
                _("社平工资年度"),
                _("社平工资"),
                _("指数合计"),
            ],
            [
                [
                    str(y["year"]),
                    str(y["months"]),
                    format_money(Decimal(y["base_total"])),
                    str(y["average_wage_year"]),
                    format_money(Decimal(y["average_wage"])),
                    y["ratio_total"],
                ]
                for y in years
            ],
            title=_("平均缴费指数计算"),
        )
    return doc.render(), f"养老金计算表_{declaration.number}.pdf"


DEFINITION = ItemDefinition(
    code="H12",
    fields=(
        F.ID_NUMBER,
        F.NAME,
        RETIREMENT_DATE,
        TYPE,
        Field("remark", gettext_lazy("备注"), "text", max_length=200),
    ),
    checks=(
        EMPLOYED_HERE,
        Check(
            "retirement_date_ok",
            gettext_lazy("退休日期不晚于下月末"),
            _date_ok,
            needs=("retirement_date",),
        ),
        Check(
            "age_reached",
            gettext_lazy("达到该退休类型的退休年龄"),
            _age_reached,
            needs=("id_number", "retirement_date", "type"),
        ),
        Check(
            "contribution_years",
            gettext_lazy("累计缴费年限达到最低缴费年限"),
            _years_enough,
            needs=("id_number", "retirement_date"),
        ),
        Check(
            "pension",
            gettext_lazy("基本养老金试算"),
            _pension,
            needs=("id_number", "retirement_date"),
        ),
    ),
    effect=effect,
    needs_counter=lambda stored: stored.get("type") in (RetirementType.SPECIAL, RetirementType.ILLNESS),
    counter_note=gettext_lazy("特殊工种提前退休和病退须携带特殊工种档案或劳动能力鉴定结论到窗口办结。"),
    prefill=lambda employer, id_number, today: prefill_name(employer, id_number, today, active=True),
    outcome=outcome,
    document=document,
    document_label=gettext_lazy("打印养老金计算表"),
    intro=gettext_lazy(
        "退休日期为年满退休年龄之日或其后；养老金自退休次月起发放。提交前可点「试算」查看养老金计算结果。"
    ),
)
