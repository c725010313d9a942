"""Published policy parameters by year (Q20, public): read straight from the parameter tables."""

from __future__ import annotations

from shebao.core.choices import Insurance
from shebao.parameters.models import (
    AverageWage,
    BaseLimit,
    CreditedInterestRate,
    InsuranceRate,
    RiskClassRate,
)


def _in_force_during(rows, key, year: int) -> list:
    """Of effective-dated rows grouped by `key`, those in force at some time in `year`: the latest one from
    before the year starts, and every one starting within it."""
    first, last = year * 100 + 1, year * 100 + 12
    groups: dict = {}
    for row in sorted(rows, key=lambda r: r.effective_from):
        groups.setdefault(key(row), []).append(row)
    result = []
    for members in groups.values():
        before = [r for r in members if r.effective_from <= first]
        within = [r for r in members if first < r.effective_from <= last]
        result.extend(([before[-1]] if before else []) + within)
    return result


def published_years() -> list[int]:
    years = set(AverageWage.objects.values_list("year", flat=True))
    years |= set(BaseLimit.objects.values_list("base_year", flat=True).distinct())
    return sorted(years, reverse=True)


def parameters_for_year(year: int) -> dict:
    order = {value: index for index, value in enumerate(Insurance.values)}
    wage = AverageWage.objects.filter(year=year).first()
    limits = {row.insurance: row for row in BaseLimit.objects.filter(base_year=year)}
    rates = _in_force_during(
        InsuranceRate.objects.filter(effective_from__lte=year * 100 + 12),
        lambda r: (r.insurance, r.employer_type),
        year,
    )
    rates.sort(key=lambda r: (order.get(r.insurance, 9), r.employer_type, r.effective_from))
    rows = []
    for rate in rates:
        limit = limits.get(rate.insurance)
        rows.append(
            {
                "insurance": rate.get_insurance_display(),
                "employer_type": rate.get_employer_type_display() if rate.employer_type else "",
                "effective_from": rate.effective_from,
                "employer_rate": rate.employer_rate,
                "individual_rate": rate.individual_rate,
                "floor": limit.floor if limit else None,
                "ceiling": limit.ceiling if limit else None,
            }
        )
    risk_rates = _in_force_during(
        RiskClassRate.objects.filter(effective_from__lte=year * 100 + 12), lambda r: r.risk_class, year
    )
    risk_rates.sort(key=lambda r: (r.risk_class, r.effective_from))
    interest = CreditedInterestRate.objects.filter(year=year).first()
    return {
        "average_wage": wage.monthly_amount if wage else None,
        "rows": rows,
        "risk_rates": risk_rates,
        "interest_rate": interest.rate if interest else None,
        "limits": [limits[k] for k in sorted(limits, key=lambda k: order.get(k, 9))],
    }
