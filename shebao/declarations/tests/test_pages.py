"""Pages: every handling item's form renders from its declaration; the office workbench's queue, filters,
counts, bulk approval, counter completion and auto-approval rules; who may open what."""

import re

import pytest
from django.urls import reverse

from shebao.accounts.services import grants_set
from shebao.declarations.models import AutoApprovalRule, Declaration, State
from shebao.persons.models import Employment

from .conftest import h01_raw
from .helpers import approve, submit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", [f"H{n:02d}" for n in range(1, 11)])
def test_every_handling_form_renders_its_fields(login_as, personas, code):
    from shebao.declarations.items import definition_for

    response = login_as(personas.operator_a).get(f"/portal/items/{code}/")
    assert response.status_code == 200
    text = response.content.decode()
    for field in definition_for(code).fields:
        assert str(field.label) in text
    assert 'name="form_token"' in text


def test_h07_form_lists_the_active_employees(login_as, personas):
    text = login_as(personas.operator_a).get("/portal/items/H07/").content.decode()
    assert text.count('name="rows-') == 10  # the row count and 3 employees × (ID, name, wage)
    assert 'name="rows-count" value="3"' in text and "王小明" in text and "孙悦" not in text


def test_h07_submitted_through_the_form(login_as, personas):
    client = login_as(personas.operator_a)
    page = client.get("/portal/items/H07/").content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    data = {"year": "2026", "rows-count": "3", "action": "submit", "form_token": token}
    for i, person in enumerate([personas.person_1, personas.person_2, personas.person_3]):
        data |= {
            f"rows-{i}-id_number": person.id_number,
            f"rows-{i}-name": person.name,
            f"rows-{i}-wage": "8000",
        }
    response = client.post("/portal/items/H07/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    declaration = Declaration.objects.get(item_code="H07")
    assert len(declaration.data["rows"]) == 3 and declaration.subject_id_number == ""


def test_item_without_grant_is_refused(login_as, personas):
    grants_set(user=personas.operator_a, item_codes=["Q01", "PROGRESS"])
    client = login_as(personas.operator_a)
    assert client.get("/portal/items/H01/").status_code == 403
    assert client.get("/portal/items/progress/").status_code == 200
    grants_set(user=personas.operator_a, item_codes=["Q01"])
    assert client.get("/portal/items/progress/").status_code == 403


def test_office_pages_need_the_role(login_as, personas):
    assert login_as(personas.operator_a).get(reverse("office:review")).status_code == 403
    assert login_as(personas.clerk).get(reverse("office:review")).status_code == 403
    assert login_as(personas.clerk).get(reverse("office:review_counter")).status_code == 200
    assert login_as(personas.reviewer).get(reverse("office:review")).status_code == 200


def test_queue_oldest_first_filters_and_counts(login_as, personas):
    first = submit(personas, "H01", h01_raw())
    second = submit(
        personas,
        "H04",
        {"id_number": personas.person_1.id_number, "name": "王小明", "stop_period": "202612", "reason": "11"},
    )
    third = submit(
        personas,
        "H09",
        {"id_number": personas.person_b1.id_number, "phone": "13911112222"},
        employer=personas.employer_b,
        actor=personas.operator_b,
    )
    client = login_as(personas.reviewer)
    text = client.get(reverse("office:review")).content.decode()
    assert text.index(first.number) < text.index(second.number) < text.index(third.number)
    assert "已申报(待审核) <b>3</b>" in text and "近7日申报" in text
    only_h04 = client.get(reverse("office:review") + "?item=H04").content.decode()
    assert second.number in only_h04 and first.number not in only_h04
    only_b = client.get(reverse("office:review") + "?employer=10000002").content.decode()
    assert third.number in only_b and first.number not in only_b
    by_date = client.get(reverse("office:review") + "?from=2000-01-01&to=2000-01-02").content.decode()
    assert "队列为空" in by_date
    # take the next: the oldest
    response = client.post(reverse("office:review"), {"action": "take_next"})
    assert response.url == reverse("office:review_detail", args=[first.number])
    first.refresh_from_db()
    assert first.state == State.IN_REVIEW and first.claimed_by == personas.reviewer


def test_review_page_shows_checks_flags_record_and_earlier(login_as, personas):
    earlier = submit(personas, "H09", {"id_number": personas.person_1.id_number, "phone": "13911112222"})
    stop = submit(
        personas,
        "H04",
        {"id_number": personas.person_1.id_number, "name": "王小明", "stop_period": "202612", "reason": "11"},
    )
    Employment.objects.filter(person=personas.person_1).update(status="suspended")  # the record changed since
    text = (
        login_as(personas.reviewer).get(reverse("office:review_detail", args=[stop.number])).content.decode()
    )
    assert "✘ 不通过" in text and "参保状态为「暂停缴费」" in text  # a failing check
    assert "王小明" in text and "杭州甲科技有限公司" in text  # the record
    assert earlier.number in text  # earlier declarations of the person
    flagged = submit(
        personas,
        "H04",
        {
            "id_number": personas.person_2.id_number,
            "name": "陈丽",
            "stop_period": "202612",
            "reason": "32",
            "death_date": "2026-11-20",
        },
    )
    text = (
        login_as(personas.reviewer)
        .get(reverse("office:review_detail", args=[flagged.number]))
        .content.decode()
    )
    assert "⚠" in text and "死亡证明" in text


def test_reviewer_told_when_someone_else_claimed(login_as, personas):
    from shebao.accounts.services import account_create

    other = account_create(
        username="r2",
        password="x" * 10,
        kind="staff",
        display_name="审核员乙",
        office_roles=("is_reviewer",),
        must_change_password=False,
    )
    declaration = submit(personas, "H01", h01_raw())
    login_as(other).post(reverse("office:review_detail", args=[declaration.number]), {"action": "claim"})
    client = login_as(personas.reviewer)
    response = client.post(reverse("office:review_detail", args=[declaration.number]), {"action": "claim"})
    text = client.get(response.url).content.decode()
    assert "已被审核员乙认领" in text, re.findall(r'<ul class="messages">.*?</ul>', text, re.S)
    response = client.post(reverse("office:review_detail", args=[declaration.number]), {"action": "approve"})
    assert "已被审核员乙认领" in client.get(response.url).content.decode()
    assert Declaration.objects.get(pk=declaration.pk).state == State.IN_REVIEW


def test_approval_refused_shows_which_check(login_as, personas):
    from shebao.persons.models import Employment
    from shebao.persons.services import employment_stop

    declaration = submit(
        personas,
        "H04",
        {"id_number": personas.person_1.id_number, "name": "王小明", "stop_period": "202612", "reason": "11"},
    )
    client = login_as(personas.reviewer)
    url = reverse("office:review_detail", args=[declaration.number])
    client.post(url, {"action": "claim"})
    employment_stop(
        employment=Employment.objects.get(person=personas.person_1), stop_period=202611, reason="11"
    )
    response = client.post(url, {"action": "approve"})
    text = client.get(response.url).content.decode()
    assert "现在不能通过检查" in text and "该人员在本单位正常参保" in text
    assert Declaration.objects.get(pk=declaration.pk).state == State.IN_REVIEW


def test_bulk_approve_through_the_queue(login_as, personas):
    one = submit(personas, "H09", {"id_number": personas.person_1.id_number, "phone": "13911112222"})
    two = submit(personas, "H09", {"id_number": personas.person_2.id_number, "address": "杭州市滨江区"})
    client = login_as(personas.reviewer)
    response = client.post(
        reverse("office:review"), {"action": "bulk_approve", "selected": [one.number, two.number]}
    )
    assert "已审核通过 2 件" in client.get(response.url).content.decode()
    assert set(Declaration.objects.values_list("state", flat=True)) == {State.COMPLETED}


def test_counter_completes_an_approved_declaration(login_as, personas):
    declaration = approve(
        personas, submit(personas, "H09", {"id_number": personas.person_1.id_number, "new_name": "王晓明"})
    )
    assert declaration.state == State.AWAITING_COUNTER
    clerk = login_as(personas.clerk)
    assert declaration.number in clerk.get(reverse("office:review_counter")).content.decode()
    clerk.post(
        reverse("office:review_detail", args=[declaration.number]),
        {"action": "complete", "comment": "已核验"},
    )
    declaration.refresh_from_db()
    assert declaration.state == State.COMPLETED
    # the clerk cannot approve
    other = submit(personas, "H01", h01_raw())
    response = clerk.post(reverse("office:review_detail", args=[other.number]), {"action": "claim"})
    assert "只有审核人员可以审核" in clerk.get(response.url).content.decode()


def test_auto_rules_page(login_as, personas):
    admin = login_as(personas.office_admin)
    text = admin.get(reverse("office:review_auto_rules")).content.decode()
    assert "H09" in text and "H10" in text and "H01" not in text
    admin.post(
        reverse("office:review_auto_rules"),
        {"item": "H10", "enabled": "1", "allowed_fields": ["contact_phone"]},
    )
    rule = AutoApprovalRule.objects.get(item_code="H10")
    assert (
        rule.enabled and rule.allowed_fields == ["contact_phone"] and rule.updated_by == personas.office_admin
    )
    reviewer = login_as(personas.reviewer)
    reviewer.post(reverse("office:review_auto_rules"), {"item": "H10", "enabled": ""})
    assert AutoApprovalRule.objects.get(item_code="H10").enabled
