"""Money follows the record (money.md 'When the record changes'): approved changes mark the settled periods they
touch; open ones re-settle at once for that employer, paid ones get their 补差 at the next run of any period; a
period without its parameters is refused; a run for some employers equals the city-wide run for them."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shebao.accounts.models import User
from shebao.contributions.models import ContributionLine, EmployerPeriod, SettlementMark, SettlementRun
from shebao.contributions.services import arrival_record, settlement_mark, settlement_run, settlement_start
from shebao.core.errors import DomainError
from shebao.declarations.models import Declaration
from shebao.declarations.tests.test_journey import post_form, review_and_approve

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
TODAY = dt.date(2026, 11, 26)

# person_2 (陈丽) from 7,654.32 to 10,000.00 from 202610 (2026 limits 5,250–26,250: used as is).
OLD = {
    "pension": ("1224.69", "612.35"),
    "medical": ("688.89", "153.09"),
    "unemployment": ("38.27", "38.27"),
    "injury": ("30.62", "0.00"),
    "maternity": ("38.27", "0.00"),
}
NEW = {
    "pension": ("1600.00", "800.00"),
    "medical": ("900.00", "200.00"),
    "unemployment": ("50.00", "50.00"),
    "injury": ("40.00", "0.00"),
    "maternity": ("50.00", "0.00"),
}
# The difference per insurance, and in all: 3,690.00 − 2,824.45 = 865.55.
DIFF = {ins: (str(D(NEW[ins][0]) - D(OLD[ins][0])), str(D(NEW[ins][1]) - D(OLD[ins][1]))) for ins in OLD}


def client_of(username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def lines(person, period, kind=None):
    rows = ContributionLine.objects.filter(person=person, period=period)
    if kind:
        rows = rows.filter(kind=kind)
    out = {}
    for row in rows:
        e, i = out.get(row.insurance, (D(0), D(0)))
        out[row.insurance] = (e + row.employer_amount, i + row.individual_amount)
    return {k: (str(e), str(i)) for k, (e, i) in out.items()}


@pytest.fixture
def settled(personas, settings):
    settings.SHEBAO_FIXED_TODAY = TODAY
    settings.TASKS = IMMEDIATE
    a = personas.employer_a
    assert settlement_run(period=202610).status == "done"
    assert settlement_run(period=202611).status == "done"
    due_202610 = EmployerPeriod.objects.get(employer=a, period=202610).amount_due
    arrival_record(employer=a, received_on=dt.date(2026, 11, 10), amount=due_202610)
    assert EmployerPeriod.objects.get(employer=a, period=202610).paid_on == dt.date(2026, 11, 10)
    return personas


def approve_h08(personas, django_capture_on_commit_callbacks, *, period="202610", wage="10000.00"):
    operator, reviewer = client_of("a_operator"), client_of("reviewer")
    raw = {
        "id_number": personas.person_2.id_number,
        "name": "陈丽",
        "period": period,
        "wage": wage,
        "reason": "调薪",
    }
    response = post_form(operator, "/portal/items/H08/", raw)
    assert response.status_code == 302, response.content.decode()[:2000]
    number = Declaration.objects.get(item_code="H08").number
    with django_capture_on_commit_callbacks(execute=True):
        review_and_approve(reviewer, number)
    return operator, number


def test_h08_from_a_paid_period_carries_to_open_at_once_and_to_paid_at_the_next_run(
    settled, django_capture_on_commit_callbacks, monkeypatch
):
    personas = settled
    a, person = personas.employer_a, personas.person_2
    assert lines(person, 202610) == OLD and lines(person, 202611) == OLD
    before_paid = EmployerPeriod.objects.get(employer=a, period=202610).amount_due

    operator, number = approve_h08(personas, django_capture_on_commit_callbacks)

    # Both settled periods are marked; the open one (202611) was re-settled for employer A at once.
    assert lines(person, 202611) == NEW
    carry = SettlementRun.objects.get(source="carry_back", period=202611)
    assert carry.status == "done" and carry.employers == [a.pk]
    assert SettlementMark.objects.get(employer=a, period=202611).run == carry
    # The paid one (202610) waits for the next run: still the old lines, its mark open and listed for the office.
    assert lines(person, 202610) == OLD
    mark = SettlementMark.objects.get(employer=a, period=202610)
    assert mark.run is None and number in mark.reason
    office = client_of("office_admin").get(reverse("office:settlements")).content.decode()
    assert "待重算结算期" in office and "202610" in office and a.name in office

    # The next run, of another period, adds the 补差 of 202610: per insurance and part, 865.55 in all.
    run = settlement_run(period=202612)
    assert run.status == "done", run.message
    assert "202610" in run.message
    assert lines(person, 202610, kind="adjustment") == DIFF
    assert lines(person, 202610) == NEW  # paid lines plus adjustment = the new figures
    ep = EmployerPeriod.objects.get(employer=a, period=202610)
    assert ep.amount_due - before_paid == D("865.55")
    assert ep.paid_on is None  # the difference is owed
    assert SettlementMark.objects.filter(run__isnull=True).count() == 0

    # Q03 shows the period's payable with the difference and when it was last settled.
    q03 = operator.get("/portal/items/Q03/", {"period": "202610"}).content.decode()
    assert "最近核定" in q03
    # Q11 (arrears as of a day after the due date, 2026-11-30) shows the outstanding 865.55 for 202610.
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 12, 5, 2, 0, tzinfo=dt.UTC))
    q11 = client_of("a_operator").get("/portal/items/Q11/").content.decode()
    assert "865.55" in q11


def test_a_second_run_adds_nothing_more(settled, django_capture_on_commit_callbacks):
    approve_h08(settled, django_capture_on_commit_callbacks)
    settlement_run(period=202612)
    adjustments = ContributionLine.objects.filter(kind="adjustment").count()
    assert settlement_run(period=202612).adjustment_lines == 0
    assert settlement_run(period=202610).adjustment_lines == 0
    assert ContributionLine.objects.filter(kind="adjustment").count() == adjustments


def test_marks_only_settled_periods_and_one_open_mark_per_period(settled):
    a = settled.employer_a
    assert settlement_mark(employer_id=a.pk, from_period=202609, reason="x") == ([202611], [202610])
    assert settlement_mark(employer_id=a.pk, from_period=202610, reason="y") == ([202611], [202610])
    assert SettlementMark.objects.filter(employer=a).count() == 2  # 202609 was never settled
    assert settlement_mark(employer_id=a.pk, from_period=202701, reason="z") == ([], [])


def test_settling_without_the_period_parameters_is_refused_naming_each(personas):
    with pytest.raises(DomainError) as refused:
        settlement_start(period=202701)
    message = refused.value.message
    assert "2027 年度社会平均工资未设置" in message
    assert (
        "2027 年度养老保险缴费基数上下限未设置" in message or "2027 年度养老缴费基数上下限未设置" in message
    )
    assert "参数维护" in message
    assert not SettlementRun.objects.filter(period=202701).exists()


def test_the_settle_command_and_the_office_page_refuse_the_same(personas, settings):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="2027 年度社会平均工资未设置"):
        call_command("settle", "202701")
    settings.TASKS = IMMEDIATE
    page = client_of("office_admin").post(reverse("office:settlements"), {"period": "202701"})
    assert page.status_code == 200
    assert "2027 年度社会平均工资未设置" in page.content.decode()
    assert not SettlementRun.objects.filter(period=202701).exists()


def test_run_for_some_employers_equals_the_city_run_for_them(personas):
    from shebao.contributions.tests.test_settlement import _snapshot

    settlement_run(period=202405)
    city = _snapshot(202405)
    ContributionLine.objects.filter(period=202405).delete()
    for employer in (personas.employer_a, personas.employer_b):
        run = settlement_start(period=202405, employer_ids=[employer.pk], source="carry_back")
        from shebao.contributions.services import settlement_execute

        assert settlement_execute(run=run).status == "done"
    assert _snapshot(202405) == city


def test_adjustments_count_in_the_total_base_and_the_person_month_state(
    settled, django_capture_on_commit_callbacks
):
    from shebao.contributions.models import Payable
    from shebao.contributions.selectors import payables_for, person_contributions

    personas = settled
    a, person = personas.employer_a, personas.person_2
    approve_h08(personas, django_capture_on_commit_callbacks)
    settlement_run(period=202612)
    pension = Payable.objects.get(employer=a, period=202610, insurance="pension")
    # 4,812.00 + 10,000.00 (was 7,654.32) + 24,060.00: the base now in force, not the one first paid
    assert pension.base_total == D("38872.00") and pension.headcount == 3
    summary = payables_for(employer=a, period=202610)
    assert summary.outstanding == D("865.55")
    months = {
        m.insurance: m for m in person_contributions(person=person, start=202610, end=202610, employer=a)
    }
    assert months["pension"].state == "已到账，补差 562.96 未缴"  # 375.31 + 187.65
    assert months["pension"].outstanding == D("562.96")
    other = {m.insurance: m for m in person_contributions(person=personas.person_1, start=202610, end=202610)}
    assert other["pension"].state == "已到账" and other["pension"].outstanding == 0  # no difference for them
    # The operator's Q09 grid shows the month as paid with the difference outstanding, not as 未到账.
    from django.test import Client

    operator = Client()
    operator.force_login(personas.operator_a)
    page = operator.get(
        f"/portal/items/Q09/?id_number={person.id_number}&start=202610&end=202610"
    ).content.decode()
    grid = page.split('class="contribution-grid"')[1].split("</table>")[0]
    assert "◐" in grid and "补差 562.96 未缴" in grid and "○</span>" not in grid
