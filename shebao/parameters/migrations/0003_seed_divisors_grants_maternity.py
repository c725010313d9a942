"""Seed money.md's illustrative tables: the account-pension divisors (ages 40–70), the disability-grant months by
grade, the leave-days table with medical-cost limits, the minimum contribution years rising from 2030 and the
divisor interpolation rule. The leave days were one setting (maternity_leave_days, 158): the table replaces it."""

from decimal import Decimal as D

from django.db import migrations

SINCE = 201001
DIVISORS = {
    40: 233, 41: 230, 42: 226, 43: 223, 44: 220, 45: 216, 46: 212, 47: 207, 48: 204, 49: 199, 50: 195,
    51: 190, 52: 185, 53: 180, 54: 175, 55: 170, 56: 164, 57: 158, 58: 152, 59: 145, 60: 139, 61: 132,
    62: 125, 63: 117, 64: 109, 65: 101, 66: 93, 67: 84, 68: 75, 69: 65, 70: 56,
}  # fmt: skip
GRANT_MONTHS = {1: 27, 2: 25, 3: 23, 4: 21, 5: 18, 6: 16, 7: 13, 8: 11, 9: 9, 10: 7}
# kind: (leave days, medical-cost limit). The limits are not in money.md: illustrative demo values.
MATERNITY = {
    "natural": (158, D("5000.00")),
    "caesarean": (173, D("8000.00")),
    "extra_baby": (15, D("2000.00")),
    "miscarriage_early": (15, D("1500.00")),
    "miscarriage_late": (42, D("3000.00")),
}
# Minimum contribution years: 15, then half a year more each year from 2030 until 20 (money.md).
# The one-window limit of a back payment, and how much earlier special-type and illness retirements may be than
# the statutory age (traditional 55/45 for special posts, 50/45 for illness; not in money.md: illustrative).
EARLY = {
    "max_back_payment_months": "60",
    "special_retirement_years_earlier": "5",
    "illness_retirement_years_earlier_male": "10",
    "illness_retirement_years_earlier_female": "5",
}
MIN_YEARS = {203001 + 100 * i: str(D("15.5") + D("0.5") * i) for i in range(10)}


def seed(apps, schema_editor):
    divisor = apps.get_model("parameters", "AccountPensionDivisor")
    grant = apps.get_model("parameters", "DisabilityGrantMonths")
    maternity = apps.get_model("parameters", "MaternityRule")
    setting = apps.get_model("parameters", "PolicySetting")
    divisor.objects.bulk_create(
        divisor(effective_from=SINCE, age_years=age, months=D(months)) for age, months in DIVISORS.items()
    )
    grant.objects.bulk_create(
        grant(effective_from=SINCE, grade=grade, months=months) for grade, months in GRANT_MONTHS.items()
    )
    maternity.objects.bulk_create(
        maternity(effective_from=SINCE, kind=kind, leave_days=days, cost_limit=limit)
        for kind, (days, limit) in MATERNITY.items()
    )
    for start, years in MIN_YEARS.items():
        setting.objects.update_or_create(
            key="min_contribution_years", effective_from=start, defaults={"value": years}
        )
    setting.objects.update_or_create(
        key="divisor_interpolation", effective_from=SINCE, defaults={"value": "linear"}
    )
    for key, value in EARLY.items():
        setting.objects.update_or_create(key=key, effective_from=SINCE, defaults={"value": value})
    setting.objects.filter(key="maternity_leave_days").delete()


def unseed(apps, schema_editor):
    for name in ("AccountPensionDivisor", "DisabilityGrantMonths", "MaternityRule"):
        apps.get_model("parameters", name).objects.all().delete()
    setting = apps.get_model("parameters", "PolicySetting")
    setting.objects.filter(key="min_contribution_years", effective_from__gte=203001).delete()
    setting.objects.filter(key__in=["divisor_interpolation", *EARLY]).delete()
    setting.objects.get_or_create(key="maternity_leave_days", effective_from=SINCE, defaults={"value": "158"})


class Migration(migrations.Migration):
    dependencies = [("parameters", "0002_divisors_grants_maternity_rules")]
    operations = [migrations.RunPython(seed, unseed)]
