"""What a wage declaration will cost, shown while the operator types (H01, H02, H03, H08) and on the progress
page: the base used per insurance and the monthly amounts.

The base comes from ``persons.services.clamped_bases`` — the function approval writes the base with — and each
amount from ``contributions.rules.contribution`` with the period's rates and rounding rule, as settlement does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from shebao.contributions.rules import contribution
from shebao.core.choices import Insurance
from shebao.core.errors import ValidationFailed
from shebao.core.money import ZERO, format_money
from shebao.core.period import Period
from shebao.parameters import selectors as params
from shebao.parameters.selectors import ParameterMissing, rounding_rule
from shebao.persons.models import ContributionBase, Coverage
from shebao.persons.services import clamped_bases

from .items.checks import base_year_of, open_coverages_here

WAGE_JUMP = Decimal(3)  # warn when a wage is more than this many times the employee's previous one
PERIOD_FIELDS = ("start_period", "period")


@dataclass(frozen=True)
class InsuranceCost:
    insurance: str
    label: str
    base: Decimal
    employer_rate: Decimal
    individual_rate: Decimal
    employer_amount: Decimal
    individual_amount: Decimal

    @property
    def total(self) -> Decimal:
        return self.employer_amount + self.individual_amount


@dataclass(frozen=True)
class CostPreview:
    period: Period
    declared_wage: Decimal
    rows: list[InsuranceCost]
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def employer_total(self) -> Decimal:
        return sum((r.employer_amount for r in self.rows), ZERO)

    @property
    def individual_total(self) -> Decimal:
        return sum((r.individual_amount for r in self.rows), ZERO)

    @property
    def total(self) -> Decimal:
        return self.employer_total + self.individual_total


def previous_wage(*, id_number: str, employer) -> Decimal | None:
    """The employee's last declared wage: at this employer if any, else anywhere in the record."""
    bases = ContributionBase.objects.filter(person__id_number=id_number).order_by("-start_period", "-id")
    here = bases.filter(employer=employer).values_list("declared_wage", flat=True).first()
    return here if here is not None else bases.values_list("declared_wage", flat=True).first()


def contribution_preview(
    *, employer, declared_wage: Decimal, period: Period, insurances, id_number: str = ""
) -> CostPreview | None:
    """The monthly cost of a declared wage from `period` on, per chosen insurance; None when the year's base
    limits or the period's rates are not set (the checks say so)."""
    year = base_year_of(period)
    try:
        bases = clamped_bases(base_year=year, declared_wage=declared_wage)
        rule = rounding_rule(int(period))
        rows = []
        for insurance in [i for i in Insurance.values if i in set(insurances)]:
            employer_rate, individual_rate = params.rates_for(
                employer=employer, insurance=insurance, period=int(period)
            )
            base = bases[insurance]
            rows.append(
                InsuranceCost(
                    insurance=insurance,
                    label=str(Insurance(insurance).label),
                    base=base,
                    employer_rate=employer_rate,
                    individual_rate=individual_rate,
                    employer_amount=contribution(base, employer_rate, rule),
                    individual_amount=contribution(base, individual_rate, rule),
                )
            )
    except ParameterMissing:
        return None
    notes = []
    used = {b for ins, b in bases.items() if ins in set(insurances)} or set(bases.values())
    if all(b > declared_wage for b in used):
        notes.append(
            _("申报工资 %(wage)s 低于 %(year)d 年度缴费基数下限，按下限 %(base)s 计")
            % {"wage": format_money(declared_wage), "year": year, "base": format_money(min(used))}
        )
    elif all(b < declared_wage for b in used):
        notes.append(
            _("申报工资 %(wage)s 高于 %(year)d 年度缴费基数上限，按上限 %(base)s 计")
            % {"wage": format_money(declared_wage), "year": year, "base": format_money(max(used))}
        )
    warnings = []
    if id_number:
        before = previous_wage(id_number=id_number, employer=employer)
        if before and declared_wage > WAGE_JUMP * before:
            warnings.append(
                _("申报工资 %(wage)s 是该职工上次申报工资 %(before)s 的 %(times)s 倍，请核对是否多填了一位数")
                % {
                    "wage": format_money(declared_wage),
                    "before": format_money(before),
                    "times": f"{(declared_wage / before):.1f}",
                }
            )
    return CostPreview(period=period, declared_wage=declared_wage, rows=rows, notes=notes, warnings=warnings)


def declaration_preview(definition, values: dict, *, employer, today: dt.date) -> CostPreview | None:
    """The preview of an item's entered (or stored) values, if the item declares a wage and what it needs
    parses; None otherwise."""
    fields = {f.name: f for f in definition.fields}
    period_name = next((n for n in PERIOD_FIELDS if n in fields), None)
    if "wage" not in fields or period_name is None:
        return None
    try:
        wage = fields["wage"].parse(values.get("wage"), today=today)
        period = fields[period_name].parse(values.get(period_name), today=today)
    except ValidationFailed:
        return None
    if wage is None or period is None or wage <= 0:
        return None
    if "insurances" in fields:
        try:
            insurances = fields["insurances"].parse(values.get("insurances") or [], today=today) or []
        except ValidationFailed:
            insurances = []
    id_number = ""
    if "id_number" in fields:
        try:
            info = fields["id_number"].parse(values.get("id_number"), today=today)
            id_number = info.number if info else ""
        except ValidationFailed:
            id_number = ""
    if "insurances" not in fields:  # H08: the new base applies to the insurances the employee has here
        insurances = list(
            Coverage.objects.filter(
                person__id_number=id_number, employer=employer, stop_period__isnull=True
            ).values_list("insurance", flat=True)
        )
    return contribution_preview(
        employer=employer,
        declared_wage=wage,
        period=Period(int(period)),
        insurances=insurances,
        id_number=id_number,
    )


def evaluation_preview(evaluation, *, employer) -> dict | None:
    """The API's dry run: the same preview (``contribution_preview``) of an evaluated declaration, as plain data;
    None when the item declares no wage or the data or the period's parameters are incomplete."""
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
    preview = contribution_preview(
        employer=employer, declared_wage=wage, period=Period(int(period)), insurances=insurances
    )
    if preview is None:
        return None
    return {
        "period": int(period),
        "base_year": base_year_of(preview.period),
        "declared_wage": wage,
        "lines": [
            {
                "insurance": row.insurance,
                "label": row.label,
                "base": row.base,
                "employer_rate": row.employer_rate,
                "individual_rate": row.individual_rate,
                "employer_amount": row.employer_amount,
                "individual_amount": row.individual_amount,
            }
            for row in preview.rows
        ],
        "employer_total": preview.employer_total,
        "individual_total": preview.individual_total,
        "total": preview.total,
    }
