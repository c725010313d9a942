"""Settlement (核定) of a period: money.md's worked example to the cent, reruns, adjustments, totals."""

from decimal import Decimal as D

import pytest

from shebao.contributions.models import ContributionLine, EmployerPeriod, Payable, SettlementRun
from shebao.contributions.services import settlement_run
from shebao.core.errors import DomainError

# money.md worked example (2024 limits, class 2): per person, per insurance: (employer part, individual part).
WORKED = {
    "3000.00": {
        "pension": ("769.92", "384.96"),
        "medical": ("433.08", "96.24"),
        "unemployment": ("24.06", "24.06"),
        "injury": ("19.25", "0.00"),
        "maternity": ("24.06", "0.00"),
        "totals": ("1270.37", "505.26", "1775.63"),
    },
    "7654.32": {
        "pension": ("1224.69", "612.35"),
        "medical": ("688.89", "153.09"),
        "unemployment": ("38.27", "38.27"),
        "injury": ("30.62", "0.00"),
        "maternity": ("38.27", "0.00"),
        "totals": ("2020.74", "803.71", "2824.45"),
    },
    "30000.00": {
        "pension": ("3849.60", "1924.80"),
        "medical": ("2165.40", "481.20"),
        "unemployment": ("120.30", "120.30"),
        "injury": ("96.24", "0.00"),
        "maternity": ("120.30", "0.00"),
        "totals": ("6351.84", "2526.30", "8878.14"),
    },
}


@pytest.mark.django_db
def test_worked_example_lines_to_the_cent(personas):
    run = settlement_run(period=202403)
    assert run.status == SettlementRun.Status.DONE, run.message
    p = personas
    for person, wage in ((p.person_1, "3000.00"), (p.person_2, "7654.32"), (p.person_3, "30000.00")):
        lines = {ln.insurance: ln for ln in ContributionLine.objects.filter(person=person, period=202403)}
        assert set(lines) == {"pension", "medical", "unemployment", "injury", "maternity"}
        for insurance, parts in WORKED[wage].items():
            if insurance == "totals":
                continue
            employer_part, individual_part = parts
            line = lines[insurance]
            assert (line.employer_amount, line.individual_amount) == (D(employer_part), D(individual_part)), (
                wage,
                insurance,
            )
        e = sum(ln.employer_amount for ln in lines.values())
        i = sum(ln.individual_amount for ln in lines.values())
        assert (e, i, e + i) == tuple(D(x) for x in WORKED[wage]["totals"])
    # lines keep the base and rates used
    line = ContributionLine.objects.get(person=p.person_1, period=202403, insurance="injury")
    assert (line.base, line.employer_rate, line.individual_rate) == (D("4812.00"), D("0.004"), D("0"))
    # totals per employer × insurance
    pension = Payable.objects.get(employer=p.employer_a, period=202403, insurance="pension")
    assert pension.employer_amount == D("769.92") + D("1224.69") + D("3849.60")
    assert pension.headcount == 3
    ep = EmployerPeriod.objects.get(employer=p.employer_a, period=202403)
    assert ep.amount_due == D("1775.63") + D("2824.45") + D("8878.14")
    assert str(ep.due_date) == "2024-04-30"


def _snapshot(period):
    lines = sorted(
        ContributionLine.objects.filter(period=period).values_list(
            "employer_id", "person_id", "insurance", "kind", "base", "employer_rate", "individual_rate",
            "employer_amount", "individual_amount",
        )
    )  # fmt: skip
    payables = sorted(
        Payable.objects.filter(period=period).values_list(
            "employer_id", "insurance", "employer_amount", "individual_amount", "headcount", "base_total"
        )
    )
    return lines, payables


@pytest.mark.django_db
def test_rerun_of_open_period_replaces_lines_and_changes_nothing(personas):
    settlement_run(period=202405)
    before = _snapshot(202405)
    run = settlement_run(period=202405)
    assert run.status == "done"
    assert _snapshot(202405) == before
    assert run.adjustment_lines == 0
    assert ContributionLine.objects.filter(period=202405).count() == 4 * 5


@pytest.mark.django_db
def test_coverage_counts_from_start_and_stop_is_exclusive(personas):
    from shebao.persons.models import Coverage

    Coverage.objects.filter(person=personas.person_3).update(stop_period=202404)
    settlement_run(period=202403)
    settlement_run(period=202404)
    assert ContributionLine.objects.filter(period=202403, person=personas.person_3).count() == 5
    assert ContributionLine.objects.filter(period=202404, person=personas.person_3).count() == 0
    settlement_run(period=202312)  # before the start period
    assert not ContributionLine.objects.filter(period=202312).exists()


@pytest.mark.django_db
def test_base_in_force_is_latest_start_not_after_period(personas):
    from shebao.persons.models import ContributionBase

    ContributionBase.objects.create(
        person=personas.person_2, employer=personas.employer_a, base_year=2024, start_period=202406,
        declared_wage=D("10000.00"), base_pension=D("10000.00"), base_medical=D("10000.00"),
        base_unemployment=D("10000.00"), base_injury=D("10000.00"), base_maternity=D("10000.00"),
    )  # fmt: skip
    settlement_run(period=202405)
    settlement_run(period=202406)
    get = ContributionLine.objects.get
    assert get(period=202405, person=personas.person_2, insurance="pension").base == D("7654.32")
    line = get(period=202406, person=personas.person_2, insurance="pension")
    assert (line.base, line.employer_amount, line.individual_amount) == (
        D("10000.00"),
        D("1600.00"),
        D("800.00"),
    )


@pytest.mark.django_db
def test_rates_follow_employer_type_and_missing_parameter_fails_the_run(personas):
    from shebao.parameters.models import InsuranceRate

    InsuranceRate.objects.create(
        insurance="pension", employer_type="enterprise", effective_from=202405,
        employer_rate=D("0.14"), individual_rate=D("0.08"),
    )  # fmt: skip
    settlement_run(period=202405)
    line = ContributionLine.objects.get(period=202405, person=personas.person_1, insurance="pension")
    assert (line.employer_rate, line.employer_amount) == (D("0.14"), D("673.68"))  # 4812 × 0.14

    InsuranceRate.objects.filter(insurance="maternity").delete()
    # refused before a run is queued (money.md: a period is settled only with every parameter it needs)
    with pytest.raises(DomainError) as refused:
        settlement_run(period=202406)
    assert "生育" in refused.value.message and "未设置" in refused.value.message
    assert not SettlementRun.objects.filter(period=202406).exists()
    assert not ContributionLine.objects.filter(period=202406).exists()
