"""Reads of the benefit ledgers (Q04–Q06) and work-injury cases (Q17), each given the acting employer or person."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from shebao.core.choices import Insurance
from shebao.core.money import ZERO, from_sum
from shebao.core.period import Period
from shebao.persons.models import Coverage

from .models import InjuryCase, InjuryPayment, MaternityPayment, PensionPayment

# --- Q04–Q06 benefits, Q17 injury cases -----------------------------------------------------------------------


def _benefit_qs(model, *, employer, period: int | None, search: str):
    qs = model.objects.filter(employer=employer).select_related("person")
    if period:
        qs = qs.filter(period=period)
    search = (search or "").strip()
    if search:
        qs = (
            qs.filter(person__id_number=search.upper())
            if search[:1] in "0123456789"
            else qs.filter(person__name__startswith=search)
        )
    return qs


def pension_payments(*, employer, period: int | None = None, search: str = "") -> QuerySet[PensionPayment]:
    """Q04: pension paid to the employer's retirees (components: basic, account, transitional, supplement)."""
    return _benefit_qs(PensionPayment, employer=employer, period=period, search=search).order_by(
        "person__name", "-period"
    )


def maternity_payments(
    *, employer, period: int | None = None, search: str = ""
) -> QuerySet[MaternityPayment]:
    """Q05: maternity payments (allowance, medical costs, total) of the employer's employees."""
    return _benefit_qs(MaternityPayment, employer=employer, period=period, search=search).order_by(
        "-paid_on", "id"
    )


def injury_payments(
    *, employer, period: int | None = None, search: str = "", item: str | None = None
) -> QuerySet[InjuryPayment]:
    """Q06: work-injury payments by cost item, with the case joined (case.case_number, case.accident_date)."""
    qs = _benefit_qs(InjuryPayment, employer=employer, period=period, search=search).select_related("case")
    if item:
        qs = qs.filter(item=item)
    return qs.order_by("-paid_on", "id")


@dataclass(frozen=True)
class BenefitTotals:
    period: int
    count: int
    total: Decimal
    by_component: dict[str, Decimal]  # component field/item → amount


def benefit_totals(*, employer, kind: str, period: int) -> BenefitTotals:
    """Per-period totals for Q04 (kind="pension": basic/account/transitional/supplement), Q05 ("maternity":
    allowance/medical_costs) and Q06 ("injury": per cost item)."""
    if kind == "pension":
        fields = ["basic_amount", "account_amount", "transitional_amount", "supplement_amount", "total"]
        agg = PensionPayment.objects.filter(employer=employer, period=period).aggregate(
            n=Count("id"), **{f: Sum(f) for f in fields}
        )
        return BenefitTotals(
            period, agg["n"], from_sum(agg["total"]), {f: from_sum(agg[f]) for f in fields[:-1]}
        )
    if kind == "maternity":
        fields = ["allowance", "medical_costs", "total"]
        agg = MaternityPayment.objects.filter(employer=employer, period=period).aggregate(
            n=Count("id"), **{f: Sum(f) for f in fields}
        )
        return BenefitTotals(
            period, agg["n"], from_sum(agg["total"]), {f: from_sum(agg[f]) for f in fields[:-1]}
        )
    if kind == "injury":
        rows = (
            InjuryPayment.objects.filter(employer=employer, period=period)
            .values("item")
            .annotate(s=Sum("amount"), n=Count("id"))
        )
        by_item = {r["item"]: from_sum(r["s"]) for r in rows}
        return BenefitTotals(period, sum(r["n"] for r in rows), sum(by_item.values(), ZERO), by_item)
    raise ValueError(kind)


def injury_cases(*, employer, status: str | None = None) -> QuerySet[InjuryCase]:
    """Q17: the employer's work-injury cases with their determination status (newest accident first)."""
    qs = InjuryCase.objects.filter(employer=employer).select_related("person")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-accident_date", "-id")


def injury_case_for(*, employer, case_id: int) -> InjuryCase:
    """One case of this employer (raise InjuryCase.DoesNotExist → 404 in the view for anyone else's)."""
    return InjuryCase.objects.select_related("person").get(employer=employer, pk=case_id)


def injury_covered_on(*, person, employer, day: dt.date) -> bool:
    """Whether `person` was insured for work injury at `employer` in the month of `day` (a coverage started
    by then and not stopped; stop exclusive) — the condition for filing a work-injury case (H13, office)."""
    period = Period.from_date(day).value
    return (
        Coverage.objects.filter(person=person, employer=employer, insurance=Insurance.INJURY)
        .filter(Q(start_period__lte=period), Q(stop_period__isnull=True) | Q(stop_period__gt=period))
        .exists()
    )


def retiree_pension(*, person) -> PensionPayment | None:
    """Q14: the person's most recent monthly pension payment."""
    return PensionPayment.objects.filter(person=person).order_by("-period").first()
