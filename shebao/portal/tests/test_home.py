import pytest
from django.urls import reverse

from shebao.testing import PASSWORD

pytestmark = pytest.mark.django_db


def test_public_home_lists_catalogue_and_login(client):
    response = client.get("/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "信息查询" in text and "业务经办" in text and "办事进度查询" in text
    assert "单位基本信息查询" in text and "经办人授权" in text


def test_every_persona_can_log_in_with_its_password(client, personas):
    for user in personas.users():
        response = client.post(
            reverse("accounts:login"), {"kind": user.kind, "username": user.username, "password": PASSWORD}
        )
        assert response.status_code == 302, user.username
        client.post(reverse("accounts:logout"))


def test_wrong_password_gives_chinese_message_and_no_session(client, personas):
    response = client.post(
        reverse("accounts:login"), {"kind": "employer", "username": "a_operator", "password": "wrong-pass1"}
    )
    assert response.status_code == 401
    assert "用户名或密码错误" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_portal_home_groups_items_and_every_one_is_open(login_as, personas):
    response = login_as(personas.admin_a).get(reverse("portal:home"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "杭州甲科技有限公司" in text
    assert "信息查询" in text and "业务经办" in text
    from shebao.catalogue.items import ITEMS

    for item in ITEMS:  # issue 11: every query and handling item is online, linked from the home page
        if item.code[0] in "QH":
            assert f'href="/portal/items/{item.url_code}/"' in text, item.code


def test_every_catalogue_item_opens_for_a_granted_user(login_as, personas):
    from shebao.catalogue.items import ITEMS

    client = login_as(personas.admin_a)
    for item in ITEMS:
        if item.code[0] not in "QH":
            continue  # the batch import is its own work
        response = client.get(f"/portal/items/{item.url_code}/")
        assert response.status_code == 200, item.code
        assert "暂未开放" not in response.content.decode(), item.code


def test_unknown_item_is_404(login_as, personas):
    assert login_as(personas.operator_a).get("/portal/items/Z99/").status_code == 404


def test_staff_cannot_use_portal_and_employer_cannot_use_office(login_as, personas):
    assert login_as(personas.reviewer).get(reverse("portal:home")).status_code == 403
    response = login_as(personas.operator_a).get(reverse("office:home"))
    assert response.status_code == 403
    assert "经办机构工作人员" in response.content.decode()


def test_office_home_lists_functions_for_role(login_as, personas):
    response = login_as(personas.office_admin).get(reverse("office:home"))
    assert response.status_code == 200
    assert "政策参数" in response.content.decode()


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"]["ok"] is True


def test_an_item_still_requires_the_grant(login_as, personas):
    from shebao.accounts.services import grants_set

    grants_set(user=personas.operator_a, item_codes=["Q01"])
    response = login_as(personas.operator_a).get("/portal/items/H11/")
    assert response.status_code == 403
    assert "补缴申报" in response.content.decode()
