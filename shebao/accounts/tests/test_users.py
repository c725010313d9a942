import pytest
from django.test import Client
from django.urls import reverse

from shebao.accounts import services
from shebao.accounts.models import AccountEvent, User
from shebao.testing import PASSWORD

from .conftest import issued, logged_in, login, pdf_text, print_receipt

pytestmark = pytest.mark.django_db


def _detail(pk):
    return reverse("office:user", args=[pk])


def test_users_page_is_for_clerks_and_office_admins(personas, login_as):
    assert login_as(personas.reviewer).get(reverse("office:users")).status_code == 403
    assert login_as(personas.admin_a).get(reverse("office:users")).status_code == 403
    assert login_as(personas.clerk).get(reverse("office:users")).status_code == 200


def test_search_by_name_code_and_status(personas, login_as):
    client = login_as(personas.clerk)
    page = client.get(reverse("office:users"), {"q": "杭州甲"}).content.decode()
    assert "a_admin" in page and "a_operator" in page and "b_operator" not in page
    page = client.get(reverse("office:users"), {"q": personas.employer_b.credit_code}).content.decode()
    assert "b_operator" in page and "a_admin" not in page
    page = client.get(reverse("office:users"), {"q": personas.person_1.id_number}).content.decode()
    assert personas.individual.username in page
    # Clerks do not see staff accounts; office administrators do.
    assert "office_admin" not in client.get(reverse("office:users")).content.decode()
    assert "office_admin" in login_as(personas.office_admin).get(reverse("office:users")).content.decode()
    services.user_disable(user=personas.operator_a, actor=personas.clerk)
    page = client.get(reverse("office:users"), {"status": "disabled"}).content.decode()
    assert "a_operator" in page and "a_admin" not in page


def test_search_page_makes_a_fixed_number_of_queries(personas, login_as, django_assert_max_num_queries):
    client = login_as(personas.office_admin)
    client.get(reverse("office:users"))
    with django_assert_max_num_queries(8):
        assert client.get(reverse("office:users")).status_code == 200


def test_reset_password_gives_receipt_unlocks_and_forces_change(personas, login_as):
    target = personas.operator_a
    for _ in range(5):
        login(Client(), "a_operator", "Wrong1234")
    assert User.objects.get(pk=target.pk).locked_until is not None
    clerk = login_as(personas.clerk)
    response = clerk.post(_detail(target.pk), {"action": "reset"}, REMOTE_ADDR="10.2.2.2")
    shown = issued(response)
    password = shown["password"]
    text = pdf_text(print_receipt(clerk, shown))
    for expected in (
        "密码重置回执单",
        "a_operator",
        password,
        "临时密码",
        "杭州甲科技有限公司",
        "窗口受理员",
        "登录方法",
    ):
        assert expected in text, expected

    user = User.objects.get(pk=target.pk)
    assert user.must_change_password and user.locked_until is None and user.failed_logins == 0
    event = AccountEvent.objects.get(user=user, kind="password_reset")
    assert event.actor == personas.clerk and event.ip == "10.2.2.2"
    client = Client()
    response = login(client, "a_operator", password)
    assert response["Location"].startswith(reverse("accounts:password_change"))
    assert login(Client(), "a_operator", PASSWORD).status_code == 401  # the old password is gone


def test_disable_enable_unlock_and_the_event_list(personas, login_as):
    target = personas.operator_b
    clerk = login_as(personas.clerk)
    clerk.post(_detail(target.pk), {"action": "disable"})
    assert not User.objects.get(pk=target.pk).is_active
    assert "已被停用" in login(Client(), "b_operator", PASSWORD).content.decode()
    clerk.post(_detail(target.pk), {"action": "enable"})
    for _ in range(5):
        login(Client(), "b_operator", "Wrong1234")
    clerk.post(_detail(target.pk), {"action": "unlock"})
    client = Client()
    assert login(client, "b_operator", PASSWORD).status_code == 302 and logged_in(client)

    page = clerk.get(_detail(target.pk)).content.decode()
    for label in ("开通帐户", "停用帐户", "启用帐户", "登录失败", "帐户锁定", "解除锁定", "登录成功"):
        assert label in page, label
    assert "窗口受理员（clerk）" in page
    assert "127.0.0.1" in page


def test_change_grants_takes_effect_at_once(personas, login_as):
    target = personas.operator_a
    operator = login_as(target)
    assert operator.get("/portal/items/Q01/").status_code == 200
    clerk = login_as(personas.clerk)
    response = clerk.post(_detail(target.pk), {"action": "grants", "items": ["Q02", "PROGRESS"]})
    assert response.status_code == 302
    assert sorted(target.grants.values_list("item_code", flat=True)) == ["PROGRESS", "Q02"]
    refused = operator.get("/portal/items/Q01/")
    assert refused.status_code == 403 and "单位基本信息查询" in refused.content.decode()
    event = AccountEvent.objects.get(user=target, kind="grants_changed")
    assert event.detail["added"] == [] and "Q01" in event.detail["removed"] and event.actor == personas.clerk


def test_grants_outside_the_kind_are_refused(personas, login_as):
    clerk = login_as(personas.clerk)
    response = clerk.post(_detail(personas.individual.pk), {"action": "grants", "items": ["Q01", "Q07"]})
    assert response.status_code == 400
    assert "不能授予该类用户" in response.content.decode()


def test_clerk_cannot_manage_staff_but_office_admin_can(personas, login_as):
    clerk = login_as(personas.clerk)
    assert clerk.get(_detail(personas.office_admin.pk)).status_code == 404
    assert clerk.post(_detail(personas.office_admin.pk), {"action": "reset"}).status_code == 404
    admin = login_as(personas.office_admin)
    response = admin.post(
        _detail(personas.reviewer.pk), {"action": "roles", "roles": ["is_reviewer", "is_clerk"]}
    )
    assert response.status_code == 302
    reviewer = User.objects.get(pk=personas.reviewer.pk)
    assert reviewer.is_reviewer and reviewer.is_clerk
    assert AccountEvent.objects.filter(user=reviewer, kind="roles_changed").exists()
    own = admin.post(_detail(personas.office_admin.pk), {"action": "roles", "roles": ["is_clerk"]})
    assert own.status_code == 400 and "不能取消自己的系统管理员角色" in own.content.decode()


def test_office_admin_opens_a_staff_account_with_several_roles(personas, login_as):
    admin = login_as(personas.office_admin)
    response = admin.post(
        reverse("office:staff_new"),
        {"username": "reviewer2", "display_name": "审核员乙", "roles": ["is_reviewer", "is_clerk"]},
    )
    assert issued(response)["username"] == "reviewer2"
    user = User.objects.get(username="reviewer2")
    assert user.is_reviewer and user.is_clerk and not user.is_office_admin and user.must_change_password
    assert login_as(personas.clerk).get(reverse("office:staff_new")).status_code == 403
