"""Record lookup (人员档案, 单位档案): what each section of a person's or an employer's page reads.

Every function that hands a person's data to a page notes it for the access log (core.access_notes); the audit
middleware writes the row. The office's roles are checked by the views (docs/office-roles.md).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, Q, Sum
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from shebao.accounts.models import AccountEvent, ItemGrant, User
from shebao.benefits.models import InjuryCase, MaternityPayment, PensionPayment
from shebao.certificates.models import Certificate
from shebao.contributions import selectors as money
from shebao.contributions.models import (
    Allocation,
    ContributionLine,
    EmployerPeriod,
    Payable,
    SettlementRun,
)
from shebao.core.access_notes import note_employer, note_person, note_persons
from shebao.core.choices import Insurance
from shebao.core.money import ZERO, round_money
from shebao.declarations.models import Declaration, State
from shebao.employers import selectors as employer_reads
from shebao.employers.models import Employer
from shebao.individual_accounts import selectors as accounts_reads
from shebao.individual_accounts.models import MedicalEntry, PensionEntry, PensionYear
from shebao.persons import selectors as person_reads
from shebao.persons.models import Employment, Person

PERSON_PAGE = _("人员档案")
EMPLOYER_PAGE = _("单位档案")


def person_search(*, query: str) -> list[Person]:
    found = person_reads.person_search(query=query)
    for person in found[: person_reads.SEARCH_LIMIT]:
        note_person(person.pk, what=_("人员查询"))
    return found


def employer_search(*, query: str) -> list[Employer]:
    return employer_reads.employer_search(query=query)


def person_get(*, pk: int, section: str) -> Person:
    person = get_object_or_404(Person, pk=pk)
    note_person(person.pk, what=f"{PERSON_PAGE}·{section}")
    return person


def employer_get(*, pk: int, section: str) -> Employer:
    employer = get_object_or_404(Employer, pk=pk)
    note_employer(employer.pk, what=f"{EMPLOYER_PAGE}·{section}")
    return employer


# --- a person's sections ------------------------------------------------------------------------------------


def person_overview(*, person: Person) -> dict:
    employments = person_reads.person_employments(person=person)
    bases = defaultdict(list)
    for base in person_reads.person_bases(person=person):
        bases[base.employer_id].append(base)
    for employment in employments:
        employment.base_rows = bases.get(employment.employer_id, [])
    return {"employments": employments, "changes": list(person_reads.person_changes(person=person))}


def person_years(*, person: Person) -> list[int]:
    """The years with contribution lines (newest first)."""
    periods = ContributionLine.objects.filter(person=person).aggregate(
        first=Min("period"), last=Max("period")
    )
    if not periods["first"]:
        return []
    return list(range(periods["last"] // 100, periods["first"] // 100 - 1, -1))


def person_contributions(*, person: Person, year: int) -> dict:
    months = money.person_contributions(person=person, start=year * 100 + 1, end=year * 100 + 12)
    employers = {e.pk: e for e in Employer.objects.filter(pk__in={m.employer_id for m in months})}
    labels = dict(Insurance.choices)
    rows = [
        {"m": m, "employer": employers.get(m.employer_id), "insurance": labels.get(m.insurance, m.insurance)}
        for m in months
    ]
    total_employer = sum((m.employer_amount for m in months), ZERO)
    total_individual = sum((m.individual_amount for m in months), ZERO)
    return {"rows": rows, "total_employer": total_employer, "total_individual": total_individual}


def person_accounts(*, person: Person) -> dict:
    pension_years = sorted(
        set(PensionEntry.objects.filter(person=person).values_list("year", flat=True).distinct())
        | set(PensionYear.objects.filter(person=person).values_list("year", flat=True)),
        reverse=True,
    )
    medical_years = sorted(
        {
            p // 100
            for p in MedicalEntry.objects.filter(person=person).values_list("period", flat=True).distinct()
        },
        reverse=True,
    )
    return {
        "pension": [accounts_reads.pension_account_year(person=person, year=y) for y in pension_years],
        "medical": [accounts_reads.medical_account_year(person=person, year=y) for y in medical_years],
        "pension_balance": accounts_reads.pension_balance(person=person),
        "medical_balance": accounts_reads.medical_balance(person=person),
    }


def person_benefits(*, person: Person) -> dict:
    return {
        "pensions": list(
            PensionPayment.objects.filter(person=person).select_related("employer").order_by("-period")
        ),
        "maternity": list(
            MaternityPayment.objects.filter(person=person).select_related("employer").order_by("-period")
        ),
        "injury_cases": list(
            InjuryCase.objects.filter(person=person)
            .select_related("employer")
            .prefetch_related("payments")
            .order_by("-accident_date")
        ),
    }


def person_declarations(*, person: Person) -> dict:
    return {
        "declarations": list(
            Declaration.objects.filter(subject_id_number=person.id_number)
            .exclude(state=State.DRAFT)
            .select_related("employer")
            .order_by("-created_at")[:200]
        ),
        "certificates": list(Certificate.objects.filter(person=person).order_by("-issued_at")[:200]),
    }


def person_online_accounts(*, person: Person) -> dict:
    users = list(User.objects.filter(person=person))
    events = list(AccountEvent.objects.filter(user__in=users).order_by("-at")[:200]) if users else []
    return {"users": users, "events": events}


# --- an employer's sections ---------------------------------------------------------------------------------


def employer_overview(*, employer: Employer) -> dict:
    counts = dict(
        employer.employments.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return {"changes": list(person_reads.employer_changes(employer=employer)), "status_counts": counts}


def employer_roster(*, employer: Employer, status: str, page_number) -> dict:
    """One page of the roster. The page is found over the ids alone (an index-only scan of
    employment_roster_name), then its 50 rows are read: OFFSET over whole rows reads every skipped row."""
    ids_page = Paginator(
        person_reads.roster_for_office(employer=employer, status=status).values_list("pk", flat=True), 50
    ).get_page(page_number)
    ids = list(ids_page.object_list)
    order = {pk: i for i, pk in enumerate(ids)}
    rows = sorted(Employment.objects.filter(pk__in=ids), key=lambda e: order[e.pk])
    covered = person_reads.open_coverages(employment_ids=ids)
    labels = dict(Insurance.choices)
    for row in rows:
        row.covered = "、".join(str(labels[i]) for i in covered.get(row.pk, []))
    note_persons(len(rows), employer_id=employer.pk)
    return {"page": ids_page, "rows": rows}


def employer_payables(*, employer: Employer) -> list[dict]:
    """Every settled period (newest first): due, paid, paid on, and the payable per insurance."""
    periods = list(money.employer_periods(employer=employer)[:120])
    by_period = defaultdict(dict)
    for p in Payable.objects.filter(employer=employer, period__in=[e.period for e in periods]):
        by_period[p.period][p.insurance] = p
    arrivals = defaultdict(list)
    for a in Allocation.objects.filter(
        employer=employer, period__in=[e.period for e in periods]
    ).select_related("arrival"):
        arrivals[a.period].append(a)
    return [
        {"ep": ep, "payables": by_period.get(ep.period, {}), "allocations": arrivals.get(ep.period, [])}
        for ep in periods
    ]


def employer_arrears(*, employer: Employer, as_of: dt.date):
    return money.arrears_for(employer=employer, as_of=as_of, include_paid_late=True)


def employer_declarations(*, employer: Employer) -> list[Declaration]:
    return list(
        Declaration.objects.filter(employer=employer).exclude(state=State.DRAFT).order_by("-created_at")[:200]
    )


def employer_users(*, employer: Employer) -> list[User]:
    users = list(User.objects.filter(employer=employer).order_by("-is_employer_admin", "username"))
    grants = defaultdict(list)
    for user_id, code in ItemGrant.objects.filter(user__in=users).values_list("user_id", "item_code"):
        grants[user_id].append(code)
    for user in users:
        user.grant_codes = sorted(grants.get(user.pk, []))
    return users


def employer_settlement_marks(*, employer: Employer) -> list[dict]:
    """Per settled period: whether it is locked (money allocated), up to which line the accounts were credited,
    and the latest finished settlement run of that period."""
    periods = list(money.employer_periods(employer=employer)[:120])
    runs = {}
    for run in SettlementRun.objects.filter(
        period__in=[e.period for e in periods], status=SettlementRun.Status.DONE
    ).order_by("period", "finished_at"):
        runs[run.period] = run
    return [{"ep": ep, "run": runs.get(ep.period)} for ep in periods]


def employer_totals(*, employer: Employer) -> dict:
    agg = EmployerPeriod.objects.filter(employer=employer).aggregate(
        due=Sum("amount_due"),
        paid=Sum("amount_paid"),
        periods=Count("id"),
        unpaid=Count("id", filter=Q(paid_on__isnull=True, amount_due__gt=0)),
    )
    return {
        "due": round_money(Decimal(agg["due"] or 0)),
        "paid": round_money(Decimal(agg["paid"] or 0)),
        "periods": agg["periods"],
        "unpaid": agg["unpaid"],
    }
