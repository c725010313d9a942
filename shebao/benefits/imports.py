"""Reading the office's benefit-payment files (CSV): see ``shebao.core.csvfiles`` for the shared rules.
``BENEFIT_FILES`` lists every file the office's benefit page takes, medical spending (individual accounts)
included."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shebao.core.csvfiles import cell_amount, cell_choice, parse_date, parse_rows
from shebao.core.errors import DomainError
from shebao.core.validators import PAST_DATE, parse_integer, parse_period
from shebao.individual_accounts.imports import MEDICAL_COLUMNS, find_person, parse_medical_csv
from shebao.persons.models import Employment, Person

from .models import InjuryCase, InjuryPayment, MaternityPayment

PENSION_COLUMNS = (
    "公民身份号码",
    "支付期",
    "基础养老金",
    "个人帐户养老金",
    "过渡性养老金",
    "调整及补贴",
    "支付日期",
)


def retired_from(person: Person):
    """The employer a retiree retired from (their latest employment)."""
    employment = (
        Employment.objects.filter(person=person).order_by("-start_period").select_related("employer").first()
    )
    if employment is None:
        raise DomainError(_("%(name)s 没有参保关系，无法确定所属单位") % {"name": person.name})
    return employment.employer


def _pension_row(cells: list[str]) -> dict:
    person = find_person(cells[0])
    return {
        "person": person,
        "employer": retired_from(person),
        "period": parse_period(cells[1], label=_("支付期")),
        "basic_amount": cell_amount(cells[2], _("基础养老金"), positive=False),
        "account_amount": cell_amount(cells[3], _("个人帐户养老金"), positive=False),
        "transitional_amount": cell_amount(cells[4] or "0", _("过渡性养老金"), positive=False),
        "supplement_amount": cell_amount(cells[5] or "0", _("调整及补贴"), positive=False),
        "paid_on": parse_date(cells[6], label=_("支付日期")),
    }


def parse_pension_csv(upload) -> list[dict]:
    return parse_rows(upload, date_column=6, columns=7, parse_row=_pension_row)


MATERNITY_COLUMNS = ("公民身份号码", "生育日期", "生育类型", "医院", "产假天数", "医疗费用", "支付日期")


def employer_on(person: Person, day: dt.date):
    period = day.year * 100 + day.month
    employment = (
        Employment.objects.filter(person=person, start_period__lte=period)
        .order_by("-start_period")
        .select_related("employer")
        .first()
    )
    if employment is None:
        raise DomainError(_("%(name)s 在 %(day)s 没有参保关系") % {"name": person.name, "day": day})
    return employment.employer


def _maternity_row(cells: list[str]) -> dict:
    person = find_person(cells[0])
    delivery = parse_date(cells[1], label=_("生育日期"), window=PAST_DATE)
    days = None
    if cells[4]:
        days = parse_integer(cells[4], label=_("产假天数"), min_value=1, max_value=400)
    return {
        "person": person,
        "employer": employer_on(person, delivery),
        "delivery_date": delivery,
        "delivery_type": cell_choice(cells[2], MaternityPayment.DeliveryType.choices, _("生育类型")),
        "hospital": cells[3][:100],
        "leave_days": days,
        "medical_costs": cell_amount(cells[5] or "0", _("医疗费用"), positive=False),
        "paid_on": parse_date(cells[6], label=_("支付日期")),
    }


def parse_maternity_csv(upload) -> list[dict]:
    return parse_rows(upload, date_column=1, columns=7, parse_row=_maternity_row)


INJURY_COLUMNS = ("案件编号", "费用项目", "金额", "支付日期", "说明")


def _injury_row(cells: list[str]) -> dict:
    case = InjuryCase.objects.filter(case_number=cells[0].strip().upper()).first()
    if case is None:
        raise DomainError(_("工伤案件「%(no)s」不存在") % {"no": cells[0]})
    return {
        "case": case,
        "item": cell_choice(cells[1], InjuryPayment.Item.choices, _("费用项目")),
        "amount": cell_amount(cells[2], _("金额")),
        "paid_on": parse_date(cells[3], label=_("支付日期")),
        "note": cells[4][:200],
    }


def parse_injury_csv(upload) -> list[dict]:
    return parse_rows(upload, date_column=3, columns=5, parse_row=_injury_row)


BENEFIT_FILES = {
    # kind: (label, columns, parser)
    "pension": (_l("养老金支付"), PENSION_COLUMNS, parse_pension_csv),
    "maternity": (_l("生育待遇支付"), MATERNITY_COLUMNS, parse_maternity_csv),
    "injury": (_l("工伤待遇支付"), INJURY_COLUMNS, parse_injury_csv),
    "medical": (_l("医疗帐户消费"), MEDICAL_COLUMNS, parse_medical_csv),
}
