import pytest
from django.test import Client

from shebao.accounts.permissions import visible_items
from shebao.accounts.services import grants_set
from shebao.catalogue.items import ITEMS

pytestmark = pytest.mark.django_db

GUARDED = [item for item in ITEMS if not item.public]


def _url(item) -> str:
    return f"/portal/items/{item.url_code}/"


def _walk_refused(client) -> None:
    """Every guarded item URL, built or not yet built, refuses with the Chinese 403 page naming the item."""
    wrong = []
    for item in GUARDED:
        response = client.get(_url(item))
        text = response.content.decode()
        if response.status_code != 403 or "无权访问" not in text or str(item.name) not in text:
            wrong.append((item.code, response.status_code))
    assert wrong == []


def test_every_item_is_refused_to_an_operator_without_its_grant(personas, login_as):
    grants_set(user=personas.operator_a, item_codes=[])
    _walk_refused(login_as(personas.operator_a))


def test_every_item_is_refused_to_an_individual_without_its_grant(personas, login_as):
    grants_set(user=personas.individual, item_codes=[])
    _walk_refused(login_as(personas.individual))


def test_every_item_is_refused_to_staff_and_asks_visitors_to_log_in(personas, login_as):
    staff = login_as(personas.reviewer)
    anonymous = Client()
    for item in GUARDED:
        assert staff.get(_url(item)).status_code == 403, item.code
        response = anonymous.get(_url(item))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), item.code


def test_refusals_explain_why(personas, login_as):
    text = login_as(personas.individual).get("/portal/items/Q01/").content.decode()
    assert "是单位业务，个人用户不能办理" in text
    text = login_as(personas.operator_a).get("/portal/items/H19/").content.decode()
    assert "仅限单位管理员办理" in text
    grants_set(user=personas.operator_a, item_codes=["Q02"])
    text = login_as(personas.operator_a).get("/portal/items/Q01/").content.decode()
    assert "您没有办理「单位基本信息查询」(Q01) 的权限" in text


def test_menu_shows_only_granted_items(personas, login_as):
    grants_set(user=personas.operator_a, item_codes=["Q01", "Q02"])
    page = login_as(personas.operator_a).get("/portal/").content.decode()
    assert "单位基本信息查询" in page and "参保职工名单查询" in page
    assert "社保应付信息查询" not in page and "新参保人员登记" not in page
    assert [i.code for i in visible_items(personas.operator_a)] == ["Q01", "Q02", "Q20"]


def test_individual_sees_only_personal_items(personas, login_as):
    page = login_as(personas.individual).get("/portal/").content.decode()
    for name in ("个人养老帐户查询", "个人医疗帐户查询", "个人缴费明细查询", "参保证明打印"):
        assert name in page
    for name in ("单位基本信息查询", "新参保人员登记", "经办人授权", "批量导入"):
        assert name not in page
    assert {i.code for i in visible_items(personas.individual)} == {"Q07", "Q08", "Q09", "Q16", "Q20"}


def test_operators_do_not_get_the_administrator_item_by_default(personas):
    assert "H19" not in set(personas.operator_a.grants.values_list("item_code", flat=True))
    assert "H19" in set(personas.admin_a.grants.values_list("item_code", flat=True))
