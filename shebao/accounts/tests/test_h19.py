import pytest
from django.test import Client

from shebao.accounts import services
from shebao.accounts.models import AccountEvent, User
from shebao.accounts.services import grants_set
from shebao.testing import PASSWORD

from .conftest import OPERATOR_ID_NUMBER, issued, login, pdf_text, print_receipt

pytestmark = pytest.mark.django_db

H19 = "/portal/items/H19/"


def _create(client, **overrides):
    data = {
        "action": "create",
        "display_name": "冯佳",
        "id_number": OPERATOR_ID_NUMBER,
        "phone": "13811112222",
        "items": ["Q01", "Q02", "H01"],
    }
    data.update(overrides)
    return client.post(H19, data, REMOTE_ADDR="198.51.100.4")


def test_only_employer_administrators_open_h19(personas, login_as):
    assert login_as(personas.admin_a).get(H19).status_code == 200
    response = login_as(personas.operator_a).get(H19)
    assert response.status_code == 403 and "仅限单位管理员办理" in response.content.decode()
    assert login_as(personas.individual).get(H19).status_code == 403


def test_administrator_creates_an_operator_with_a_subset_of_own_grants(personas, login_as):
    admin = login_as(personas.admin_a)
    response = _create(admin)
    shown = issued(response)
    username, password = shown["username"], shown["password"]
    assert username == "10000001-01"
    user = User.objects.get(username=username)
    assert user.employer == personas.employer_a and not user.is_employer_admin and user.must_change_password
    assert sorted(user.grants.values_list("item_code", flat=True)) == ["H01", "Q01", "Q02"]
    event = AccountEvent.objects.get(user=user, kind="created")
    assert event.actor == personas.admin_a and event.ip == "198.51.100.4" and event.detail["via"] == "H19"

    text = pdf_text(print_receipt(admin, shown))
    for expected in ("经办人帐户回执单", username, password, "冯佳", "杭州甲科技有限公司", "授权人", "李敏"):
        assert expected in text, expected

    client = Client()
    assert login(client, username, password).status_code == 302


def test_grants_beyond_the_administrators_own_are_refused(personas, login_as):
    grants_set(user=personas.admin_a, item_codes=["Q01", "Q02", "H19"])
    admin = login_as(personas.admin_a)
    response = _create(admin, items=["Q01", "Q03"])
    assert response.status_code == 400
    assert "超出范围" in response.content.decode() and "Q03" in response.content.decode()
    response = _create(admin, items=["Q01", "H19"])
    assert response.status_code == 400 and "不能授予该类用户" in response.content.decode()
    assert not User.objects.filter(username__startswith="10000001-").exists()


def test_bad_operator_fields_are_named(personas, login_as):
    response = _create(
        login_as(personas.admin_a), display_name="", id_number="330106199005170110", phone="12"
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "姓名不能为空" in text and "公民身份号码第18位校验码" in text and "手机号码" in text
    assert "(&#x27;" not in text


def test_grant_change_is_immediate_and_audited(personas, login_as):
    operator = login_as(personas.operator_a)
    assert operator.get("/portal/items/Q02/").status_code == 200
    admin = login_as(personas.admin_a)
    response = admin.post(
        H19,
        {"action": "grants", "operator": personas.operator_a.pk, "items": ["Q01"]},
        REMOTE_ADDR="198.51.100.9",
    )
    assert response.status_code == 302
    assert operator.get("/portal/items/Q02/").status_code == 403
    assert operator.get("/portal/items/Q01/").status_code == 200
    event = AccountEvent.objects.get(user=personas.operator_a, kind="grants_changed")
    assert event.actor == personas.admin_a and event.ip == "198.51.100.9"
    assert "Q02" in event.detail["removed"]
    page = admin.get(H19, {"operator": personas.operator_a.pk}).content.decode()
    assert "变更事项权限" in page and "李敏" in page


def test_administrator_resets_and_disables_an_operator(personas, login_as):
    admin = login_as(personas.admin_a)
    response = admin.post(H19, {"action": "reset", "operator": personas.operator_a.pk})
    password = issued(response)["password"]
    # Another employer's administrator cannot print it, even with the password.
    assert print_receipt(login_as(personas.operator_b), issued(response)).status_code == 404
    assert login(Client(), "a_operator", PASSWORD).status_code == 401
    assert login(Client(), "a_operator", password).status_code == 302
    admin.post(H19, {"action": "disable", "operator": personas.operator_a.pk})
    assert "已被停用" in login(Client(), "a_operator", password).content.decode()


def test_another_employers_operator_is_404(personas, login_as):
    b_admin = login_as(personas.operator_b)  # b_operator is employer B's administrator
    target = personas.operator_a.pk
    assert b_admin.get(H19, {"operator": target}).status_code == 404
    for action in ("grants", "reset", "disable", "enable"):
        response = b_admin.post(H19, {"action": action, "operator": target, "items": ["Q01"]})
        assert response.status_code == 404, action
    assert b_admin.get(H19, {"operator": personas.admin_a.pk}).status_code == 404
    assert b_admin.get(H19, {"operator": "x"}).status_code == 404
    # A's operator list is not shown to B.
    assert "a_operator" not in b_admin.get(H19).content.decode()
    assert AccountEvent.objects.filter(user=personas.operator_a).exclude(kind="created").count() == 0


def test_shrinking_an_administrators_grants_clips_the_operators(personas, login_as):
    clerk = login_as(personas.clerk)
    clerk.post(f"/office/users/{personas.admin_a.pk}/", {"action": "grants", "items": ["Q01", "H19"]})
    assert sorted(personas.operator_a.grants.values_list("item_code", flat=True)) == ["Q01"]
    event = AccountEvent.objects.get(user=personas.operator_a, kind="grants_changed")
    assert event.detail["reason"] == "administrator_grants_reduced" and event.actor == personas.clerk


def test_services_refuse_a_non_administrator(personas):
    with pytest.raises(Exception, match="仅单位管理员"):
        services.operator_create(
            admin=personas.operator_a,
            display_name="冯佳",
            id_number=OPERATOR_ID_NUMBER,
            phone="13811112222",
            item_codes=["Q01"],
        )
