"""工伤事故备案 on the office's benefits recording page, through the HTTP client: an office administrator opens a
case by hand, every bad input is refused in Chinese on its field with nothing written, other roles are kept out,
and the new case goes on through determination and payment."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse

from shebao.benefits.models import InjuryCase, InjuryPayment

TODAY = dt.date(2025, 1, 15)
URL = reverse("office:benefits")


@pytest.fixture(autouse=True)
def _fixed_today(settings):
    settings.SHEBAO_FIXED_TODAY = TODAY


@pytest.fixture
def admin_client(personas, login_as):
    return login_as(personas.office_admin)


def case_form(personas, **overrides) -> dict:
    data = {
        "action": "record",
        "kind": "injury_case",
        "employer": personas.employer_a.number,
        "id_number": personas.person_1.id_number,
        "accident_date": "2024-05-06",
        "place": "公司机房",
        "description": "搬运服务器时从梯子上摔下",
        "injury": "左腿骨折",
        "witness": "同班组工友",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_the_page_offers_the_filing_form(admin_client):
    page = admin_client.get(URL, {"kind": "injury_case"}).content.decode()
    assert "<strong>工伤事故备案</strong>" in page
    for label in (
        "单位编号或统一社会信用代码",
        "公民身份号码",
        "事故日期",
        "事故地点",
        "事故经过",
        "受伤部位及程度",
        "证人",
    ):
        assert label in page
    assert '<textarea name="description"' in page


@pytest.mark.django_db
def test_office_admin_opens_a_case(admin_client, personas):
    response = admin_client.post(URL, case_form(personas))
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?kind=injury_case&opened=GS202405000001"
    case = InjuryCase.objects.get()
    assert (case.case_number, case.person, case.employer, case.status) == (
        "GS202405000001",
        personas.person_1,
        personas.employer_a,
        InjuryCase.Status.REPORTED,
    )
    assert (case.accident_date, case.place, case.injury, case.witness, case.declaration_id) == (
        dt.date(2024, 5, 6),
        "公司机房",
        "左腿骨折",
        "同班组工友",
        None,
    )
    page = admin_client.get(response["Location"]).content.decode()
    assert "已备案工伤事故，案件编号 GS202405000001（王小明，杭州甲科技有限公司）" in page
    assert "工伤案件 GS202405000001（王小明）已备案，待认定。" in page
    assert "?kind=injury_determine&amp;case_number=GS202405000001" in page
    assert "<td>GS202405000001</td>" in page  # in the list of cases awaiting determination


@pytest.mark.django_db
def test_the_employer_may_be_given_by_credit_code_and_the_witness_left_out(admin_client, personas):
    data = case_form(personas, employer=personas.employer_a.credit_code.lower(), witness="")
    assert admin_client.post(URL, data).status_code == 302
    assert InjuryCase.objects.get().witness == ""


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"employer": "99999999"}, "employer", "单位「99999999」不存在（应为单位编号或统一社会信用代码）"),
        ({"employer": ""}, "employer", "请填写单位编号或统一社会信用代码"),
        ({"id_number": "110101199001011234"}, "id_number", "公民身份号码「110101199001011234」没有参保记录"),
        ({"id_number": ""}, "id_number", "请填写公民身份号码"),
        ({"accident_date": "2025-01-16"}, "accident_date", "事故日期 2025-01-16 不能晚于今天（2025-01-15）"),
        ({"accident_date": "1989-12-31"}, "accident_date", "事故日期不能早于 1990-01-01"),
        (
            {"accident_date": "2024-13-01"},
            "accident_date",
            "事故日期「2024-13-01」不是有效日期，应为 年-月-日，如 2024-05-06",
        ),
        ({"accident_date": ""}, "accident_date", "请填写事故日期"),
        (
            {"accident_date": "2023-12-31"},
            "accident_date",
            "事故日期 2023-12-31：王小明 当时未在「杭州甲科技有限公司」参加工伤保险",
        ),
        ({"place": ""}, "place", "请填写事故地点"),
        ({"place": "  "}, "place", "请填写事故地点"),
        ({"place": "地" * 101}, "place", "事故地点最多 100 个字（现有 101 个）"),
        ({"description": ""}, "description", "请填写事故经过"),
        ({"description": "经" * 2001}, "description", "事故经过最多 2000 个字（现有 2001 个）"),
        ({"injury": ""}, "injury", "请填写受伤部位及程度"),
        ({"injury": "伤" * 201}, "injury", "受伤部位及程度最多 200 个字（现有 201 个）"),
        ({"witness": "证" * 61}, "witness", "证人最多 60 个字（现有 61 个）"),
    ],
)
@pytest.mark.django_db
def test_bad_input_is_refused_on_its_field_and_writes_nothing(
    admin_client, personas, overrides, field, message
):
    response = admin_client.post(URL, case_form(personas, **overrides))
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert message in response.content.decode()
    assert not InjuryCase.objects.exists()


@pytest.mark.django_db
def test_a_person_of_another_employer_is_refused_on_the_id_number(admin_client, personas):
    response = admin_client.post(URL, case_form(personas, id_number=personas.person_b1.id_number))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "id_number": [
            f"公民身份号码 {personas.person_b1.id_number}（孙悦）在「杭州甲科技有限公司」没有参保记录"
        ]
    }
    assert not InjuryCase.objects.exists()


@pytest.mark.django_db
def test_other_users_cannot_open_a_case(personas, login_as, client):
    for user in (personas.reviewer, personas.clerk, personas.operator_a, personas.individual):
        other = login_as(user)
        assert other.get(URL, {"kind": "injury_case"}).status_code == 403, user
        assert other.post(URL, case_form(personas)).status_code == 403, user
    response = client.post(URL, case_form(personas))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert not InjuryCase.objects.exists()


@pytest.mark.django_db
def test_the_new_case_is_determined_and_paid(admin_client, personas):
    opened = admin_client.post(URL, case_form(personas))
    number = InjuryCase.objects.get().case_number
    page = admin_client.get(opened["Location"]).content.decode()
    assert f"?kind=injury_determine&amp;case_number={number}" in page
    # the link fills the determination form in
    page = admin_client.get(URL, {"kind": "injury_determine", "case_number": number}).content.decode()
    assert f'value="{number}"' in page

    response = admin_client.post(
        URL,
        {
            "action": "record",
            "kind": "injury_determine",
            "case_number": number,
            "status": "determined",
            "determined_on": "2024-06-10",
            "disability_grade": "9",
        },
    )
    assert response.status_code == 302
    case = InjuryCase.objects.get()
    assert (case.status, case.determined_on, case.disability_grade) == ("determined", dt.date(2024, 6, 10), 9)

    response = admin_client.post(
        URL,
        {
            "action": "record",
            "kind": "injury",
            "case_number": number.lower(),
            "item": "medical",
            "amount": "1250.50",
            "paid_on": "2024-06-20",
            "note": "住院医疗费",
        },
    )
    assert response.status_code == 302
    payment = InjuryPayment.objects.get()
    assert (payment.case, payment.amount, payment.period, payment.employer_id) == (
        case,
        D("1250.50"),
        202406,
        personas.employer_a.pk,
    )
    page = admin_client.get(response["Location"]).content.decode()
    assert f"已登记案件 {number} 的" in page and "1,250.50 元" in page
