"""Tokens: made by the services (scoped, expiring, hashed), refused with a distinct 401 when missing, unknown,
expired, revoked or their user disabled; every call recorded; calls per token limited (429 + Retry-After)."""

import datetime as dt

import pytest
from django.utils import timezone

from shebao.accounts.models import AccountEvent, ApiCall, ApiToken
from shebao.accounts.services import api_token_digest, api_token_revoke, user_disable
from shebao.core.errors import FieldErrors

from .conftest import TODAY, Api, employer_token, staff_token

pytestmark = pytest.mark.django_db


def test_token_is_stored_hashed_and_scoped_to_the_admins_items(personas):
    token, secret = employer_token(personas.admin_a, items=["Q02", "H01", "PROGRESS"])
    assert secret.startswith("sbk_") and len(secret) > 40
    assert token.digest == api_token_digest(secret) and secret not in token.digest
    assert not ApiToken.objects.filter(digest=secret).exists()
    assert not ApiToken.objects.filter(prefix=secret).exists() and secret.startswith(token.prefix)
    assert token.items == ["H01", "PROGRESS", "Q02"] or sorted(token.items) == ["H01", "PROGRESS", "Q02"]
    assert token.user == personas.admin_a and token.employer == personas.employer_a
    assert AccountEvent.objects.filter(user=personas.admin_a, kind="api_token_created").count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"items": ["H19"]}, "items"),  # operator authorisation stays the administrator's page
        ({"items": []}, "items"),
        ({"items": ["Q99"]}, "items"),
        ({"name": ""}, "name"),
        ({"name": "x" * 61}, "name"),
        ({"days": 0}, "expires_on"),
        ({"days": 367}, "expires_on"),
    ],
)
def test_token_creation_refuses_bad_fields(personas, changes, field):
    from shebao.accounts.services import api_token_create_employer

    with pytest.raises(FieldErrors) as raised:
        api_token_create_employer(
            admin=personas.admin_a,
            name=changes.get("name", "薪酬"),
            item_codes=changes.get("items", ["Q01"]),
            expires_on=TODAY + dt.timedelta(days=changes.get("days", 30)),
            today=TODAY,
        )
    assert field in raised.value.errors
    assert not ApiToken.objects.exists()


def test_only_an_administrator_makes_employer_tokens_and_only_a_system_administrator_staff_tokens(personas):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        employer_token(personas.operator_a)
    with pytest.raises(PermissionDenied):
        staff_token(personas.reviewer, personas.reviewer, ["is_reviewer"])
    with pytest.raises(FieldErrors) as raised:  # a role the member does not hold
        staff_token(personas.office_admin, personas.clerk, ["is_reviewer"])
    assert "roles" in raised.value.errors


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (None, "token_missing"),
        ({"Authorization": "Bearer sbk_nonsense"}, "token_invalid"),
        ({"Authorization": "Bearer "}, "token_missing"),
        ({"Authorization": "Basic YTpi"}, "token_invalid"),
        ({"Authorization": "Bearer " + "x" * 5000}, "token_invalid"),
    ],
)
def test_missing_or_unknown_token_is_401(personas, header, code):
    api = Api(None)
    response = api.get("/queries/Q01", headers=header)
    assert response.status_code == 401
    assert response.json()["code"] == code and response.json()["message"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_expired_revoked_and_disabled_tokens_are_401_with_the_reason(personas):
    token, secret = employer_token(personas.admin_a)
    api = Api(secret)
    assert api.get("/queries/Q01").status_code == 200

    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert api.get("/queries/Q01").json()["code"] == "token_expired"

    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + dt.timedelta(days=1))
    assert api.get("/queries/Q01").status_code == 200
    api_token_revoke(token=token, actor=personas.admin_a)
    response = api.get("/queries/Q01")
    assert (response.status_code, response.json()["code"]) == (401, "token_revoked")
    assert AccountEvent.objects.filter(kind="api_token_revoked").count() == 1

    other, other_secret = employer_token(personas.operator_b)
    user_disable(user=personas.operator_b, actor=personas.office_admin)
    response = Api(other_secret).get("/queries/Q01")
    assert (response.status_code, response.json()["code"]) == (401, "token_user_disabled")


def test_tokens_expire_at_the_end_of_the_chosen_day(personas):
    token, _secret = employer_token(personas.admin_a, days=1)
    local = timezone.localtime(token.expires_at)
    assert (local.date(), local.time()) == (TODAY + dt.timedelta(days=2), dt.time.min)


def test_only_the_employers_administrator_revokes_its_tokens(personas):
    from django.core.exceptions import PermissionDenied

    token, _secret = employer_token(personas.admin_a)
    with pytest.raises(PermissionDenied):
        api_token_revoke(token=token, actor=personas.operator_b)
    with pytest.raises(PermissionDenied):
        api_token_revoke(token=token, actor=personas.operator_a)
    staff, _ = staff_token(personas.office_admin, personas.reviewer, ["is_reviewer"])
    with pytest.raises(PermissionDenied):
        api_token_revoke(token=staff, actor=personas.admin_a)
    api_token_revoke(token=staff, actor=personas.office_admin)


def test_every_call_is_recorded_with_token_item_object_outcome_and_address(personas, api_a):
    from shebao.declarations.tests.conftest import h01_raw

    ApiCall.objects.all().delete()
    created = api_a.post("/handling/H01/declarations", h01_raw())
    number = created.json()["number"]
    api_a.get("/queries/Q02")
    api_a.get("/declarations/SB000")
    Api(None).get("/queries/Q02")
    calls = list(ApiCall.objects.order_by("id"))
    assert [(c.method, c.item_code, c.object_ref, c.status, c.outcome) for c in calls] == [
        ("POST", "H01", number, 201, "ok"),
        ("GET", "Q02", "", 200, "ok"),
        ("GET", "PROGRESS", "", 404, "not_found"),
        ("GET", "", "", 401, "token_missing"),
    ]
    assert all(c.ip == "127.0.0.1" for c in calls)
    assert calls[0].token.user == personas.admin_a and calls[3].token is None
    # The documentation is not a call.
    api_a.get("/openapi.json")
    assert ApiCall.objects.count() == 4


def test_rate_limit_per_token_answers_429_with_retry_after(personas, settings):
    settings.SHEBAO_API_RATE = "3/min"
    first, second = Api(employer_token(personas.admin_a)[1]), Api(employer_token(personas.admin_a)[1])
    assert [first.get("/queries/Q01").status_code for _ in range(3)] == [200, 200, 200]
    refused = first.get("/queries/Q01")
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert second.get("/queries/Q01").status_code == 200  # counted per token
    assert ApiCall.objects.filter(status=429, outcome="rate_limited").count() == 1
