"""Arrivals, allocation oldest first, credit, arrears and late surcharge; reruns of paid periods (补差)."""

import datetime as dt
from decimal import Decimal as D

import pytest

from shebao.contributions.models import Allocation, ContributionLine, EmployerPeriod
from shebao.contributions.selectors import arrears_for, employer_credit
from shebao.contributions.services import arrival_record, settlement_run
from shebao.individual_accounts.models import PensionEntry
from shebao.persons.models import ContributionBase, Coverage

A_DUE = D("13478.22")  # employer A a month: 1775.63 + 2824.45 + 8878.14 (money.md worked example)


@pytest.mark.django_db
def test_on_time_payment_pays_the_period_and_credits_accounts(personas):
    settlement_run(period=202401)
    arrival = arrival_record(employer=personas.employer_a, received_on=dt.date(2024, 2, 20), amount=A_DUE)
    ep = EmployerPeriod.objects.get(employer=personas.employer_a, period=202401)
    assert (ep.amount_paid, ep.paid_on) == (A_DUE, dt.date(2024, 2, 20))
    assert arrival.credit == 0
    allocation = Allocation.objects.get(arrival=arrival)
    assert (allocation.days_late, allocation.surcharge) == (0, D("0.00"))
    credits = dict(PensionEntry.objects.filter(period=202401).values_list("person_id", "amount"))
    assert credits == {
        personas.person_1.pk: D("384.96"),
        personas.person_2.pk: D("612.35"),
        personas.person_3.pk: D("1924.80"),
    }


@pytest.mark.django_db
def test_late_payment_records_surcharge(personas):
    settlement_run(period=202401)  # due 2024-02-29
    arrival = arrival_record(employer=personas.employer_a, received_on=dt.date(2024, 3, 20), amount=A_DUE)
    allocation = Allocation.objects.get(arrival=arrival)
    assert allocation.days_late == 20
    assert allocation.surcharge == D("134.78")  # 13,478.22 × 0.0005 × 20 = 134.7822


@pytest.mark.django_db
def test_oldest_first_partial_payment_arrears_and_surcharge_as_of(personas):
    a = personas.employer_a
    for period in (202401, 202402, 202403):
        settlement_run(period=period)
    arrival_record(employer=a, received_on=dt.date(2024, 3, 20), amount=A_DUE + D("1000.00"))
    paid = dict(EmployerPeriod.objects.filter(employer=a).values_list("period", "amount_paid"))
    assert paid == {202401: A_DUE, 202402: D("1000.00"), 202403: D("0.00")}

    arrears = arrears_for(employer=a, as_of=dt.date(2024, 4, 20))  # 202402 due 2024-03-31: 20 days
    # 202401 stays listed for the surcharge assessed on its late payment (money.md: shown until paid)
    assert [r.period for r in arrears.rows] == [202401, 202402]
    january = arrears.rows[0]
    assert (january.owed, january.surcharge_assessed_owed, january.surcharge) == (
        D("0.00"), D("134.78"), D("134.78"),
    )  # fmt: skip
    row = arrears.rows[1]
    assert row.owed == A_DUE - D("1000.00")
    assert row.days_overdue == 20
    assert row.surcharge_outstanding == D("124.78")  # 12,478.22 × 0.0005 × 20 = 124.7822
    # as of an earlier date, the March arrival had not come yet: 202401 was owed in full
    early = arrears_for(employer=a, as_of=dt.date(2024, 3, 10))
    assert [(r.period, r.owed, r.days_overdue) for r in early.rows] == [(202401, A_DUE, 10)]
    # the late-paid January shows up with its surcharge when asked
    full = arrears_for(employer=a, as_of=dt.date(2024, 4, 20), include_paid_late=True)
    assert [(r.period, r.surcharge_paid_late) for r in full.rows][0] == (202401, D("134.78"))


@pytest.mark.django_db
def test_arrears_example_from_money_md(personas):
    # A period owing exactly 10,000.00, unpaid 20 days after its due date → 100.00.
    settlement_run(period=202401)
    EmployerPeriod.objects.filter(employer=personas.employer_a, period=202401).update(
        amount_due=D("10000.00")
    )
    arrears = arrears_for(employer=personas.employer_a, as_of=dt.date(2024, 3, 20))
    assert arrears.rows[0].surcharge == D("100.00")
    assert arrears.surcharge == D("100.00")


