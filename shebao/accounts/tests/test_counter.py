import re

import pytest
from django.test import Client
from django.urls import reverse

from shebao.accounts.models import AccountEvent, User
from shebao.accounts.rules import grantable_codes
from shebao.employers.models import Employer
from shebao.persons.models import Person
from shebao.testing import PASSWORD

from .conftest import (
    NEW_CREDIT_CODE,
    NEW_ID_NUMBER,
    NEW_PASSWORD,
    OPERATOR_ID_NUMBER,
    issued,
    logged_in,
    login,
    pdf_text,
    print_receipt,
)

pytestmark = pytest.mark.django_db

COUNTER = "/office/counter/"
BUSINESS_DOCUMENTS = ["code_certificate", "business_licence", "operator_id_card"]


def _new_employer_form(**overrides):
    data = {
        "kind": "employer",
        "credit_code": NEW_CREDIT_CODE,
        "employer_name": "杭州丙制造有限公司",
        "employer_type": "enterprise",
        "address": "杭州市滨江区江南大道1号",
        "legal_representative": "钱进",
        "contact_phone": "0571-86001234",
        "operator_name": "郑敏",
        "operator_id_number": OPERATOR_ID_NUMBER,
        "operator_phone": "13900001111",
        "documents": BUSINESS_DOCUMENTS,
        "items": grantable_codes("employer", employer_admin=True),
    }
    data.update(overrides)
    return data


def _issued(response) -> tuple[str, str, dict]:
    """(username, password, the receipt form) from the page shown after a password is issued."""
    shown = issued(response)
    return shown["username"], shown["password"], shown


def test_counter_is_for_clerks_only(personas, login_as):
    assert login_as(personas.reviewer).get(COUNTER).status_code == 403
    assert login_as(personas.operator_a).get(COUNTER).status_code == 403
    assert login_as(personas.clerk).get(COUNTER).status_code == 200


def test_lookup_of_new_credit_code_offers_new_employer_fields(clerk_client):
    page = clerk_client.get(
        COUNTER, {"kind": "employer", "credit_code": NEW_CREDIT_CODE.lower()}
    ).content.decode()
    assert "新开户单位" in page and NEW_CREDIT_CODE in page
    assert "营业执照" in page and "批准成立文件或事业单位法人证书" in page


def test_lookup_with_bad_credit_code_says_why(clerk_client):
    page = clerk_client.get(COUNTER, {"kind": "employer", "credit_code": NEW_CREDIT_CODE[:-1] + "0"})
    assert "校验" in page.content.decode() or "统一社会信用代码" in page.content.decode()
    assert "register-form" not in page.content.decode()


