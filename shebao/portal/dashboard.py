"""What the portal's home answers at a glance (issue 16): for an employer, what it owes and by when, what is
pending or returned, its roster this month; for an individual, their insured status, months and balances.

Reads only, each scoped by the acting employer or person, through the domain apps' selectors."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from shebao.contributions.models import ContributionLine
from shebao.contributions.selectors import arrears_for, employer_periods
from shebao.core.choices import EmploymentStatus, Insurance
from shebao.core.money import ZERO, round_money
from shebao.core.period import Period
from shebao.declarations import selectors as declarations
from shebao.declarations.models import Declaration, State
from shebao.individual_accounts.selectors import medical_balance, pension_balance
from shebao.persons.models import Employment

RECENT_ITEMS_KEY = "portal_recent_items"
RECENT_ITEMS_KEPT = 6
PENDING_STATES = (State.SUBMITTED, State.IN_REVIEW)


@dataclass
class EmployerHome:
    period: Period
    latest: object | None  # the latest settled EmployerPeriod up to this period
    days_to_due: int | None
    arrears_owed: Decimal
    arrears_surcharge: Decimal
    arrears_periods: int
    pending: int
    rejected: list = field(default_factory=list)
    rejected_count: int = 0
    drafts: int = 0
    unread: int = 0
    active: int = 0
    joiners: int = 0
    leavers: int = 0

    @property
    def latest_state(self) -> str:
        if self.latest is None:
            return "none"
        if self.latest.paid_on is not None or self.latest.amount_paid >= self.latest.amount_due:
            return "paid"
        return "overdue" if self.days_to_due is not None and self.days_to_due < 0 else "due"


def employer_home(*, employer, today: dt.date) -> EmployerHome:
    period = Period.from_date(today)
    latest = employer_periods(employer=employer, end=period.value).first()
    arrears = arrears_for(employer=employer, as_of=today)
    states = dict(
        Declaration.objects.filter(employer=employer)
        .exclude(state__in=[State.COMPLETED, State.WITHDRAWN])
        .order_by()
        .values_list("state")
        .annotate(n=Count("id"))
    )
    roster = Employment.objects.filter(employer=employer).aggregate(
        active=Count("id", filter=Q(status=EmploymentStatus.ACTIVE)),
        joiners=Count("id", filter=Q(start_period=period.value)),
        leavers=Count("id", filter=Q(stop_period=period.value)),
    )
    return EmployerHome(
        period=period,
        latest=latest,
        days_to_due=(latest.due_date - today).days if latest is not None else None,
        arrears_owed=arrears.owed,
        arrears_surcharge=arrears.surcharge,
        arrears_periods=len([r for r in arrears.rows if r.owed > 0]),
        pending=sum(states.get(s, 0) for s in PENDING_STATES),
        rejected=list(
            Declaration.objects.filter(employer=employer, state=State.REJECTED).order_by(
                "-decided_at", "-id"
            )[:5]
        ),
        rejected_count=states.get(State.REJECTED, 0),
        drafts=states.get(State.DRAFT, 0),
        unread=declarations.unread_result_count(employer=employer),
        **roster,
    )


@dataclass
class IndividualHome:
    employment: Employment | None
    status_label: str
    months: list  # [(insurance label, months with contributions)]
    pension_balance: Decimal
    medical_balance: Decimal
    latest_period: int | None
    latest_employer: str
    latest_employer_amount: Decimal
    latest_individual_amount: Decimal


def individual_home(*, person, today: dt.date) -> IndividualHome:
    employments = (
        Employment.objects.filter(person=person).select_related("employer").order_by("-start_period")
    )
    current = next((e for e in employments if e.stop_period is None), None)
    latest_any = current or employments.first()
    if current is not None:
        status = str(EmploymentStatus(current.status).label)
    elif latest_any is not None:
        status = str(EmploymentStatus(latest_any.status).label)
    else:
        status = ""
    per_insurance = dict(
        ContributionLine.objects.filter(person=person)
        .order_by()
        .values_list("insurance")
        .annotate(n=Count("period", distinct=True))
    )
    lines = ContributionLine.objects.filter(person=person)
    latest_period = lines.order_by("-period").values_list("period", flat=True).first()
    latest = (
        lines.filter(period=latest_period).aggregate(e=Sum("employer_amount"), i=Sum("individual_amount"))
        if latest_period
        else {}
    )
    latest_employer = (
        lines.filter(period=latest_period).values_list("employer__name", flat=True).first()
        if latest_period
        else ""
    )
    return IndividualHome(
        employment=latest_any,
        status_label=status,
        months=[(str(label), per_insurance.get(value, 0)) for value, label in Insurance.choices],
        pension_balance=pension_balance(person=person),
        medical_balance=medical_balance(person=person, as_of=today),
        latest_period=latest_period,
        latest_employer=latest_employer or "",
        latest_employer_amount=_money(latest.get("e")),
        latest_individual_amount=_money(latest.get("i")),
    )


def _money(value) -> Decimal:
    """A Sum() result as an exact two-place Decimal (SQLite sums REALs)."""
    return round_money(Decimal(str(value))) if value is not None else ZERO


def recent_items_note(session, code: str) -> None:
    """Remember an item the user opened (most recent first), for the home page's 最近使用."""
    recent = [c for c in session.get(RECENT_ITEMS_KEY, []) if c != code]
    session[RECENT_ITEMS_KEY] = [code, *recent][:RECENT_ITEMS_KEPT]
