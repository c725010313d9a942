"""H14 生育待遇申请: leave days from the table by delivery type, 12 months of coverage, costs within the limit,
and money.md's worked example (average 6,000.00 × 158 days ÷ 30 = 31,600.00) through the HTTP path to Q05."""

import datetime as dt
from decimal import Decimal

import pytest

from shebao.benefits.models import MaternityPayment
from shebao.benefits.selectors import employer_average_base
from shebao.contributions.models import ContributionLine
from shebao.contributions.services import settlement_run
from shebao.declarations.models import Declaration, State

from .helpers import errors_of
from .test_journey import login, post_form, review_and_approve

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 26, 4, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen_now(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def settled_2025(personas):
    """Employer B's one employee (孙悦, base 6,000.00) settled for the 12 months of 2025."""
    for month in range(1, 13):
        assert settlement_run(period=202500 + month).status == "done"
    return personas


def raw(personas, **changes):
    data = {
        "id_number": personas.person_b1.id_number,
        "name": "孙悦",
        "delivery_date": "2026-01-10",
        "delivery_type": "natural",
        "hospital": "市妇幼保健院",
        "medical_costs": "3200.00",
    }
    data.update(changes)
    return data


def test_worked_example_through_http_to_q05(settled_2025):
    personas = settled_2025
    operator, reviewer = login("b_operator"), login("reviewer")
    preview = post_form(operator, "/portal/items/H14/", raw(personas), action="preview").content.decode()
    assert (
        "产假 158 天" in preview
        and "6,000.00" in preview
        and "31,600.00" in preview
        and "34,800.00" in preview
    )
    response = post_form(operator, "/portal/items/H14/", raw(personas))
    assert response.status_code == 302
    number = Declaration.objects.get(item_code="H14").number
    review_and_approve(reviewer, number)
    assert Declaration.objects.get(number=number).state == State.COMPLETED
    payment = MaternityPayment.objects.get(person=personas.person_b1)
    assert (payment.leave_days, payment.average_base, payment.allowance, payment.total) == (
        158, Decimal("6000.00"), Decimal("31600.00"), Decimal("34800.00"),
    )  # fmt: skip
    q05 = operator.get("/portal/items/Q05/").content.decode()
    assert "孙悦" in q05 or "31,600.00" in q05
    assert "34,800.00" in q05


@pytest.mark.parametrize(
    ("changes", "days"),
    [
        ({"delivery_type": "caesarean"}, 173),
        ({"delivery_type": "multiple", "babies": "2"}, 173),
        ({"delivery_type": "multiple", "babies": "3"}, 188),
        ({"delivery_type": "miscarriage", "pregnancy_months": "3"}, 15),
        ({"delivery_type": "miscarriage", "pregnancy_months": "4"}, 42),
    ],
)
def test_leave_days_follow_the_delivery_type(settled_2025, changes, days):
    from shebao.declarations.items import definition_for

    evaluation = definition_for("H14").evaluate(
        raw(settled_2025, medical_costs="", **changes),
        employer=settled_2025.employer_b,
        today=dt.date(2026, 11, 26),
    )
    assert evaluation.ok, evaluation.field_errors
    notes = [n for r in evaluation.results for n in r.notes]
    assert f"产假 {days} 天" in notes[0]
    expected = (Decimal("6000.00") * days / 30).quantize(Decimal("0.01"))
    assert f"{expected:,.2f}" in notes[0]


def test_average_base_counts_adjustment_lines(settled_2025):
    # A 补差 line for 202512 carries the new base 9,600.00: (11 × 6,000 + 9,600) / 12 = 6,300.00.
    b = settled_2025.employer_b
    line = ContributionLine.objects.get(employer=b, period=202512, insurance="maternity")
    ContributionLine.objects.create(
        period=202512, employer=b, person_id=line.person_id, insurance="maternity", kind="adjustment",
        base=Decimal("9600.00"), employer_rate=line.employer_rate, individual_rate=0,
        employer_amount=Decimal("18.00"), individual_amount=0, run_id=line.run_id,
    )  # fmt: skip
    assert employer_average_base(employer=b, birth_month=202601) == Decimal("6300.00")


def test_refusals_name_their_fields(settled_2025):
    p = settled_2025
    errors = errors_of("H14", raw(p, delivery_date="2024-06-10"), p, employer=p.employer_b)
    assert "生育前12个月未连续参加生育保险：202306、" in errors["delivery_date"][0]  # insured from 202401
    errors = errors_of("H14", raw(p, medical_costs="5000.01"), p, employer=p.employer_b)
    assert "超过该生育情形的限额 5,000.00" in errors["medical_costs"][0]
    errors = errors_of("H14", raw(p, delivery_type="multiple"), p, employer=p.employer_b)
    assert "婴儿数" in errors["babies"][0]
    errors = errors_of(
        "H14", raw(p, delivery_type="miscarriage", pregnancy_months="x"), p, employer=p.employer_b
    )
    assert "怀孕月数" in errors["pregnancy_months"][0]
    errors = errors_of("H14", raw(p, delivery_date="2026-12-01"), p, employer=p.employer_b)
    assert "不能晚于今天" in errors["delivery_date"][0]
    errors = errors_of("H14", raw(p), p)  # employer A: not her employer
    assert "不是本单位在职参保人员" in errors["id_number"][0]
    assert not MaternityPayment.objects.exists()