def test_register_new_employer_print_receipt_and_first_login(clerk_client, personas):
    response = clerk_client.post(COUNTER, _new_employer_form(), REMOTE_ADDR="10.1.1.1")
    username, password, pdf_url = _issued(response)

    employer = Employer.objects.get(credit_code=NEW_CREDIT_CODE)
    assert employer.name == "杭州丙制造有限公司" and employer.number == "10000003"
    assert employer.org_code == NEW_CREDIT_CODE[8:17] and employer.district_code == "330106"
    user = User.objects.get(username=username)
    assert user.employer == employer and user.is_employer_admin and user.must_change_password
    assert user.display_name == "郑敏" and user.id_number == OPERATOR_ID_NUMBER
    assert set(user.grants.values_list("item_code", flat=True)) == set(
        grantable_codes("employer", employer_admin=True)
    )
    created = AccountEvent.objects.get(user=user, kind="created")
    assert created.actor == personas.clerk and created.ip == "10.1.1.1"
    assert created.detail["documents"] == sorted(BUSINESS_DOCUMENTS)

    text = pdf_text(print_receipt(clerk_client, pdf_url))
    for expected in (
        "社会保险网上办事用户认证回执单",
        username,
        password,
        "杭州丙制造有限公司",
        NEW_CREDIT_CODE,
        "郑敏",
        "单位基本信息查询",
        "经办人授权",
        "窗口受理员",
        "登录方法",
        "单位用户",
        "首次登录",
        "营业执照",
    ):
        assert expected in text, expected
    assert re.search(r"办理日期\s*\d{4}-\d{2}-\d{2}", text)

    # The new administrator logs in with the first password and must change it first.
    client = Client()
    response = login(client, NEW_CREDIT_CODE, password)
    assert response["Location"].startswith(reverse("accounts:password_change"))
    client.post(
        reverse("accounts:password_change"),
        {"old_password": password, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
    )
    home = client.get("/portal/")
    assert home.status_code == 200 and "杭州丙制造有限公司" in home.content.decode()


def test_registering_employer_with_an_administrator_is_refused(clerk_client, personas):
    code = personas.employer_a.credit_code
    page = clerk_client.get(COUNTER, {"kind": "employer", "credit_code": code}).content.decode()
    assert "已开通网上办事" in page and "a_admin" in page and "register-form" not in page
    before = User.objects.count()
    response = clerk_client.post(COUNTER, _new_employer_form(credit_code=code))
    assert response.status_code == 400
    assert "已开通网上办事" in response.content.decode() and "不能重复开通" in response.content.decode()
    assert User.objects.count() == before


def test_existing_employer_without_account_is_registered_with_its_own_documents(clerk_client, personas):
    employer = personas.employer_b
    User.objects.filter(employer=employer).update(is_employer_admin=False)
    employer.employer_type = "institution"
    employer.save()
    page = clerk_client.get(
        COUNTER, {"kind": "employer", "credit_code": employer.credit_code}
    ).content.decode()
    assert "批准成立文件或事业单位法人证书" in page and "营业执照" not in page
    missing = clerk_client.post(
        COUNTER, _new_employer_form(credit_code=employer.credit_code, documents=["operator_id_card"])
    )
    assert missing.status_code == 400
    assert "尚未核验" in missing.content.decode() and "批准成立文件" in missing.content.decode()
    ok = clerk_client.post(
        COUNTER,
        _new_employer_form(
            credit_code=employer.credit_code, documents=["approval_document", "operator_id_card"]
        ),
    )
    admin = User.objects.get(employer=employer, is_employer_admin=True)
    assert admin.username == employer.number == issued(ok)["username"]
    assert Employer.objects.count() == 2


def test_bad_fields_are_all_named_and_nothing_is_written(clerk_client):
    response = clerk_client.post(
        COUNTER,
        _new_employer_form(
            operator_name="Z3", operator_id_number="123", operator_phone="12", employer_type="", documents=[]
        ),
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "姓名不能包含数字" in text
    assert "联系电话" in text
    assert "请选择单位类型" in text
    assert not Employer.objects.filter(credit_code=NEW_CREDIT_CODE).exists()
    assert not AccountEvent.objects.filter(kind="created", actor__isnull=False).exists()


def test_clerk_can_withhold_items(clerk_client):
    clerk_client.post(COUNTER, _new_employer_form(items=["Q01", "Q02", "PROGRESS"]))
    user = User.objects.get(employer__credit_code=NEW_CREDIT_CODE)
    assert sorted(user.grants.values_list("item_code", flat=True)) == ["PROGRESS", "Q01", "Q02"]


def test_register_individual_new_person(clerk_client):
    data = {
        "kind": "individual",
        "id_number": NEW_ID_NUMBER,
        "name": "林晓",
        "phone": "13700002222",
        "documents": ["id_card"],
    }
    data["items"] = grantable_codes("individual")
    response = clerk_client.post(COUNTER, data)
    username, password, pdf_url = _issued(response)
    assert username == NEW_ID_NUMBER
    person = Person.objects.get(id_number=NEW_ID_NUMBER)
    assert person.name == "林晓" and person.gender == "M" and str(person.birth_date) == "1988-03-04"
    text = pdf_text(print_receipt(clerk_client, pdf_url))
    assert "个人用户" in text and "林晓" in text and password in text
    assert "330106********1233" in text  # masked on paper
    assert "个人养老帐户查询" in text and "单位基本信息查询" not in text
    client = Client()
    assert login(client, NEW_ID_NUMBER, password, kind="individual").status_code == 302
    assert logged_in(client)


def test_individual_with_account_or_other_name_is_refused(clerk_client, personas):
    person = personas.person_1
    page = clerk_client.get(COUNTER, {"kind": "individual", "id_number": person.id_number}).content.decode()
    assert "已开通个人网上办事" in page
    other = personas.person_2
    response = clerk_client.post(
        COUNTER,
        {"kind": "individual", "id_number": other.id_number, "name": "陈立", "documents": ["id_card"]},
    )
    assert response.status_code == 400 and "姓名与该身份证号码登记的姓名不一致" in response.content.decode()
    response = clerk_client.post(
        COUNTER, {"kind": "individual", "id_number": other.id_number, "name": "陈丽"}
    )
    assert response.status_code == 400 and "本人身份证" in response.content.decode()


def test_receipt_only_for_its_issuer_and_only_while_the_password_is_unchanged(clerk_client, personas):
    response = clerk_client.post(COUNTER, _new_employer_form())
    shown = issued(response)
    user = User.objects.get(username=shown["username"])
    # Nothing recoverable anywhere in the database: not in the session, not in any table.
    assert not user.check_password("x") and user.password.startswith(("argon2", "md5", "pbkdf2"))
    assert_nowhere_in_database(shown["password"])
    other = Client()
    other.force_login(personas.office_admin)
    assert print_receipt(other, shown).status_code in (403, 404)
    assert print_receipt(clerk_client, shown, password="Wrong1234").status_code == 404
    assert print_receipt(clerk_client, shown).status_code == 200
    # Once the holder changed the first password, the receipt cannot be printed again: a new reset is needed.
    client = Client()
    login(client, shown["username"], shown["password"])
    client.post(
        reverse("accounts:password_change"),
        {"old_password": shown["password"], "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
    )
    assert print_receipt(clerk_client, shown).status_code == 404


def assert_nowhere_in_database(secret: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                assert not any(secret in str(value) for value in row), table
    from django.contrib.sessions.models import Session

    for session in Session.objects.all():
        assert secret not in str(session.get_decoded())


def test_personas_are_real_accounts_with_creation_events(personas):
    for user in personas.users():
        assert AccountEvent.objects.filter(user=user, kind="created").exists()
        assert Client().login(username=user.username, password=PASSWORD)
