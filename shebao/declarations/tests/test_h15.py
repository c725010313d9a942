"""H15 工伤待遇申请: only a case of this employer determined as a work injury; the disability grant from the
months-by-grade parameter table; payments in Q06 through the HTTP path."""

import datetime as dt
from decimal import Decimal

import pytest

from shebao.benefits.models import InjuryPayment
from shebao.benefits.services import injury_case_determine, injury_case_open
from shebao.declarations.models import Declaration, State
from shebao.parameters.models import DisabilityGrantMonths

from .conftest import TODAY
from .helpers import errors_of
from .test_journey import login, post_form, review_and_approve

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 26, 4, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen_now(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def case(personas):
    return injury_case_open(
        person=personas.person_1, employer=personas.employer_a, accident_date=dt.date(2026, 9, 3),
        place="车间", description="操作冲床时右手被压伤", injury="右手食指骨折", today=TODAY,
    )  # fmt: skip


def test_grant_by_grade_through_http_to_q06(personas, case):
    injury_case_determine(
        case=case, status="determined", determined_on=dt.date(2026, 10, 20), disability_grade=9
    )
    # Grade 9 → 9 months (the table) × 王小明's work-injury base 4,812.00 = 43,308.00; plus medical 1,234.56.
    operator, reviewer = login("a_operator"), login("reviewer")
    raw = {"case_number": case.case_number, "medical": "1234.56"}
    preview = post_form(operator, "/portal/items/H15/", raw, action="preview").content.decode()
    assert "9级伤残 9 个月" in preview and "43,308.00" in preview and "44,542.56" in preview
    assert post_form(operator, "/portal/items/H15/", raw).status_code == 302
    number = Declaration.objects.get(item_code="H15").number
    review_and_approve(reviewer, number)
    assert Declaration.objects.get(number=number).state == State.COMPLETED
    paid = dict(InjuryPayment.objects.filter(case=case).values_list("item", "amount"))
    assert paid == {"medical": Decimal("1234.56"), "disability_grant": Decimal("43308.00")}
    q06 = operator.get("/portal/items/Q06/").content.decode()
    assert "44,542.56" in q06 or "43,308.00" in q06
    # The grant is paid once: a second claim shows only what is typed.
    errors = errors_of("H15", {"case_number": case.case_number}, personas)
    assert "至少填写一项费用金额" in errors["medical"][0]


def test_grant_months_are_data(personas, case):
    DisabilityGrantMonths.objects.create(effective_from=202610, grade=9, months=10)
    injury_case_determine(
        case=case, status="determined", determined_on=dt.date(2026, 10, 20), disability_grade=9
    )
    from shebao.declarations.items import definition_for

    evaluation = definition_for("H15").evaluate(
        {"case_number": case.case_number}, employer=personas.employer_a, today=TODAY
    )
    notes = [n for r in evaluation.results for n in r.notes]
    assert (
        "10 个月" in notes[0] and "48,120.00" in notes[0]
    )  # grades not in the new table are missing: only 9 asked


def test_refused_unless_determined_and_ours(personas, case):
    errors = errors_of("H15", {"case_number": case.case_number, "medical": "100"}, personas)
    assert "认定状态为「已备案」" in errors["case_number"][0]
    errors = errors_of(
        "H15", {"case_number": case.case_number, "medical": "100"}, personas, employer=personas.employer_b
    )
    assert "本单位没有编号" in errors["case_number"][0]
    injury_case_determine(case=case, status="determined", determined_on=dt.date(2026, 10, 20))
    errors = errors_of("H15", {"case_number": case.case_number, "medical": "-1"}, personas)
    assert "medical" in errors
    assert errors_of("H15", {"case_number": case.case_number, "medical": "100"}, personas) == {}
    assert not InjuryPayment.objects.exists()
