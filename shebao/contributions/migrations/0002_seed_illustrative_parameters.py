"""Seed the illustrative defaults of money.md. A real office replaces them with its published values."""

from decimal import Decimal as D

from django.db import migrations

INSURANCE_RATES = [
    # insurance, employer rate, individual rate (None = the risk-class rate applies)
    ("pension", D("0.16"), D("0.08")),
    ("medical", D("0.09"), D("0.02")),
    ("unemployment", D("0.005"), D("0.005")),
    ("injury", None, D("0")),
    ("maternity", D("0.005"), D("0")),
]
RISK_CLASS_RATES = [D("0.002"), D("0.004"), D("0.007"), D("0.009"), D("0.011"), D("0.013"), D("0.016"), D("0.019")]
AVERAGE_WAGES = {2023: D("7437"), 2024: D("8020"), 2025: D("8400"), 2026: D("8750")}
LIMITS = {
    2023: (D("4462"), D("22311")),
    2024: (D("4812"), D("24060")),
    2025: (D("5040"), D("25200")),
    2026: (D("5250"), D("26250")),
}
INTEREST = {
    2016: D("0.0831"), 2017: D("0.0712"), 2018: D("0.0829"), 2019: D("0.0761"), 2020: D("0.0604"),
    2021: D("0.0669"), 2022: D("0.0612"), 2023: D("0.0397"), 2024: D("0.0262"),
}  # fmt: skip
SETTINGS = {
    "late_surcharge_daily_rate": "0.0005",
    "due_months_after": "1",
    "rounding_rule": "half_up",
    "base_year_first_month": "1",
    "maternity_leave_days": "158",
    "retiree_medical_monthly_credit": "100.00",
    "min_contribution_years": "15",
    "max_backdate_months": "3",
}
RETIREMENT = [
    # group, gender, pivot birth month, base age, birth months per month of delay, target age (months)
    ("male", "M", 196412, 60 * 12, 4, 63 * 12),
    ("female_worker", "F", 197412, 50 * 12, 2, 55 * 12),
    ("female_cadre", "F", 196912, 55 * 12, 4, 58 * 12),
]
SINCE = 201001


def seed(apps, schema_editor):
    m = {name: apps.get_model("contributions", name) for name in (
        "InsuranceRate", "RiskClassRate", "AverageWage", "BaseLimit", "CreditedInterestRate",
        "PolicySetting", "RetirementAgeRule",
    )}  # fmt: skip
    m["InsuranceRate"].objects.bulk_create(
        m["InsuranceRate"](insurance=ins, employer_type="", effective_from=SINCE, employer_rate=er, individual_rate=ir)
        for ins, er, ir in INSURANCE_RATES
    )
    m["RiskClassRate"].objects.bulk_create(
        m["RiskClassRate"](risk_class=i + 1, effective_from=SINCE, rate=rate) for i, rate in enumerate(RISK_CLASS_RATES)
    )
    m["AverageWage"].objects.bulk_create(m["AverageWage"](year=y, monthly_amount=a) for y, a in AVERAGE_WAGES.items())
    m["BaseLimit"].objects.bulk_create(
        m["BaseLimit"](base_year=y, insurance=ins, floor=floor, ceiling=ceiling)
        for y, (floor, ceiling) in LIMITS.items()
        for ins, _er, _ir in INSURANCE_RATES
    )
    m["CreditedInterestRate"].objects.bulk_create(m["CreditedInterestRate"](year=y, rate=r) for y, r in INTEREST.items())
    m["PolicySetting"].objects.bulk_create(
        m["PolicySetting"](key=k, effective_from=SINCE, value=v) for k, v in SETTINGS.items()
    )
    m["RetirementAgeRule"].objects.bulk_create(
        m["RetirementAgeRule"](
            group=g, gender=sex, pivot_birth_month=pivot, base_age_months=base, step_birth_months=step,
            target_age_months=target,
        )
        for g, sex, pivot, base, step, target in RETIREMENT
    )


def unseed(apps, schema_editor):
    for name in ("InsuranceRate", "RiskClassRate", "AverageWage", "BaseLimit", "CreditedInterestRate",
                 "PolicySetting", "RetirementAgeRule"):  # fmt: skip
        apps.get_model("contributions", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("contributions", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
