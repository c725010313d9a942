"""Writes to the employer register: counter registration (accounts) puts new employers on it (the demo loader
bulk-writes its own); changes to an existing employer's record go through `persons.services.employer_update`."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError
from django.db.models import Max
from django.utils.translation import gettext as _

from shebao.core.errors import DomainError
from shebao.core.numbering import create_numbered

from .models import Employer


def _next_employer_number() -> str:
    """The next 8-digit 单位编号: the highest numeric one + 1 (10000001 on an empty register)."""
    top = Employer.objects.filter(number__regex=r"^[0-9]{8}$").aggregate(top=Max("number"))["top"]
    return f"{int(top or '10000000') + 1:08d}"


def employer_register(
    *,
    credit_code: str | None,
    org_code: str,
    name: str,
    employer_type: str,
    district_code: str = "",
    address: str = "",
    legal_representative: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    registered_on: dt.date,
) -> Employer:
    """Put a new employer on the register with the next 单位编号 (inputs already validated by the caller).

    Two counters registering different employers at the same moment draw the same number: the second draws
    again (core.numbering). An employer with the same credit code registered meanwhile is refused with a message
    telling the clerk to look it up again."""
    try:
        return create_numbered(
            draw=_next_employer_number,
            create=lambda number: Employer.objects.create(
                number=number,
                credit_code=credit_code,
                org_code=org_code,
                name=name,
                employer_type=employer_type,
                district_code=district_code,
                address=address,
                legal_representative=legal_representative,
                contact_name=contact_name,
                contact_phone=contact_phone,
                registered_on=registered_on,
            ),
            taken=lambda number: Employer.objects.filter(number=number).exists(),
            exhausted=_("单位编号分配冲突，请稍后重试。"),
        )
    except IntegrityError:
        if credit_code and Employer.objects.filter(credit_code=credit_code).exists():
            raise DomainError(_("该单位刚刚由其他窗口登记，请重新查找后再办理。"), code="conflict") from None
        raise
