"""Issuing certificates (Q16). The content is computed once, at issue, from the contributions selectors and
kept as a snapshot: the PDF and the public verification page show that snapshot, never live data."""

from __future__ import annotations

import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shebao.contributions.selectors import employer_periods, payable_trend, person_contributions
from shebao.core.choices import Insurance
from shebao.core.errors import DomainError
from shebao.core.period import Period
from shebao.employers.models import Employer

from .models import Certificate
from .numbers import make_number

MAX_MONTHS = 120
MAX_PERSONS = 100


def content_digest(content: dict) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def employer_content(*, employer, start: int, end: int) -> dict:
    """Per settled period in the range: insured headcount and whether the period is paid in full."""
    heads = {p.period: p.headcount for p in payable_trend(employer=employer, start=start, end=end)}
    periods = []
    for ep in sorted(employer_periods(employer=employer, start=start, end=end), key=lambda e: e.period):
        if ep.amount_due <= 0:
            continue
        periods.append(
            {"period": ep.period, "headcount": heads.get(ep.period, 0), "paid": ep.paid_on is not None}
        )
    return {
        "employer": {
            "number": employer.number,
            "name": employer.name,
            "credit_code": employer.credit_code or employer.org_code,
            "registered_on": employer.registered_on.isoformat(),
            "status": employer.status,
        },
        "periods": periods,
    }


def person_content(*, person, start: int, end: int, employer=None) -> dict:
    """Per employer and insurance: first and last period contributed in the range, months contributed and
    months paid. An employer issuing for its employee attests only its own contributions."""
    months = person_contributions(person=person, start=start, end=end, employer=employer)
    names = dict(Employer.objects.filter(pk__in={m.employer_id for m in months}).values_list("pk", "name"))
    order = {value: index for index, value in enumerate(Insurance.values)}
    groups: dict[tuple[int, str], dict] = {}
    for month in months:
        row = groups.setdefault(
            (month.employer_id, month.insurance),
            {
                "employer": names.get(month.employer_id, ""),
                "insurance": month.insurance,
                "periods": set(),
                "paid": set(),
            },
        )
        row["periods"].add(month.period)
        if month.paid:
            row["paid"].add(month.period)
    rows = [
        {
            "employer": row["employer"],
            "insurance": row["insurance"],
            "first": min(row["periods"]),
            "last": max(row["periods"]),
            "months": len(row["periods"]),
            "paid_months": len(row["paid"]),
        }
        for (_employer_id, _insurance), row in sorted(
            groups.items(), key=lambda item: (item[1]["employer"], order.get(item[0][1], 9))
        )
    ]
    return {
        "person": {"name": person.name, "id_number": person.id_number},
        "issuer": {"number": employer.number, "name": employer.name} if employer is not None else None,
        "rows": rows,
    }


def _check_range(start: int, end: int) -> None:
    months = (Period(end) - Period(start)) + 1
    if months < 1:
        raise DomainError(_("起始期不能晚于截止期。"), field="start")
    if months > MAX_MONTHS:
        raise DomainError(_("证明期间最长 %(n)s 个月。") % {"n": MAX_MONTHS}, field="start")


def _create(**fields) -> Certificate:
    issued_at = fields["issued_at"]
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Certificate.objects.create(
                    number=make_number(timezone.localtime(issued_at).date()), **fields
                )
        except IntegrityError:  # a number drawn twice: draw again
            continue
    raise DomainError(_("证明编号生成失败，请重试。"))


@transaction.atomic
def certificate_issue_employer(*, employer, start: int, end: int, user=None) -> Certificate:
    _check_range(start, end)
    content = employer_content(employer=employer, start=start, end=end)
    return _create(
        kind=Certificate.Kind.EMPLOYER,
        employer=employer,
        start_period=start,
        end_period=end,
        content=content,
        digest=content_digest(content),
        issued_at=timezone.now(),
        issued_by=user,
    )


@transaction.atomic
def certificates_issue_persons(
    *, persons, start: int, end: int, employer=None, user=None
) -> list[Certificate]:
    """One certificate per person (each with its own number and QR code)."""
    _check_range(start, end)
    if not persons:
        raise DomainError(_("请至少选择一名职工。"), field="id_numbers")
    if len(persons) > MAX_PERSONS:
        raise DomainError(_("一次最多为 %(n)s 名职工出具证明。") % {"n": MAX_PERSONS}, field="id_numbers")
    now = timezone.now()
    issued = []
    for person in persons:
        content = person_content(person=person, start=start, end=end, employer=employer)
        issued.append(
            _create(
                kind=Certificate.Kind.PERSON,
                employer=employer,
                person=person,
                start_period=start,
                end_period=end,
                content=content,
                digest=content_digest(content),
                issued_at=now,
                issued_by=user,
            )
        )
    return issued


def _money(value) -> str:
    return f"{value:.2f}"


@transaction.atomic
def certificate_issue_transfer(*, transfer, user=None) -> Certificate:
    """参保缴费凭证 of a pension transfer out (H17): the person's contributions at the employer over the
    employment, the transfer (date, destination) and the account balance certified at its date with every
    figure of its computation — a snapshot with a number and QR code like every certificate."""
    employment = transfer.employment
    start = employment.start_period
    end = max(start, int(Period(employment.stop_period) - 1)) if employment.stop_period else start
    content = person_content(person=transfer.person, start=start, end=end, employer=transfer.employer)
    content["transfer"] = {
        "date": transfer.transfer_date.isoformat(),
        "destination": transfer.destination,
        "reason": transfer.reason,
        "declaration_number": transfer.declaration_number,
    }
    content["account"] = {
        "day": transfer.transfer_date.isoformat(),
        "closed_year": transfer.closed_year,
        "closed_balance": _money(transfer.closed_balance),
        "carried": _money(transfer.carried),
        "opening": _money(transfer.opening),
        "credits": _money(transfer.credits),
        "months_credited": transfer.months_credited,
        "months": transfer.months,
        "rate_year": transfer.rate_year,
        "rate": f"{transfer.rate}",
        "interest": _money(transfer.interest),
        "balance": _money(transfer.balance),
    }
    return _create(
        kind=Certificate.Kind.TRANSFER,
        employer=transfer.employer,
        person=transfer.person,
        start_period=start,
        end_period=end,
        content=content,
        digest=content_digest(content),
        issued_at=timezone.now(),
        issued_by=user,
    )