@pytest.mark.django_db
def test_overpayment_is_kept_as_credit_and_applied_to_the_next_settlement(personas):
    a = personas.employer_a
    settlement_run(period=202401)
    arrival_record(employer=a, received_on=dt.date(2024, 2, 1), amount=A_DUE + D("500.00"))
    assert employer_credit(employer=a) == D("500.00")
    settlement_run(period=202402)
    assert EmployerPeriod.objects.get(employer=a, period=202402).amount_paid == D("500.00")
    assert employer_credit(employer=a) == D("0.00")


@pytest.mark.django_db
def test_named_period_is_paid_first(personas):
    a = personas.employer_a
    settlement_run(period=202401)
    settlement_run(period=202402)
    arrival_record(employer=a, received_on=dt.date(2024, 3, 1), amount=A_DUE, period=202402)
    paid = dict(EmployerPeriod.objects.filter(employer=a).values_list("period", "amount_paid"))
    assert paid == {202401: D("0.00"), 202402: A_DUE}


@pytest.mark.django_db
def test_rerun_of_paid_period_adds_adjustment_lines(personas):
    a = personas.employer_a
    settlement_run(period=202403)
    arrival_record(employer=a, received_on=dt.date(2024, 4, 10), amount=A_DUE)
    paid_lines = set(
        ContributionLine.objects.filter(period=202403, employer=a).values_list("id", "employer_amount")
    )

    # person_2's base goes up from 202403 (a late H08) and person_3 is stopped from 202403 (a late H04)
    ContributionBase.objects.filter(person=personas.person_2).update(
        **{f"base_{i}": D("8000.00") for i in ("pension", "medical", "unemployment", "injury", "maternity")}
    )
    Coverage.objects.filter(person=personas.person_3).update(stop_period=202403)
    run = settlement_run(period=202403)
    assert run.status == "done", run.message

    # what was paid is untouched
    assert paid_lines <= set(
        ContributionLine.objects.filter(period=202403).values_list("id", "employer_amount")
    )
    adj = {
        (ln.person_id, ln.insurance): ln
        for ln in ContributionLine.objects.filter(period=202403, kind="adjustment", employer=a)
    }
    assert run.adjustment_lines == len(adj) == 10
    pension_2 = adj[(personas.person_2.pk, "pension")]
    # 8000 × 16 % = 1280.00 (was 1224.69); 8000 × 8 % = 640.00 (was 612.35)
    assert (pension_2.base, pension_2.employer_amount, pension_2.individual_amount) == (
        D("8000.00"), D("55.31"), D("27.65"),
    )  # fmt: skip
    pension_3 = adj[(personas.person_3.pk, "pension")]
    assert (pension_3.employer_amount, pension_3.individual_amount) == (D("-3849.60"), D("-1924.80"))

    ep = EmployerPeriod.objects.get(employer=a, period=202403)
    lines_total = sum(ln.total for ln in ContributionLine.objects.filter(employer=a, period=202403))
    assert ep.amount_due == lines_total
    assert ep.amount_paid == A_DUE
    assert ep.paid_on is not None  # it now owes less than was paid: the period stays paid

    # a rerun without changes adds nothing more
    again = settlement_run(period=202403)
    assert again.adjustment_lines == 0

    # the pension account got the differences credited, summing to the individual pension parts of the lines
    total_credited = sum(PensionEntry.objects.filter(period=202403).values_list("amount", flat=True))
    lines_pension = sum(
        ContributionLine.objects.filter(period=202403, insurance="pension", employer=a).values_list(
            "individual_amount", flat=True
        )
    )
    assert total_credited == lines_pension


