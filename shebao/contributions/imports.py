"""Reading the office's files: bank arrivals, benefit payments, medical spending (CSV, UTF-8 or GB18030).

Each parser checks every row and raises ``ImportRejected`` listing each bad row (「第 N 行：…」, N counted in the
file, header included) so that nothing is written unless the whole file is good. A first row whose date column
is not a date is taken as a header.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shebao.core import uploads, validators
from shebao.core.errors import DomainError
from shebao.core.validators import (
    ANY_DATE,
    EVENT_DATE,
    PAST_DATE,
    DateWindow,
    parse_amount,
    parse_integer,
    parse_period,
)
from shebao.employers.models import Employer
from shebao.persons.models import Employment, Person

from .models import InjuryCase, InjuryPayment, MaternityPayment
from .services import ImportRejected

MAX_ROWS = uploads.MAX_ROWS
MAX_BYTES = uploads.MAX_BYTES


def parse_date(value: str, *, label: str, window: DateWindow = EVENT_DATE) -> dt.date:
    """A date of an imported row, inside its plausible window (core.validators.parse_date)."""
    return validators.parse_date(value, label=label, window=window)


def read_rows(upload) -> list[tuple[int, list[str]]]:
    """(line number, cells) of every non-empty row of an uploaded CSV file (core.uploads: any line ending,
    any encoding we accept, every unreadable row named)."""
    try:
        return uploads.csv_rows(upload, max_bytes=MAX_BYTES, max_rows=MAX_ROWS)
    except uploads.UploadRejected as exc:
        raise ImportRejected(exc.errors) from None


def _parse(upload, *, date_column: int, columns: int, parse_row: Callable[[list[str]], dict]) -> list[dict]:
    rows = read_rows(upload)
    if rows:
        first = rows[0][1]
        try:
            parse_date(first[date_column] if len(first) > date_column else "", label="", window=ANY_DATE)
        except DomainError as exc:
            if exc.code != "range":  # not a date at all: a header (a date out of range is a bad data row)
                rows = rows[1:]
    if not rows:
        raise ImportRejected([_("文件中没有数据行")])
    parsed, errors = [], []
    for number, cells in rows:
        cells = cells + [""] * (columns - len(cells))
        try:
            row = parse_row(cells)
        except DomainError as exc:
            errors.append(_("第 %(line)d 行：%(msg)s") % {"line": number, "msg": exc.message})
            continue
        row["line"] = number
        parsed.append(row)
    if errors:
        raise ImportRejected(errors)
    return parsed


def find_employer(code: str) -> Employer:
    """An employer by its 8-digit number or its 18-character credit code."""
    code = code.strip().upper()
    if not code:
        raise DomainError(_("单位编号或统一社会信用代码不能为空"))
    employer = (
        Employer.objects.filter(number=code).first() or Employer.objects.filter(credit_code=code).first()
    )
    if employer is None:
        raise DomainError(_("单位「%(code)s」不存在（应为单位编号或统一社会信用代码）") % {"code": code})
    return employer


def find_person(id_number: str) -> Person:
    id_number = id_number.strip().upper()
    person = Person.objects.filter(id_number=id_number).first()
    if person is None:
        raise DomainError(_("公民身份号码「%(id)s」没有参保记录") % {"id": id_number})
    return person


def _amount(value: str, label: str, *, positive: bool = True) -> Decimal:
    amount = parse_amount(value, label=label)
    if positive and amount <= 0:
        raise DomainError(_("%(label)s必须大于0") % {"label": label})
    return amount


def _choice(value: str, choices, label: str) -> str:
    for code, name in choices:
        if value in (code, str(name)):
            return code
    raise DomainError(
        _("%(label)s「%(value)s」不正确，应为：%(names)s")
        % {"label": label, "value": value, "names": "、".join(str(n) for _c, n in choices)}
    )


# --- the four files ------------------------------------------------------------------------------------------

ARRIVAL_COLUMNS = ("单位编号或统一社会信用代码", "到账日期", "金额", "银行流水号", "结算期(可选)")


def _arrival_row(cells: list[str]) -> dict:
    period = parse_period(cells[4]) if cells[4] else None
    return {
        "employer": find_employer(cells[0]),
        "received_on": parse_date(cells[1], label=_("到账日期")),
        "amount": _amount(cells[2], _("金额")),
        "reference": cells[3][:60],
        "period": period,
    }


def parse_arrivals_csv(upload) -> list[dict]:
    return _parse(upload, date_column=1, columns=5, parse_row=_arrival_row)


MEDICAL_COLUMNS = ("公民身份号码", "消费日期", "金额", "消费机构", "单据号")


def _medical_row(cells: list[str]) -> dict:
    return {
        "person": find_person(cells[0]),
        "entry_date": parse_date(cells[1], label=_("消费日期")),
        "amount": _amount(cells[2], _("金额")),
        "place": cells[3][:100],
        "reference": cells[4][:60],
    }


def parse_medical_csv(upload) -> list[dict]:
    return _parse(upload, date_column=1, columns=5, parse_row=_medical_row)


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
        "basic_amount": _amount(cells[2], _("基础养老金"), positive=False),
        "account_amount": _amount(cells[3], _("个人帐户养老金"), positive=False),
        "transitional_amount": _amount(cells[4] or "0", _("过渡性养老金"), positive=False),
        "supplement_amount": _amount(cells[5] or "0", _("调整及补贴"), positive=False),
        "paid_on": parse_date(cells[6], label=_("支付日期")),
    }


def parse_pension_csv(upload) -> list[dict]:
    return _parse(upload, date_column=6, columns=7, parse_row=_pension_row)


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
        "delivery_type": _choice(cells[2], MaternityPayment.DeliveryType.choices, _("生育类型")),
        "hospital": cells[3][:100],
        "leave_days": days,
        "medical_costs": _amount(cells[5] or "0", _("医疗费用"), positive=False),
        "paid_on": parse_date(cells[6], label=_("支付日期")),
    }


def parse_maternity_csv(upload) -> list[dict]:
    return _parse(upload, date_column=1, columns=7, parse_row=_maternity_row)


INJURY_COLUMNS = ("案件编号", "费用项目", "金额", "支付日期", "说明")


def _injury_row(cells: list[str]) -> dict:
    case = InjuryCase.objects.filter(case_number=cells[0].strip().upper()).first()
    if case is None:
        raise DomainError(_("工伤案件「%(no)s」不存在") % {"no": cells[0]})
    return {
        "case": case,
        "item": _choice(cells[1], InjuryPayment.Item.choices, _("费用项目")),
        "amount": _amount(cells[2], _("金额")),
        "paid_on": parse_date(cells[3], label=_("支付日期")),
        "note": cells[4][:200],
    }


def parse_injury_csv(upload) -> list[dict]:
    return _parse(upload, date_column=3, columns=5, parse_row=_injury_row)


BENEFIT_FILES = {
    # kind: (label, columns, parser)
    "pension": (_l("养老金支付"), PENSION_COLUMNS, parse_pension_csv),
    "maternity": (_l("生育待遇支付"), MATERNITY_COLUMNS, parse_maternity_csv),
    "injury": (_l("工伤待遇支付"), INJURY_COLUMNS, parse_injury_csv),
    "medical": (_l("医疗帐户消费"), MEDICAL_COLUMNS, parse_medical_csv),
}
