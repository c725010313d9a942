"""Reads of the personal accounts (Q07 pension, Q08 medical) and of the yearly interest closings, each given the
person whose account it is."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet, Sum

from shebao.core.money import ZERO, from_sum
from shebao.parameters.selectors import latest_interest_rate, rounding_rule

from . import rules
from .models import InterestClosing, MedicalEntry, PensionEntry, PensionYear

# --- Q07 pension account --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PensionAccountYear:
    year: int
    opening: Decimal
    months_credited: int
    credits: Decimal
    interest: Decimal | None  # None while the year is not closed
    closing: Decimal | None
    rate: Decimal | None
    closed: bool
    monthly: list[tuple[int, Decimal]]  # (month 1–12, credited amount) — credits only, summed per month
    entries: list[PensionEntry]


def pension_account_year(*, person, year: int) -> PensionAccountYear:
    """Q07: one person's pension account in `year`. A closed year shows the stored closing; an open year shows
    the opening (last closing plus balances brought in) and the credits so far, without interest."""
    entries = list(PensionEntry.objects.filter(person=person, year=year).order_by("month", "id"))
    monthly: dict[int, Decimal] = {}
    for e in entries:
        if e.kind == PensionEntry.Kind.CREDIT:
            monthly[e.month] = monthly.get(e.month, ZERO) + e.amount
    closed = PensionYear.objects.filter(person=person, year=year).first()
    if closed:
        return PensionAccountYear(
            year, closed.opening, closed.months_credited, closed.credits, closed.interest, closed.closing,
            closed.rate, True, sorted(monthly.items()), entries,
        )  # fmt: skip
    previous = PensionYear.objects.filter(person=person, year__lt=year).order_by("-year").first()
    opening = (previous.closing if previous else ZERO) + sum(
        (e.amount for e in entries if e.kind == PensionEntry.Kind.OPENING), ZERO
    )
    if previous is None:  # never closed: everything credited before this year is part of the opening
        before = PensionEntry.objects.filter(person=person, year__lt=year).aggregate(s=Sum("amount"))["s"]
        opening += from_sum(before)
    credits = sum(monthly.values(), ZERO)
    return PensionAccountYear(
        year, opening, len(monthly), credits, None, None, None, False, sorted(monthly.items()), entries
    )


def pension_balance(*, person) -> Decimal:
    """The account balance now: the last closing plus everything credited after it (interest not yet due)."""
    last = PensionYear.objects.filter(person=person).order_by("-year").first()
    qs = PensionEntry.objects.filter(person=person)
    if last:
        qs = qs.filter(year__gt=last.year)
    return (last.closing if last else ZERO) + from_sum(qs.aggregate(s=Sum("amount"))["s"])


@dataclass(frozen=True)
class PensionBalanceAt:
    """A pension account's balance at a date, with every figure of its computation (for a certificate)."""

    day: dt.date
    closed_year: int | None  # the person's last closed year before the day's year
    closed_balance: Decimal  # its closing balance (0 without one)
    carried: Decimal  # credits and balances brought in after it, booked in earlier years
    opening: Decimal  # closed_balance + carried + this year's balances brought in
    credits: tuple[tuple[int, Decimal], ...]  # this year's credits by month (1–12), up to the day
    credits_total: Decimal
    months: int  # k: the months of this year up to the day
    rate_year: int
    rate: Decimal  # the latest credited rate r
    interest: Decimal  # this year's interest so far
    balance: Decimal


def pension_balance_at(*, person, day: dt.date) -> PensionBalanceAt:
    """The balance at a date (money.md 'balance at retirement': H12's retirement, H17's transfer out): the closing
    balance of the last closed year plus the credits since, plus this year's interest so far at the latest
    credited rate r: opening × r × k/12 + Σ credit_m × r × (k + 1 − m)/12 over the months m ≤ k credited this
    year, k = the day's month; rounded to 0.01 by the period's rounding rule. Only entries credited by the day
    count."""
    year, k = day.year, day.month
    closed = PensionYear.objects.filter(person=person, year__lt=year).order_by("-year").first()
    entries = PensionEntry.objects.filter(person=person, year__lte=year, credited_on__lte=day)
    if closed is not None:
        entries = entries.filter(year__gt=closed.year)
    closed_balance = closed.closing if closed is not None else ZERO
    carried, brought_in = ZERO, ZERO
    monthly: dict[int, Decimal] = {}
    for entry_year, month, kind, amount in entries.values_list("year", "month", "kind", "amount"):
        if entry_year < year:
            carried += amount
        elif kind == PensionEntry.Kind.OPENING:
            brought_in += amount
        else:
            monthly[month] = monthly.get(month, ZERO) + amount
    opening = closed_balance + carried + brought_in
    credits = tuple(sorted(monthly.items()))
    credits_total = sum(monthly.values(), ZERO)
    rate_year, rate = latest_interest_rate(up_to_year=year)
    interest = rules.interest_to_month(opening, list(credits), rate, k, rounding_rule(year * 100 + k))
    return PensionBalanceAt(
        day, closed.year if closed else None, closed_balance, carried, opening, credits, credits_total, k,
        rate_year, rate, interest, opening + credits_total + interest,
    )  # fmt: skip


def interest_closings() -> QuerySet[InterestClosing]:
    return InterestClosing.objects.order_by("-year")


# --- Q08 medical account --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MedicalAccountYear:
    year: int
    opening: Decimal
    credits: Decimal
    debits: Decimal  # positive figure of spending
    closing: Decimal
    entries: list[MedicalEntry]


def medical_account_year(*, person, year: int) -> MedicalAccountYear:
    """Q08: one person's medical account in `year`: opening, credits, spending, closing, and the entries."""
    first, last = year * 100 + 1, year * 100 + 12
    opening = from_sum(
        MedicalEntry.objects.filter(person=person, period__lt=first).aggregate(s=Sum("amount"))["s"]
    )
    entries = list(
        MedicalEntry.objects.filter(person=person, period__gte=first, period__lte=last).order_by(
            "entry_date", "id"
        )
    )
    credits = sum((e.amount for e in entries if e.amount > 0), ZERO)
    debits = -sum((e.amount for e in entries if e.amount < 0), ZERO)
    return MedicalAccountYear(year, opening, credits, debits, opening + credits - debits, entries)


def medical_balance(*, person, as_of: dt.date | None = None) -> Decimal:
    qs = MedicalEntry.objects.filter(person=person)
    if as_of is not None:
        qs = qs.filter(entry_date__lte=as_of)
    return from_sum(qs.aggregate(s=Sum("amount"))["s"])
