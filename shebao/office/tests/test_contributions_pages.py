"""Office pages through the HTTP client: settlement runs, arrivals (record, import), benefits, interest."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shebao.benefits.models import MaternityPayment
from shebao.contributions.models import Arrival, EmployerPeriod, SettlementRun
from shebao.contributions.services import settlement_run

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def admin_client(personas, login_as):
    return login_as(personas.office_admin)


def csv_file(text: str, encoding="utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile("bank.csv", text.encode(encoding), content_type="text/csv")


@pytest.mark.django_db
def test_office_admin_starts_a_settlement_run_and_sees_the_result(
    admin_client, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    page = admin_client.get(reverse("office:settlements"))
    assert page.status_code == 200 and "开始结算" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("office:settlements"), {"period": "202403"})
    run = SettlementRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("office:settlement", args=[run.pk])
    page = admin_client.get(response["Location"]).content.decode()
    assert "已完成" in page
    assert "15,692.22" in page  # A 13,478.22 (money.md example) + B 2,214.00
    assert run.employers_settled == 2
    # everything on the page in Chinese: the rounding rule and the timed steps by name, not by code
    assert "四舍五入" in page and "half_up" not in page
    assert "核定缴费明细" in page and "按险种汇总" in page and "employer_periods" not in page
    # the htmx poll returns the partial only
    partial = admin_client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and "已完成" in partial


@pytest.mark.django_db
def test_bad_period_is_refused_in_chinese(admin_client):
    response = admin_client.post(reverse("office:settlements"), {"period": "202413"})
    assert response.status_code == 200
    assert "月份" in response.content.decode()
    assert not SettlementRun.objects.exists()


@pytest.mark.django_db
def test_other_roles_cannot_open_contribution_pages(personas, login_as):
    for user in (personas.reviewer, personas.clerk, personas.operator_a):
        client = login_as(user)
        for name in ("office:settlements", "office:arrivals", "office:benefits", "office:interest"):
            assert client.get(reverse(name)).status_code == 403, (user, name)


@pytest.mark.django_db
def test_record_an_arrival(admin_client, personas):
    settlement_run(period=202401)
    response = admin_client.post(
        reverse("office:arrivals"),
        {
            "action": "record",
            "a-employer": personas.employer_a.number,
            "a-received_on": "2024-03-20",
            "a-amount": "13,478.22",
            "a-reference": "B20240320001",
        },
    )
    assert response.status_code == 302
    page = admin_client.get(reverse("office:arrivals")).content.decode()
    assert "已登记" in page and "B20240320001" in page and "134.78" in page  # surcharge for 20 days
    ep = EmployerPeriod.objects.get(employer=personas.employer_a, period=202401)
    assert ep.amount_paid == D("13478.22") and ep.paid_on == dt.date(2024, 3, 20)


@pytest.mark.django_db
def test_arrival_form_errors_are_shown(admin_client):
    response = admin_client.post(
        reverse("office:arrivals"),
        {"action": "record", "a-employer": "99999999", "a-received_on": "2024-03-20", "a-amount": "12.34"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "单位「99999999」不存在" in page
    response = admin_client.post(
        reverse("office:arrivals"),
        {"action": "record", "a-employer": "10000001", "a-received_on": "2024-03-20", "a-amount": "12.345"},
    )
    assert "金额最多保留两位小数" in response.content.decode()
    assert not Arrival.objects.exists()


@pytest.mark.django_db
def test_import_bank_file_with_a_bad_row_writes_nothing(admin_client, personas):
    settlement_run(period=202401)
    a, b = personas.employer_a, personas.employer_b
    text = (
        "单位编号或统一社会信用代码,到账日期,金额,银行流水号\n"
        f"{a.number},2024-02-10,13478.22,R1\n"
        f"{b.credit_code},2024-02-11,abc,R2\n"
        f"{b.number},2024-02-31,100.00,R3\n"
    )
    response = admin_client.post(reverse("office:arrivals"), {"action": "import", "file": csv_file(text)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "第 3 行：金额「abc」不是有效的金额" in page
    assert "第 4 行：到账日期「2024-02-31」不是有效日期" in page
    assert not Arrival.objects.exists()


@pytest.mark.django_db
def test_import_good_bank_file_in_gbk(admin_client, personas):
    settlement_run(period=202401)
    a, b = personas.employer_a, personas.employer_b
    text = f"{a.credit_code},2024-02-10,13478.22,R1\n{b.number},2024/02/11,5000.00,R2\n"
    response = admin_client.post(
        reverse("office:arrivals"),
        {"action": "import", "file": csv_file("单位,日期,金额,流水号\n" + text, "gbk")},
    )
    assert response.status_code == 302
    assert Arrival.objects.count() == 2
    assert EmployerPeriod.objects.get(employer=a, period=202401).paid_on == dt.date(2024, 2, 10)
    # importing the same file again is refused row by row (references already recorded)
    response = admin_client.post(reverse("office:arrivals"), {"action": "import", "file": csv_file(text)})
    assert "第 1 行：银行流水号 R1 已登记过" in response.content.decode()
    assert Arrival.objects.count() == 2


@pytest.mark.django_db
def test_record_maternity_payment_and_import_with_bad_row(admin_client, personas):
    for period in range(202401, 202413):
        settlement_run(period=period)
    response = admin_client.post(
        reverse("office:benefits"),
        {
            "action": "record",
            "kind": "maternity",
            "id_number": personas.person_b1.id_number,
            "delivery_date": "2025-01-08",
            "delivery_type": "natural",
            "medical_costs": "3500.00",
            "paid_on": "2025-02-01",
        },
    )
    assert response.status_code == 302
    assert MaternityPayment.objects.get().allowance == D("31600.00")
    text = f"{personas.person_b1.id_number},2025-01-09,顺产,市妇幼,158,0,2025-02-01\n110101199001011234,2025-01-09,顺产,,,0,2025-02-01\n"
    response = admin_client.post(
        reverse("office:benefits"),
        {"action": "import", "kind": "maternity", "import_kind": "maternity", "file": csv_file(text)},
    )
    assert "第 2 行：公民身份号码「110101199001011234」没有参保记录" in response.content.decode()
    assert MaternityPayment.objects.count() == 1


@pytest.mark.django_db
def test_interest_page_closes_a_year(admin_client, personas):
    from shebao.individual_accounts.services import pension_opening_record

    pension_opening_record(
        person=personas.person_1, year=2024, amount=D("50000.00"), credited_on=dt.date(2024, 1, 1)
    )
    response = admin_client.post(reverse("office:interest"), {"year": "2024"})
    assert response.status_code == 302
    page = admin_client.get(reverse("office:interest")).content.decode()
    assert "1,310.00" in page or "1310.00" in page  # 50,000 × 2.62 %


@pytest.mark.django_db
def test_the_run_list_names_how_a_run_was_started_in_chinese(admin_client):
    settlement_run(period=202403, source="console")
    page = admin_client.get(reverse("office:settlements")).content.decode()
    assert "命令行" in page and ">console<" not in page


@pytest.mark.django_db
def test_every_office_form_names_the_field_in_its_errors(admin_client):
    response = admin_client.post(
        reverse("office:arrivals"),
        {"action": "record", "a-employer": "", "a-received_on": "20.3.2024", "a-amount": ""},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "请填写单位编号或统一社会信用代码" in page and "请填写金额" in page
    assert "到账日期「20.3.2024」不是有效日期，应为 年-月-日" in page
    assert not Arrival.objects.exists()


def test_surcharge_waiver_page_refuses_then_waives_with_a_reason(personas):
    import datetime as dt
    from decimal import Decimal as D

    from django.test import Client

    from shebao.accounts.models import User
    from shebao.contributions.models import EmployerPeriod, SurchargeWaiver
    from shebao.contributions.services import arrival_record, settlement_run

    a = personas.employer_a
    settlement_run(period=202401)
    due = EmployerPeriod.objects.get(employer=a, period=202401).amount_due
    arrival_record(employer=a, received_on=dt.date(2024, 3, 20), amount=due)  # 20 days late: 134.78 assessed
    client = Client()
    client.force_login(User.objects.get(username="office_admin"))
    page = client.get("/office/surcharge/").content.decode()
    assert "尚欠滞纳金的结算期" in page and "134.78" in page and a.name in page
    refused = client.post(
        "/office/surcharge/", {"employer": a.number, "period": "202401", "amount": "200", "reason": "困难"}
    )
    assert refused.status_code == 200 and "超过该期尚欠的滞纳金 134.78" in refused.content.decode()
    missing = client.post("/office/surcharge/", {"employer": a.number, "period": "202401", "amount": "10"})
    assert "请填写减免原因" in missing.content.decode()
    assert not SurchargeWaiver.objects.exists()
    done = client.post(
        "/office/surcharge/",
        {"employer": a.number, "period": "202401", "amount": "34.78", "reason": "困难企业"},
        follow=True,
    )
    assert "已减免" in done.content.decode() and "34.78" in done.content.decode()
    assert EmployerPeriod.objects.get(employer=a, period=202401).surcharge_waived == D("34.78")
    assert SurchargeWaiver.objects.get().reason == "困难企业"
    # not for staff other than the office administrator
    clerk = Client()
    clerk.force_login(User.objects.get(username="clerk"))
    assert clerk.get("/office/surcharge/").status_code == 403
