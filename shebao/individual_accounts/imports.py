"""Reading the office's medical-spending files (CSV): see ``shebao.core.csvfiles`` for the shared rules."""

from __future__ import annotations

from django.utils.translation import gettext as _

from shebao.core.csvfiles import cell_amount, parse_date, parse_rows
from shebao.core.errors import DomainError
from shebao.persons.models import Person


def find_person(id_number: str) -> Person:
    id_number = id_number.strip().upper()
    person = Person.objects.filter(id_number=id_number).first()
    if person is None:
        raise DomainError(_("公民身份号码「%(id)s」没有参保记录") % {"id": id_number})
    return person


MEDICAL_COLUMNS = ("公民身份号码", "消费日期", "金额", "消费机构", "单据号")


def _medical_row(cells: list[str]) -> dict:
    return {
        "person": find_person(cells[0]),
        "entry_date": parse_date(cells[1], label=_("消费日期")),
        "amount": cell_amount(cells[2], _("金额")),
        "place": cells[3][:100],
        "reference": cells[4][:60],
    }


def parse_medical_csv(upload) -> list[dict]:
    return parse_rows(upload, date_column=1, columns=5, parse_row=_medical_row)
