"""Pre-filling a form from an ID number: what the record knows, shown only where this employer may see it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from shebao.core.errors import ValidationFailed
from shebao.core.idnumbers import validate_id_number
from shebao.persons.models import ContributionBase, Employment, Person


@dataclass
class Prefill:
    values: dict = field(default_factory=dict)
    notice: str = ""
    redirect_code: str = ""  # another item to go to instead (H01 → H02 for a known person)
    links: list = field(default_factory=list)  # [(label, item code)]: where to go next, for this person
    stop: bool = False  # nothing to declare here: the notice says why (the form is not filled)


def insured_here(info, here) -> Prefill | None:
    """Someone already insured at this employer needs no enrolment (H01/H02/H03): say so at once, with what
    the operator may want instead, rather than let the checks refuse it at submit."""
    current = next((e for e in here if e.stop_period is None), None)
    if current is None:
        return None
    return Prefill(
        values={"id_number": info.number},
        notice=_("该人员已在本单位参保（自 %(start)s 起），不需要再办理参保登记。")
        % {"start": f"{current.start_period:06d}"},
        links=[
            (_("查看缴费明细"), "Q09"),
            (_("缴费基数调整"), "H08"),
            (_("人员减少(停保)"), "H04"),
        ],
        stop=True,
    )


def lookup_person(employer, id_number: str, today: dt.date):
    """(ID info, person or None, person's employments at this employer, has any employment) — or None when the
    number is not valid."""
    try:
        info = validate_id_number(id_number, today=today)
    except ValidationFailed:
        return None
    person = Person.objects.filter(id_number=info.number).first()
    if person is None:
        return info, None, [], False
    employments = list(Employment.objects.filter(person=person).order_by("-start_period"))
    here = [e for e in employments if e.employer_id == employer.pk]
    return info, person, here, bool(employments)


def person_values(person: Person) -> dict:
    return {
        "name": person.name,
        "gender": person.gender,
        "birth_date": person.birth_date.isoformat(),
        "ethnicity": person.ethnicity,
        "hukou_type": person.hukou_type,
        "phone": person.phone,
        "address": person.address,
    }


def base_values(person: Person, employer) -> dict:
    base = ContributionBase.objects.filter(person=person, employer=employer).order_by("-start_period").first()
    return {"wage": f"{base.declared_wage:.2f}"} if base is not None else {}


def visible_to(employer, person, here, has_any) -> bool:
    """The employer may see what the record holds on a person it employs or employed, or on one never
    employed anywhere; never on another employer's employee."""
    return person is not None and (bool(here) or not has_any)


def prefill_name(employer, id_number: str, today: dt.date, *, active: bool) -> Prefill:
    """ID number and name of this employer's employee: one insured here now (`active`), or ever; otherwise
    the number alone with a notice why."""
    found = lookup_person(employer, id_number, today)
    if found is None:
        return Prefill()
    info, person, here, _has_any = found
    if active and (person is None or not any(e.stop_period is None for e in here)):
        return Prefill(values={"id_number": info.number}, notice=_("该人员不是本单位在职参保人员。"))
    if not active and (person is None or not here):
        return Prefill(values={"id_number": info.number}, notice=_("该人员在本单位没有参保记录。"))
    return Prefill(values={"id_number": info.number, "name": person.name})
