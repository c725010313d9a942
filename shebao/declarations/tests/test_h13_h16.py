"""H13 工伤事故备案 and H16 社会保障卡申领: each check with good and bad data (the message names the field,
nothing is written on a refusal), the effect on approval, and the HTTP path submit → review → approve → the
query page (Q17 for H13, the progress page for H16), plus another employer's 404."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from shebao.benefits.models import InjuryCase
from shebao.core.errors import DomainError, FieldErrors
from shebao.core.idnumbers import make_id_number
from shebao.declarations import services
from shebao.declarations.items import definition_for
from shebao.declarations.models import Declaration, State
from shebao.persons.models import CardApplication, Employment
from shebao.persons.services import employment_stop

from .conftest import TODAY
from .helpers import approve, errors_of, submit, submit_and_approve
from .test_journey import PROGRESS_URL, login, post_form, review_and_approve

pytestmark = pytest.mark.django_db

H13_URL = "/portal/items/H13/"
H16_URL = "/portal/items/H16/"


# --- H13 --------------------------------------------------------------------------------------------------


def h13_raw(personas, **changes):
    raw = {
        "id_number": personas.person_1.id_number,
        "name": "王小明",
        "accident_date": "2026-11-20",
        "place": "二号车间",
        "description": "搬运货物时被叉车撞伤",
        "injury": "左小腿骨折",
        "witness": "陈丽",
    }
    return raw | changes


UNKNOWN = make_id_number("330106", dt.date(1991, 2, 3), 13)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({}, None, None),
        ({"accident_date": "2026-11-26"}, None, None),  # today
        ({"accident_date": "2026-11-27"}, "accident_date", "事故日期 2026-11-27 不能晚于今天（2026-11-26）"),
        ({"accident_date": "1989-12-31"}, "accident_date", "事故日期 1989-12-31 不能早于 1990-01-01"),
        ({"accident_date": "2026-02-30"}, "accident_date", "事故日期「2026-02-30」不是有效日期"),
        # enrolled from 202401: an accident in December 2023 was not covered here
        ({"accident_date": "2023-12-31"}, "accident_date", "王小明 当时未在本单位参加工伤保险"),
        ({"name": "王晓明"}, "name", "姓名与公民身份号码对应的登记信息不一致"),
        ({"id_number": UNKNOWN}, "id_number", "本市无该人员的参保登记"),
        ({"place": ""}, "place", "事故地点不能为空"),
        ({"place": "车" * 101}, "place", "事故地点最多100个字"),
        ({"description": " "}, "description", "事故经过不能为空"),
        ({"injury": "伤" * 201}, "injury", "受伤部位及程度最多200个字"),
        ({"witness": "证" * 61}, "witness", "证人最多60个字"),
    ],
)
def test_h13_checks(personas, changes, field, message):
    errors = errors_of("H13", h13_raw(personas, **changes), personas)
    if field is None:
        assert errors == {}
    else:
        assert any(message in m for m in errors[field]), errors


def test_h13_employee_of_another_employer_is_not_covered_here(personas):
    raw = h13_raw(personas, id_number=personas.person_b1.id_number, name="孙悦")
    errors = errors_of("H13", raw, personas)
    assert errors == {"accident_date": ["事故日期 2026-11-20：孙悦 当时未在本单位参加工伤保险"]}


def test_h13_stopped_employee_is_covered_for_an_accident_before_the_stop(personas):
    employment_stop(
        employment=Employment.objects.get(person=personas.person_1), stop_period=202611, reason="11"
    )
    assert errors_of("H13", h13_raw(personas, accident_date="2026-10-31"), personas) == {}
    errors = errors_of("H13", h13_raw(personas, accident_date="2026-11-01"), personas)
    assert "当时未在本单位参加工伤保险" in errors["accident_date"][0]


@pytest.mark.parametrize(
    ("accident", "flagged"),
    [("2026-11-20", False), ("2026-10-27", False), ("2026-10-26", True), ("2025-06-01", True)],
)
def test_h13_late_filing_flags_manual_review_not_refused(personas, accident, flagged):
    evaluation = definition_for("H13").evaluate(
        h13_raw(personas, accident_date=accident), employer=personas.employer_a, today=TODAY
    )
    assert evaluation.ok
    assert bool(evaluation.flags) == flagged
    if flagged:
        days = (TODAY - dt.date.fromisoformat(accident)).days
        assert f"已过 {days} 天，超过单位 30 天的申报时限" in evaluation.flags[0]


def test_h13_flag_counts_to_the_filing_not_to_the_review(personas):
    declaration = submit(personas, "H13", h13_raw(personas, accident_date="2026-10-28"))  # 29 days
    filed = timezone.make_aware(dt.datetime(2026, 11, 26, 10, 0))
    Declaration.objects.filter(pk=declaration.pk).update(submitted_at=filed)
    declaration.refresh_from_db()
    later = TODAY + dt.timedelta(days=10)
    assert services.review_evaluation(declaration, today=later).flags == []
    approve(personas, declaration, today=later)
    assert InjuryCase.objects.get().accident_date == dt.date(2026, 10, 28)


def test_h13_refusal_writes_nothing(personas):
    with pytest.raises(FieldErrors) as info:
        submit(personas, "H13", h13_raw(personas, accident_date="2026-11-27", place=""))
    assert set(info.value.errors) == {"accident_date", "place"}
    assert not Declaration.objects.exists() and not InjuryCase.objects.exists()


def test_h13_effect_opens_the_case_through_the_office_service(personas):
    declaration = submit_and_approve(personas, "H13", h13_raw(personas, witness=""))
    assert declaration.state == State.COMPLETED
    case = InjuryCase.objects.get()
    assert (case.case_number, case.person, case.employer, case.declaration_id) == (
        "GS202611000001",
        personas.person_1,
        personas.employer_a,
        declaration.pk,
    )
    assert (case.place, case.injury, case.witness, case.status) == (
        "二号车间",
        "左小腿骨折",
        "",
        InjuryCase.Status.REPORTED,
    )
    # A second accident in the same month gets the next number (core.numbering.create_numbered).
    submit_and_approve(personas, "H13", h13_raw(personas, id_number=personas.person_2.id_number, name="陈丽"))
    assert list(InjuryCase.objects.order_by("case_number").values_list("case_number", flat=True)) == [
        "GS202611000001",
        "GS202611000002",
    ]


def test_h13_approval_refused_when_coverage_went_away(personas):
    declaration = submit(personas, "H13", h13_raw(personas))
    Employment.objects.get(person=personas.person_1).coverages.filter(insurance="injury").update(
        start_period=202612
    )
    claimed = services.declaration_claim(declaration=declaration, actor=personas.reviewer)
    with pytest.raises(services.ApprovalRefused) as info:
        services.declaration_approve(declaration=claimed, actor=personas.reviewer, today=TODAY)
    assert "未在本单位参加工伤保险" in info.value.message
    assert not InjuryCase.objects.exists()


def test_h13_http_path_to_q17(personas):
    operator, reviewer = login("a_operator"), login("reviewer")
    looked_up = operator.post(H13_URL, {"id_number": personas.person_1.id_number, "action": "lookup"})
    assert 'value="王小明"' in looked_up.content.decode()
    assert (
        '<textarea name="description" id="id_description" rows="4"></textarea>' in looked_up.content.decode()
    )
    response = post_form(operator, H13_URL, h13_raw(personas))
    assert response.status_code == 302, response.content.decode()[:2000]
    declaration = Declaration.objects.get(item_code="H13")
    review_and_approve(reviewer, declaration.number)
    q17 = operator.get("/portal/items/Q17/").content.decode()
    assert "GS202611000001" in q17 and "二号车间" in q17 and "已备案" in q17
    detail = operator.get(f"{PROGRESS_URL}?open={declaration.number}").content.decode()
    assert "办理结果" in detail and "GS202611000001" in detail
    other = login("b_operator")
    assert other.get(f"{PROGRESS_URL}?open={declaration.number}").status_code == 404
    assert "GS202611000001" not in other.get("/portal/items/Q17/").content.decode()


def test_h13_late_filing_flag_on_the_review_page(personas):
    operator, reviewer = login("a_operator"), login("reviewer")
    post_form(operator, H13_URL, h13_raw(personas, accident_date="2026-09-01"))
    number = Declaration.objects.get().number
    page = reviewer.get(reverse("office:review_detail", args=[number])).content.decode()
    assert "超过单位 30 天的申报时限" in page


# --- H16 --------------------------------------------------------------------------------------------------


def h16_raw(personas, **changes):
    raw = {
        "id_number": personas.person_2.id_number,
        "name": "陈丽",
        "reason": "new",
        "photo_reference": "XP2026112600017",
        "note": "",
    }
    return raw | changes


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({}, None, None),
        ({"reason": "renew"}, None, None),
        ({"reason": ""}, "reason", "申领类型不能为空"),
        ({"reason": "lost"}, "reason", "申领类型「lost」不在可选范围内"),
        ({"name": "陈莉"}, "name", "姓名与公民身份号码对应的登记信息不一致"),
        ({"id_number": UNKNOWN}, "id_number", "本市无该人员的参保登记"),
        ({"photo_reference": "X" * 41}, "photo_reference", "相片采集编号最多40个字"),
    ],
)
def test_h16_checks(personas, changes, field, message):
    errors = errors_of("H16", h16_raw(personas, **changes), personas)
    if field is None:
        assert errors == {}
    else:
        assert any(message in m for m in errors[field]), errors


def test_h16_person_must_be_insured_here(personas):
    errors = errors_of(
        "H16", h16_raw(personas, id_number=personas.person_b1.id_number, name="孙悦"), personas
    )
    assert errors == {"id_number": ["该人员不是本单位在职参保人员"]}
    employment_stop(
        employment=Employment.objects.get(person=personas.person_2), stop_period=202611, reason="11"
    )
    assert errors_of("H16", h16_raw(personas), personas) == {"id_number": ["该人员不是本单位在职参保人员"]}


def test_h16_one_application_in_process_at_a_time(personas):
    first = submit(personas, "H16", h16_raw(personas))
    errors = errors_of("H16", h16_raw(personas, reason="replace"), personas)
    assert errors == {"id_number": [f"该人员的社会保障卡申领（申报 {first.number}）正在审核中，不能重复申领"]}
    # its own review does not count itself
    assert services.review_evaluation(first, today=TODAY).ok
    approved = approve(personas, first)
    assert approved.state == State.AWAITING_COUNTER
    errors = errors_of("H16", h16_raw(personas, reason="replace"), personas)
    assert errors == {
        "id_number": ["该人员已有社会保障卡申领在办理中（2026-11-26 受理，尚未领卡），不能重复申领"]
    }
    with pytest.raises(FieldErrors):
        submit(personas, "H16", h16_raw(personas, reason="replace"))
    assert Declaration.objects.filter(item_code="H16").count() == 1
    # collected at the counter: a new application may follow, but not as 新办
    services.declaration_complete(declaration=approved, actor=personas.clerk, today=TODAY)
    assert errors_of("H16", h16_raw(personas), personas) == {
        "reason": ["该人员已领取过社会保障卡，申领类型请选择「补办」或「换领」"]
    }
    assert errors_of("H16", h16_raw(personas, reason="replace"), personas) == {}


def test_h16_record_keeps_one_application_in_process(personas):
    """Below the checks: the service refuses a second one, and the partial unique index stops two at once."""
    from django.db import IntegrityError, transaction

    from shebao.persons.services import card_application_open

    values = {"person": personas.person_2, "employer": personas.employer_a, "applied_on": TODAY}
    card_application_open(kind="new", **values)
    with pytest.raises(DomainError) as info:
        card_application_open(kind="replace", **values)
    assert info.value.field == "id_number" and "已有社会保障卡申领在办理中" in info.value.message
    with pytest.raises(IntegrityError), transaction.atomic():
        CardApplication.objects.create(kind="renew", **values)
    assert CardApplication.objects.count() == 1


def test_h16_effect_and_counter_collection(personas):
    declaration = submit_and_approve(personas, "H16", h16_raw(personas, reason="replace", note="原卡遗失"))
    assert declaration.state == State.AWAITING_COUNTER
    application = CardApplication.objects.get()
    assert (application.person, application.employer, application.kind, application.status) == (
        personas.person_2,
        personas.employer_a,
        "replace",
        CardApplication.Status.IN_PROCESS,
    )
    assert (application.applied_on, application.photo_reference, application.note) == (
        TODAY,
        "XP2026112600017",
        "原卡遗失",
    )
    services.declaration_complete(declaration=declaration, actor=personas.clerk, today=dt.date(2026, 12, 3))
    application.refresh_from_db()
    assert (application.status, application.collected_on) == ("collected", dt.date(2026, 12, 3))


def test_h16_http_path_to_progress_and_counter(personas):
    operator, reviewer, clerk = login("a_operator"), login("reviewer"), login("clerk")
    response = post_form(operator, H16_URL, h16_raw(personas))
    assert response.status_code == 302, response.content.decode()[:2000]
    number = Declaration.objects.get(item_code="H16").number
    review_and_approve(reviewer, number)
    detail = operator.get(f"{PROGRESS_URL}?open={number}").content.decode()
    assert "审核通过(请携带材料到窗口办理)" in detail
    assert "制卡中(待窗口领取)" in detail and "到经办窗口领取" in detail
    assert number in clerk.get(reverse("office:review_counter")).content.decode()
    at_counter = clerk.get(reverse("office:review_detail", args=[number])).content.decode()
    assert "办理结果" in at_counter and "制卡中(待窗口领取)" in at_counter
    clerk.post(reverse("office:review_detail", args=[number]), {"action": "complete", "comment": "本人领取"})
    detail = operator.get(f"{PROGRESS_URL}?open={number}").content.decode()
    assert "已办结" in detail and "已领卡" in detail and "领卡日期" in detail
    other = login("b_operator")
    assert other.get(f"{PROGRESS_URL}?open={number}").status_code == 404
    assert other.get(f"{PROGRESS_URL}?receipt={number}").status_code == 404
