"""Reading the bank's arrival files (CSV): see ``shebao.core.csvfiles`` for the shared rules."""

from __future__ import annotations

from django.utils.translation import gettext as _

from shebao.core.csvfiles import cell_amount, parse_date, parse_rows
from shebao.core.errors import DomainError
from shebao.core.validators import parse_period
from shebao.employers.models import Employer


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


ARRIVAL_COLUMNS = ("单位编号或统一社会信用代码", "到账日期", "金额", "银行流水号", "结算期(可选)")


def _arrival_row(cells: list[str]) -> dict:
    period = parse_period(cells[4]) if cells[4] else None
    return {
        "employer": find_employer(cells[0]),
        "received_on": parse_date(cells[1], label=_("到账日期")),
        "amount": cell_amount(cells[2], _("金额")),
        "reference": cells[3][:60],
        "period": period,
    }


def parse_arrivals_csv(upload) -> list[dict]:
    return parse_rows(upload, date_column=1, columns=5, parse_row=_arrival_row)
