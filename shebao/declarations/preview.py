"""What a declared wage costs a month, shown before submitting (the API's dry run): for an item that declares a
wage from a period (H01, H02, H03, H08 — a ``wage`` amount and a ``start_period`` or ``period``), the base per
insurance exactly as approval records it (``persons.services.clamped_bases``) and each part exactly as
settlement computes a line: ``rules.contribution(base, rate)`` with the period's rates and rounding rule."""

from __future__ import annotations

from decimal import Decimal

from shebao.contributions.rules import contribution
from shebao.core.choices import Insurance
from shebao.parameters.selectors import ParameterMissing, rates_for, rounding_rule
from shebao.persons.services import clamped_bases

from .items.checks import base_year_of, open_coverages_here

ZERO = Decimal("0.00")


def contribution_preview(evaluation, *, employer) -> dict | None:
    """The monthly contributions the evaluated data would give, or None when the item declares no wage or
    the data or the period's parameters are incomplete."""
    data = evaluation.data
    wage = data.get("wage")
    period = data.get("start_period") or data.get("period")
    if evaluation.field_errors or not isinstance(wage, Decimal) or period is None:
        return None
    if data.get("insurances"):
        insurances = list(data["insurances"])
    elif evaluation.context is not None:
        insurances = list(open_coverages_here(evaluation.context))
    else:
        return None
    base_year = base_year_of(period)
    try:
        bases = clamped_bases(base_year=base_year, declared_wage=wage)
    except ParameterMissing:
        return None
    rule = rounding_rule(int(period))
    lines = []
    for insurance in [value for value in Insurance.values if value in insurances]:
        try:
            employer_rate, individual_rate = rates_for(
                employer=employer, insurance=insurance, period=int(period)
            )
        except ParameterMissing:
            return None
        base = bases[insurance]
        lines.append(
            {
                "insurance": insurance,
                "label": str(Insurance(insurance).label),
                "base": base,
                "employer_rate": employer_rate,
                "individual_rate": individual_rate,
                "employer_amount": contribution(base, employer_rate, rule),
                "individual_amount": contribution(base, individual_rate, rule),
            }
        )
    employer_total = sum((line["employer_amount"] for line in lines), ZERO)
    individual_total = sum((line["individual_amount"] for line in lines), ZERO)
    return {
        "period": int(period),
        "base_year": base_year,
        "declared_wage": wage,
        "lines": lines,
        "employer_total": employer_total,
        "individual_total": individual_total,
        "total": employer_total + individual_total,
    }
