"""Office record corrections carry into the money (issue 15 via issue 17): a risk-class correction of an employer
re-settles its settled open periods at once and marks the paid ones for their 补差; the post type is corrected with
a reason (it moves no money); 重新核定 queues a run of one period for one employer. Through the HTTP client."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse

from shebao.contributions.models import ContributionLine, EmployerPeriod, SettlementMark, SettlementRun
from shebao.contributions.services import arrival_record, settlement_run
from shebao.parameters.selectors import rates_for
from shebao.persons.models import RecordChange

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def settled(personas, settings):
    """Employer A settled for 202610 (paid) and 202611 (open)."""
    settings.SHEBAO_FIXED_TODAY = TODAY
    settings.TASKS = IMMEDIATE
    a = personas.employer_a
    assert settlement_run(period=202610).status == "done"
    assert settlement_run(period=202611).status == "done"
    arrival_record(
        employer=a,
        received_on=dt.date(2026, 11, 10),
        amount=EmployerPeriod.objects.get(employer=a, period=202610).amount_due,
    )
    return personas


def injury_employer_amounts(employer, period):
    rows = ContributionLine.objects.filter(employer=employer, period=period, insurance="injury")
    return {(r.person_id, r.kind): (r.base, r.employer_amount) for r in rows}


def test_a_risk_class_correction_resettles_the_open_period_and_marks_the_paid_one(
    settled, login_as, django_capture_on_commit_callbacks
):
    a = settled.employer_a
    old_rate, _ = rates_for(employer=a, insurance="injury", period=202611)
    before = injury_employer_amounts(a, 202611)
    due_before = EmployerPeriod.objects.get(employer=a, period=202611).amount_due
    clerk = login_as(settled.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk.post(
            reverse("office:employer_correct", args=[a.pk]),
            {
                "name": a.name,
                "risk_class": "5",
                "employer_type": a.employer_type,
                "from_period": "202610",
                "reason": "行业核定有误",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    a.refresh_from_db()
    new_rate, _ = rates_for(employer=a, insurance="injury", period=202611)
    assert a.risk_class == 5 and new_rate != old_rate

    # The open period 202611 was re-settled for employer A at once, at the new injury rate.
    carry = SettlementRun.objects.get(source="carry_back", period=202611)
    assert carry.status == "done" and carry.employers == [a.pk]
    after = injury_employer_amounts(a, 202611)
    assert after.keys() == before.keys()
    for (base, amount), key in zip(after.values(), after, strict=True):
        assert base == before[key][0]
        assert amount == (base * new_rate).quantize(D("0.01"))
    assert EmployerPeriod.objects.get(employer=a, period=202611).amount_due > due_before
    # The paid period 202610 keeps its lines and waits for the next run with its mark (the reason named).
    mark = SettlementMark.objects.get(employer=a, period=202610)
    assert mark.run is None and "行业核定有误" in mark.reason
    run = settlement_run(period=202612)
    assert run.status == "done", run.message
    assert ContributionLine.objects.filter(
        employer=a, period=202610, kind="adjustment", insurance="injury"
    ).exists()


def test_a_name_correction_moves_no_money(settled, login_as, django_capture_on_commit_callbacks):
    a = settled.employer_a
    clerk = login_as(settled.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk.post(
            reverse("office:employer_correct", args=[a.pk]),
            {
                "name": a.name + "（更名）",
                "risk_class": str(a.risk_class),
                "employer_type": a.employer_type,
                "from_period": "202610",
                "reason": "营业执照更名",
            },
        )
    assert response.status_code == 302
    assert not SettlementMark.objects.exists()
    assert not SettlementRun.objects.filter(source="carry_back").exists()


def test_post_type_correction_needs_a_reason_and_is_recorded(
    settled, login_as, django_capture_on_commit_callbacks
):
    person = settled.person_2
    employment = person.employments.get()
    assert employment.post_type == "worker"
    clerk = login_as(settled.clerk)
    url = reverse("office:post_type_correct", args=[person.pk, employment.pk])
    page = clerk.get(reverse("office:person", args=[person.pk])).content.decode()
    assert url in page and "工人岗位" in page
    assert clerk.get(url).status_code == 200

    no_reason = clerk.post(url, {"post_type": "cadre", "reason": "  "})
    assert no_reason.status_code == 400 and "请填写更正原因" in no_reason.content.decode()
    bad = clerk.post(url, {"post_type": "boss", "reason": "核对任职文件"})
    assert bad.status_code == 400 and "请选择岗位类型" in bad.content.decode()
    same = clerk.post(url, {"post_type": "worker", "reason": "核对任职文件"})
    assert same.status_code == 400 and "没有需要更正的内容" in same.content.decode()
    employment.refresh_from_db()
    assert employment.post_type == "worker"

    with django_capture_on_commit_callbacks(execute=True):
        ok = clerk.post(url, {"post_type": "cadre", "reason": "核对任职文件"})
    assert ok.status_code == 302
    employment.refresh_from_db()
    assert employment.post_type == "cadre"
    change = RecordChange.objects.get(person=person, field="post_type")
    assert (change.old_value, change.new_value, change.reason, change.actor) == (
        "worker",
        "cadre",
        "核对任职文件",
        settled.clerk,
    )
    page = clerk.get(reverse("office:person", args=[person.pk])).content.decode()
    assert "核对任职文件" in page and "管理技术岗位" in page
    # The post type decides a retirement age, not a contribution: nothing marked, nothing re-settled.
    assert not SettlementMark.objects.exists()


def test_post_type_of_another_persons_employment_is_not_found(settled, login_as):
    clerk = login_as(settled.clerk)
    other = settled.person_2.employments.get()
    url = reverse("office:post_type_correct", args=[settled.person_1.pk, other.pk])
    assert clerk.post(url, {"post_type": "cadre", "reason": "x"}).status_code == 404


def test_resettle_one_employer_for_one_period(settled, staff, login_as):
    a, b = settled.employer_a, settled.employer_b
    settlement = login_as(staff("is_settlement"))
    page = settlement.get(reverse("office:employer", args=[a.pk])).content.decode()
    url = reverse("office:employer_resettle", args=[a.pk])
    assert url in page and "重新核定" in page
    lines_b = ContributionLine.objects.filter(employer=b, period=202611).count()

    bad = settlement.post(url, {"period": "20x611"})
    assert bad.status_code == 400 and "格式不正确" in bad.content.decode()
    missing = settlement.post(url, {"period": "209901"})
    assert missing.status_code == 400 and "缺少以下参数" in missing.content.decode()

    response = settlement.post(url, {"period": "202611"})
    run = SettlementRun.objects.filter(period=202611).order_by("-id").first()
    assert response.status_code == 302 and response["Location"] == reverse("office:settlement", args=[run.pk])
    assert run.employers == [a.pk] and run.source == "office"
    assert ContributionLine.objects.filter(employer=b, period=202611).count() == lines_b


def test_resettle_is_for_settlement_staff_and_administrators(settled, staff, login_as):
    a = settled.employer_a
    url = reverse("office:employer_resettle", args=[a.pk])
    for role in ("is_clerk", "is_reviewer", "is_finance", "is_auditor"):
        client = login_as(staff(role))
        assert client.post(url, {"period": "202611"}).status_code == 403
        page = client.get(reverse("office:employer", args=[a.pk])).content.decode()
        assert url not in page
    assert not SettlementRun.objects.filter(period=202611, employers__isnull=False).exists()
    admin = login_as(staff("is_office_admin"))
    assert admin.get(url).status_code == 200
