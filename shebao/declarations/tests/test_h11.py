"""H11 补缴申报: checks with their own messages, the amounts shown before submitting equal to what approval writes
(money.md's worked example to the cent, the surcharge from each period's own due date), and Q03/Q09/Q11 after
approval through the HTTP path."""

import datetime as dt
from decimal import Decimal

import pytest

from shebao.contributions.models import ContributionLine, EmployerPeriod, Payable
from shebao.contributions.services import settlement_run
from shebao.declarations.models import Declaration, State
from shebao.testing import enrol, make_person

from .conftest import TODAY
from .helpers import errors_of, submit_and_approve
from .test_journey import login, post_form, review_and_approve

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 26, 4, 0, tzinfo=dt.UTC)  # TODAY, 12:00 in Asia/Shanghai


@pytest.fixture(autouse=True)
def _frozen_now(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def worker(personas):
    """Employed at A since 202401 with the worked example's wage; nothing settled for her yet."""
    person = make_person(name="邓丽华", birth=dt.date(1988, 4, 12), seq=82)
    enrol(person=person, employer=personas.employer_a, start_period=202401, wage="7654.32", base_year=2024)
    return person


def raw(person, **changes):
    data = {
        "id_number": person.id_number,
        "name": person.name,
        "start_period": "202402",
        "end_period": "202403",
        "wage": "7654.32",
        "reason": "入职时漏报",
    }
    data.update(changes)
    return data


def test_back_payment_through_http_to_the_cent(personas, worker):
    # money.md's worked example (2024 limits, class 2): a wage of 7,654.32 costs 2,020.74 + 803.71 = 2,824.45 a
    # month. Surcharge 0.05 % a day from the day after each period's own due date to 2026-11-26:
    #   202402, due 2024-03-31: 365 + 365 + 240 = 970 days → 2,824.45 × 0.0005 × 970 = 1,369.858… → 1,369.86;
    #   202403, due 2024-04-30: 940 days → 1,327.4915 → 1,327.49. Total 5,648.90 and surcharge 2,697.35.
    operator, reviewer = login("a_operator"), login("reviewer")
    preview = post_form(operator, "/portal/items/H11/", raw(worker), action="preview").content.decode()
    for figure in (
        "2,020.74",
        "803.71",
        "2,824.45",
        "1,369.86",
        "1,327.49",
        "5,648.90",
        "2,697.35",
        "970 天",
    ):
        assert figure in preview, figure
    assert not Declaration.objects.filter(item_code="H11").exists()  # a preview writes nothing
    response = post_form(operator, "/portal/items/H11/", raw(worker))
    assert response.status_code == 302
    number = Declaration.objects.get(item_code="H11").number
    review_and_approve(reviewer, number)
    assert Declaration.objects.get(number=number).state == State.COMPLETED

    lines = ContributionLine.objects.filter(person=worker, period=202402)
    assert {li.kind for li in lines} == {"back_payment"} and lines.count() == 5
    assert sum(li.employer_amount for li in lines) == Decimal("2020.74")
    assert sum(li.individual_amount for li in lines) == Decimal("803.71")
    ep = EmployerPeriod.objects.get(employer=personas.employer_a, period=202402)
    assert (ep.amount_due, ep.due_date) == (Decimal("2824.45"), dt.date(2024, 3, 31))
    pension = Payable.objects.get(employer=personas.employer_a, period=202402, insurance="pension")
    assert (pension.employer_amount, pension.individual_amount, pension.headcount) == (
        Decimal("1224.69"), Decimal("612.35"), 1,
    )  # fmt: skip

    q03 = operator.get("/portal/items/Q03/?period=202402").content.decode()
    assert "2,824.45" in q03
    q09 = operator.get(
        f"/portal/items/Q09/?id_number={worker.id_number}&start=202401&end=202612"
    ).content.decode()
    assert "1,224.69" in q09 and "612.35" in q09 and "未到账（补缴）" in q09
    q11 = operator.get("/portal/items/Q11/").content.decode()
    assert "1,369.86" in q11 and "1,327.49" in q11 and "2,824.45" in q11

    # A settlement rerun of the period keeps the back payment (it is not settled away).
    assert settlement_run(period=202402).status == "done"
    assert ContributionLine.objects.filter(person=worker, period=202402, kind="back_payment").count() == 5
    # … and the others, never settled for 202402, get their regular lines (money.md's three rows) — she does not.
    assert not ContributionLine.objects.filter(person=worker, period=202402, kind="regular").exists()
    assert EmployerPeriod.objects.get(employer=personas.employer_a, period=202402).amount_due == (
        Decimal("1775.63") + Decimal("2824.45") + Decimal("8878.14") + Decimal("2824.45")
    )


def test_periods_already_back_paid_or_settled_are_refused(personas, worker):
    submit_and_approve(personas, "H11", raw(worker))
    errors = errors_of("H11", raw(worker, start_period="202403", end_period="202404"), personas)
    assert "202403 已核定应缴（未缴清）" in errors["start_period"][0]
    settlement_run(period=202405)
    from shebao.contributions.services import arrival_record

    arrival_record(employer=personas.employer_a, received_on=dt.date(2024, 6, 10), amount=Decimal("99999.00"))
    errors = errors_of("H11", raw(worker, start_period="202405", end_period="202405"), personas)
    assert "202405 已缴费，不能补缴" in errors["start_period"][0]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"start_period": "202109", "end_period": "202610"},
            "end_period",
            "跨度 62 个月，超过一次最多 60 个月",
        ),
        (
            {"start_period": "202301", "end_period": "202302"},
            "start_period",
            "202301、202302 该人员未在本单位参保",
        ),
        ({"start_period": "202403", "end_period": "202402"}, "end_period", "不能早于起始期"),
        ({"end_period": "202611"}, "end_period", "应早于当前期 202611"),
        ({"wage": "-5"}, "wage", "补缴月工资"),
        ({"reason": ""}, "reason", "补缴原因不能为空"),
        ({"start_period": "2024AB"}, "start_period", "补缴起始期"),
    ],
)
def test_each_check_names_its_field(personas, worker, changes, field, message):
    errors = errors_of("H11", raw(worker, **changes), personas)
    assert any(message in m for m in errors[field]), errors


def test_more_than_12_months_is_flagged_and_nothing_is_written_on_refusal(personas, worker):
    from shebao.declarations.items import definition_for

    evaluation = definition_for("H11").evaluate(
        raw(worker, start_period="202401", end_period="202501"), employer=personas.employer_a, today=TODAY
    )
    assert evaluation.ok and any("超过12个月" in f for f in evaluation.flags)
    operator = login("a_operator")
    response = post_form(
        operator, "/portal/items/H11/", raw(worker, start_period="202109", end_period="202610")
    )
    assert response.status_code == 200 and "超过一次最多 60 个月" in response.content.decode()
    assert not Declaration.objects.filter(item_code="H11").exists()
    assert not ContributionLine.objects.filter(kind="back_payment").exists()
    errors = errors_of("H11", raw(worker), personas, employer=personas.employer_b)
    assert "未在本单位参保" in errors["start_period"][0]
