"""The whole journey through the HTTP client: portal operator and office reviewer, then the roster and the
settlement see the result (workflow.md, catalogue.md H01/H04, money.md settlement)."""

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from shebao.contributions.models import ContributionLine
from shebao.contributions.services import settlement_run
from shebao.declarations.models import Declaration, State
from shebao.persons.models import Person

from .conftest import NEW_ID, h01_raw

pytestmark = pytest.mark.django_db

H01_URL = "/portal/items/H01/"
H04_URL = "/portal/items/H04/"
PROGRESS_URL = "/portal/items/progress/"


def login(username: str) -> Client:
    """A client logged in as that persona (the login page itself is the accounts tests' business; the
    browser test logs in through it)."""
    from shebao.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def form_token(response) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', response.content.decode()).group(1)


def post_form(client, url, raw, *, action="submit", token=None, **extra):
    page = client.get(url)
    assert page.status_code == 200
    data = {**raw, "action": action, "form_token": token or form_token(page), **extra}
    return client.post(url, data)


def review_and_approve(reviewer: Client, number: str):
    page = reviewer.get(reverse("office:review"))
    assert number in page.content.decode()
    response = reviewer.post(reverse("office:review_detail", args=[number]), {"action": "claim"})
    assert response.status_code == 302
    detail = reviewer.get(reverse("office:review_detail", args=[number])).content.decode()
    assert "认领人" in detail and "审核通过" in detail
    response = reviewer.post(
        reverse("office:review_detail", args=[number]), {"action": "approve", "comment": "同意"}
    )
    assert response.status_code == 302
    return reviewer.get(response.url)


def lines_of(person, period):
    return {
        row.insurance: (row.employer_amount, row.individual_amount)
        for row in ContributionLine.objects.filter(person=person, period=period)
    }


