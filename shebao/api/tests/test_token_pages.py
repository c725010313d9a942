"""The token pages: the employer administrator's (beside H19) and the system administrator's (office). A token
is shown once, works at once over the API, and stops working when revoked."""

import re

import pytest

from shebao.accounts.models import ApiToken

from .conftest import Api

pytestmark = pytest.mark.django_db

PAGE = "/portal/api-tokens/"


def _secret(response) -> str:
    return re.search(r'data-testid="issued-token">(sbk_[^<]+)<', response.content.decode()).group(1)


def test_employer_admin_creates_scopes_sees_once_and_revokes(personas, login_as):
    admin = login_as(personas.admin_a)
    assert "接口令牌" in admin.get("/portal/items/H19/").content.decode()
    page = admin.get(PAGE)
    assert page.status_code == 200 and 'value="H01"' in page.content.decode()
    created = admin.post(
        PAGE,
        {"action": "create", "name": "薪酬系统", "expires_on": "2027-01-31", "items": ["Q02", "PROGRESS"]},
    )
    assert created.status_code == 200
    secret = _secret(created)
    token = ApiToken.objects.get()
    assert (token.name, sorted(token.items), token.employer) == (
        "薪酬系统",
        ["PROGRESS", "Q02"],
        personas.employer_a,
    )
    # Shown once: the list shows only the prefix.
    listing = admin.get(PAGE).content.decode()
    assert secret not in listing and token.prefix in listing

    api = Api(secret)
    assert api.get("/queries/Q02").status_code == 200
    assert api.get("/queries/Q03").status_code == 403
    calls = admin.get(PAGE, {"calls": token.pk}).content.decode()
    assert "GET /api/v1/queries/Q02" in calls and "403 not_in_scope" in calls

    revoked = admin.post(PAGE, {"action": "revoke", "token": token.pk})
    assert revoked.status_code == 302
    assert api.get("/queries/Q02").json()["code"] == "token_revoked"


def test_employer_page_refuses_bad_fields_and_other_employers_tokens(personas, login_as):
    admin = login_as(personas.admin_a)
    bad = admin.post(PAGE, {"action": "create", "name": "", "expires_on": "2020-01-01", "items": ["H19"]})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "请填写令牌名称" in text and "有效期须晚于今天" in text and "超出范围" in text
    assert not ApiToken.objects.exists()
    login_as(personas.operator_b).post(
        PAGE, {"action": "create", "name": "乙", "expires_on": "2027-01-31", "items": ["Q01"]}
    )
    theirs = ApiToken.objects.get(employer=personas.employer_b)
    assert admin.post(PAGE, {"action": "revoke", "token": theirs.pk}).status_code == 404
    assert admin.get(PAGE, {"calls": theirs.pk}).status_code == 404
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None


def test_only_administrators_reach_the_pages(personas, login_as):
    assert login_as(personas.operator_a).get(PAGE).status_code == 403
    assert login_as(personas.individual).get(PAGE).status_code == 403
    assert login_as(personas.reviewer).get("/office/api-tokens/").status_code == 403


def test_office_admin_issues_a_staff_token_for_a_reviewer(personas, login_as):
    office = login_as(personas.office_admin)
    assert "接口令牌" in office.get("/office/").content.decode()
    bad = office.post(
        "/office/api-tokens/",
        {
            "action": "create",
            "name": "x",
            "user": personas.clerk.pk,
            "roles": ["is_reviewer"],
            "expires_on": "2027-01-31",
        },
    )
    assert bad.status_code == 400 and "本人拥有的角色" in bad.content.decode()
    created = office.post(
        "/office/api-tokens/",
        {
            "action": "create",
            "name": "审核平台",
            "user": personas.reviewer.pk,
            "roles": ["is_reviewer"],
            "expires_on": "2027-01-31",
        },
    )
    secret = _secret(created)
    api = Api(secret)
    assert api.get("/office/declarations").status_code == 200
    token = ApiToken.objects.get(kind="staff")
    office.post("/office/api-tokens/", {"action": "revoke", "token": token.pk})
    assert api.get("/office/declarations").status_code == 401


def test_office_page_refuses_a_staff_member_that_is_not_a_plain_number(personas, login_as):
    """「²」 passed str.isdigit() and reached the query as an id (a 500, found by the hostile sweep)."""
    office = login_as(personas.office_admin)
    for user in ("²", "-1", "9" * 30):
        page = office.post(
            "/office/api-tokens/",
            {
                "action": "create",
                "name": "x",
                "user": user,
                "roles": ["is_reviewer"],
                "expires_on": "2027-01-31",
            },
        )
        assert page.status_code == 400 and "请选择工作人员" in page.content.decode(), user