@pytest.mark.django_db
def test_rerun_of_paid_period_with_more_owed_reopens_it(personas):
    a = personas.employer_a
    settlement_run(period=202403)
    arrival_record(employer=a, received_on=dt.date(2024, 4, 10), amount=A_DUE)
    ContributionBase.objects.filter(person=personas.person_1).update(
        **{f"base_{i}": D("5000.00") for i in ("pension", "medical", "unemployment", "injury", "maternity")}
    )
    settlement_run(period=202403)
    ep = EmployerPeriod.objects.get(employer=a, period=202403)
    assert ep.paid_on is None and ep.amount_due > ep.amount_paid
    arrival_record(employer=a, received_on=dt.date(2024, 6, 5), amount=ep.amount_due - ep.amount_paid)
    ep.refresh_from_db()
    assert ep.paid_on == dt.date(2024, 6, 5)
    # the adjustment's pension part reached the account: 5000 × 8 % − 384.96 = 15.04
    assert PensionEntry.objects.filter(person=personas.person_1, period=202403).count() == 2
    assert sum(
        PensionEntry.objects.filter(person=personas.person_1, period=202403).values_list("amount", flat=True)
    ) == D("400.00")


@pytest.mark.django_db
def test_surcharge_ledger_assessed_paid_after_contributions_named_and_waived(personas):
    """money.md 'Late surcharge as a ledger': assessed on the late part, paid after the contributions (oldest
    first), payable by an arrival for surcharge only, waived by the office with a reason; Q11 shows it until paid."""
    from shebao.accounts.models import User
    from shebao.contributions.models import Allocation, Arrival, SurchargeWaiver
    from shebao.contributions.services import surcharge_waive
    from shebao.core.errors import DomainError

    a = personas.employer_a
    settlement_run(period=202401)  # due 2024-02-29
    # paid 20 days late with 100.00 more: the contributions first, then 100.00 of the 134.78 surcharge
    arrival_record(employer=a, received_on=dt.date(2024, 3, 20), amount=A_DUE + D("100.00"))
    ep = EmployerPeriod.objects.get(employer=a, period=202401)
    assert (ep.amount_paid, ep.surcharge_assessed, ep.surcharge_paid) == (A_DUE, D("134.78"), D("100.00"))
    assert employer_credit(employer=a) == D("0.00")
    row = arrears_for(employer=a, as_of=dt.date(2024, 3, 25)).rows[0]
    assert (row.owed, row.surcharge_assessed_owed, row.surcharge_paid) == (D("0.00"), D("34.78"), D("100.00"))
    # as of the day before the arrival, the whole period was owed and surcharge accruing, nothing assessed
    before = arrears_for(employer=a, as_of=dt.date(2024, 3, 19)).rows[0]
    assert (before.owed, before.surcharge_assessed_owed) == (A_DUE, D("0.00"))

    # the office waives 4.78 with a reason (audited); over the rest, or without a reason: refused
    office_admin = User.objects.get(username="office_admin")
    with pytest.raises(DomainError, match="超过该期尚欠的滞纳金"):
        surcharge_waive(employer=a, period=202401, amount=D("40.00"), reason="困难企业", user=office_admin,
                        waived_on=dt.date(2024, 3, 26))  # fmt: skip
    with pytest.raises(DomainError, match="减免原因"):
        surcharge_waive(employer=a, period=202401, amount=D("4.78"), reason=" ", user=office_admin,
                        waived_on=dt.date(2024, 3, 26))  # fmt: skip
    surcharge_waive(employer=a, period=202401, amount=D("4.78"), reason="困难企业", user=office_admin,
                    waived_on=dt.date(2024, 3, 26))  # fmt: skip
    assert SurchargeWaiver.objects.get().waived_by == office_admin
    row = arrears_for(employer=a, as_of=dt.date(2024, 3, 27)).rows[0]
    assert (row.surcharge_assessed_owed, row.surcharge_waived) == (D("30.00"), D("4.78"))

    # an arrival for surcharge only pays it and leaves the rest as credit
    arrival_record(
        employer=a, received_on=dt.date(2024, 3, 28), amount=D("50.00"), purpose=Arrival.Purpose.SURCHARGE
    )
    surcharge = Allocation.objects.filter(kind="surcharge").order_by("id")
    assert [(x.period, x.amount) for x in surcharge] == [(202401, D("100.00")), (202401, D("30.00"))]
    assert employer_credit(employer=a) == D("20.00")
    assert arrears_for(employer=a, as_of=dt.date(2024, 3, 29)).rows == []  # paid: no longer in Q11