def test_enrol_settle_stop_settle(personas):
    operator, reviewer = login("a_operator"), login("reviewer")

    # The operator enters an ID number: the form pre-fills gender and birth date from it.
    looked_up = operator.post(H01_URL, {"id_number": NEW_ID.lower(), "action": "lookup"})
    assert looked_up.status_code == 200
    assert 'value="1995-03-08"' in looked_up.content.decode()

    # Submit H01 for a new person (wage 7,654.32, 2026 limits 5,250–26,250: used as is).
    response = post_form(operator, H01_URL, h01_raw(wage="7654.32"))
    assert response.status_code == 302, response.content.decode()[:2000]
    declaration = Declaration.objects.get(item_code="H01")
    assert declaration.state == State.SUBMITTED
    assert response.url == f"{PROGRESS_URL}?open={declaration.number}"
    shown = operator.get(response.url).content.decode()
    assert "申报成功" in shown and "已申报(待审核)" in shown

    # The reviewer claims and approves.
    after = review_and_approve(reviewer, declaration.number)
    assert "已办结" in after.content.decode()
    declaration.refresh_from_db()
    assert declaration.state == State.COMPLETED

    # The operator sees one unread result in the header; opening it clears the count.
    home = operator.get(reverse("portal:home")).content.decode()
    assert 'class="unread-results"' in home and '<span class="badge">1</span>' in home
    operator.get(f"{PROGRESS_URL}?open={declaration.number}")
    assert 'class="unread-results"' not in operator.get(reverse("portal:home")).content.decode()

    # The roster (Q02) shows the person.
    roster = operator.get("/portal/items/Q02/")
    assert roster.status_code == 200 and "刘洋" in roster.content.decode()
    person = Person.objects.get(id_number=NEW_ID)

    # Settling 202611 includes their lines at base 7,654.32 (money.md's worked example, class 2).
    settlement_run(period=202611)
    assert lines_of(person, 202611) == {
        "pension": (Decimal("1224.69"), Decimal("612.35")),
        "medical": (Decimal("688.89"), Decimal("153.09")),
        "unemployment": (Decimal("38.27"), Decimal("38.27")),
        "injury": (Decimal("30.62"), Decimal("0.00")),
        "maternity": (Decimal("38.27"), Decimal("0.00")),
    }

    # H04 stops them from 202612: 202612 no longer has their lines.
    prefilled = operator.post(H04_URL, {"id_number": NEW_ID, "action": "lookup"}).content.decode()
    assert 'value="刘洋"' in prefilled
    response = post_form(
        operator, H04_URL, {"id_number": NEW_ID, "name": "刘洋", "stop_period": "202612", "reason": "11"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    stop = Declaration.objects.get(item_code="H04")
    review_and_approve(reviewer, stop.number)
    settlement_run(period=202612)
    assert lines_of(person, 202612) == {}
    assert lines_of(personas.person_1, 202612)  # the others are still there
    assert lines_of(person, 202611)  # and the earlier period is untouched


def test_rejected_revised_resubmitted_approved(personas):
    operator, reviewer = login("a_operator"), login("reviewer")
    post_form(operator, H01_URL, h01_raw(wage="8000"))
    declaration = Declaration.objects.get()
    number = declaration.number
    reviewer.post(reverse("office:review_detail", args=[number]), {"action": "claim"})
    refused = reviewer.post(reverse("office:review_detail", args=[number]), {"action": "reject"})
    assert "审核不通过须填写原因" in reviewer.get(refused.url).content.decode()
    reviewer.post(
        reverse("office:review_detail", args=[number]),
        {"action": "reject", "reasons": ["base_out_of_limits"], "comment": "工资与劳动合同不符"},
    )
    declaration.refresh_from_db()
    assert declaration.state == State.REJECTED

    detail = operator.get(f"{PROGRESS_URL}?open={number}").content.decode()
    assert "审核不通过(已退回)" in detail and "工资与劳动合同不符" in detail and "修改后重新申报" in detail

    revise = operator.get(f"{H01_URL}?revise={number}")
    text = revise.content.decode()
    assert 'value="8000.00"' in text and "工资与劳动合同不符" in text
    response = operator.post(
        H01_URL,
        {**h01_raw(wage="8800"), "action": "submit", "form_token": form_token(revise), "declaration": number},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    declaration.refresh_from_db()
    assert (declaration.state, declaration.version) == (State.SUBMITTED, 2)

    review_and_approve(reviewer, number)
    detail = operator.get(f"{PROGRESS_URL}?open={number}").content.decode()
    assert "已办结" in detail and "第 1 版" in detail
    steps = list(declaration.events.order_by("at", "id").values_list("action", "from_state", "to_state"))
    assert steps == [
        ("submit", "", "submitted"),
        ("claim", "submitted", "in_review"),
        ("reject", "in_review", "rejected"),
        ("resubmit", "rejected", "submitted"),
        ("claim", "submitted", "in_review"),
        ("approve", "in_review", "approved"),
        ("close", "approved", "completed"),
    ]
    for label in ("申报", "认领", "审核不通过", "重新申报", "审核通过", "办结"):
        assert f"<td>{label}</td>" in detail


def test_double_clicked_submit_makes_one_declaration(personas):
    operator = login("a_operator")
    page = operator.get(H01_URL)
    token = form_token(page)
    first = operator.post(H01_URL, {**h01_raw(), "action": "submit", "form_token": token})
    second = operator.post(H01_URL, {**h01_raw(), "action": "submit", "form_token": token})
    assert first.status_code == second.status_code == 302 and first.url == second.url
    assert Declaration.objects.count() == 1


def test_bad_fields_all_shown_in_chinese_and_nothing_written(personas):
    operator = login("a_operator")
    response = post_form(
        operator, H01_URL, h01_raw(name="", wage="12.345", gender="F", start_period="2026-13")
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "有 4 处需要更正" in text
    for message in ("姓名不能为空", "最多保留两位小数", "性别与公民身份号码不一致", "月份 13 无效"):
        assert message in text
    assert 'value="杭州市西湖区文二路1号"' in text  # what was typed is kept
    assert not Declaration.objects.exists()


def test_known_person_turns_h01_into_h02(personas):
    operator = login("a_operator")
    response = operator.post(H01_URL, {"id_number": personas.person_b1.id_number, "action": "lookup"})
    assert response.status_code == 302 and "/portal/items/H02/" in response.url
    page = operator.get(response.url)
    assert "已转为「续保(人员增加)」(H02) 办理" in page.content.decode()


def test_draft_save_then_submit(personas):
    operator = login("a_operator")
    response = post_form(operator, H01_URL, h01_raw(name="", wage=""), action="save")
    assert response.status_code == 302
    draft = Declaration.objects.get()
    assert draft.state == State.DRAFT and response.url.endswith(f"?draft={draft.number}")
    page = operator.get(response.url)
    assert "草稿箱" in page.content.decode() and draft.number in page.content.decode()
    response = operator.post(
        H01_URL,
        {**h01_raw(), "action": "submit", "form_token": form_token(page), "declaration": draft.number},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == State.SUBMITTED and Declaration.objects.count() == 1


def test_withdraw_before_review(personas):
    operator = login("a_operator")
    post_form(operator, H01_URL, h01_raw())
    declaration = Declaration.objects.get()
    operator.post(PROGRESS_URL, {"action": "withdraw", "number": declaration.number})
    declaration.refresh_from_db()
    assert declaration.state == State.WITHDRAWN


def test_employer_b_gets_404_for_employer_a_declaration(personas):
    operator = login("a_operator")
    post_form(operator, H01_URL, h01_raw())
    number = Declaration.objects.get().number
    other = login("b_operator")
    assert other.get(f"{PROGRESS_URL}?open={number}").status_code == 404
    assert other.get(f"{PROGRESS_URL}?receipt={number}").status_code == 404
    assert other.post(PROGRESS_URL, {"action": "withdraw", "number": number}).status_code == 404
    assert other.get(f"{H01_URL}?draft={number}").status_code == 404
    assert number not in other.get(PROGRESS_URL).content.decode()


def test_receipt_pdf_and_public_verification(personas):
    from pypdf import PdfReader

    operator = login("a_operator")
    post_form(operator, H01_URL, h01_raw())
    declaration = Declaration.objects.get()
    response = operator.get(f"{PROGRESS_URL}?receipt={declaration.number}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    import io

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert declaration.number in text and "刘洋" in text
    from shebao.declarations.receipts import verification_path

    public = Client().get(verification_path(declaration))
    assert public.status_code == 200
    body = public.content.decode()
    assert declaration.number in body and "已申报(待审核)" in body and "刘洋" not in body
    assert Client().get(f"/verify/receipt/{declaration.number}/000000000000/").status_code == 404
