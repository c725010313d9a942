"""Identity probing over the API (issue 14 point 6): validating an item whose page looks a person up by ID
number (H01, H02) is a look-up too — recorded and limited per user and per employer like the pages'."""

import pytest

from shebao.accounts.models import ApiCall, IdentityLookup
from shebao.declarations.tests.conftest import NEW_ID, h01_raw

pytestmark = pytest.mark.django_db


def test_validate_is_recorded_as_a_lookup_and_refused_over_the_limit(api_a, personas, settings):
    settings.SHEBAO_IDENTITY_LOOKUPS_PER_USER = 2
    settings.SHEBAO_IDENTITY_LOOKUPS_PER_EMPLOYER = 100
    for _ in range(2):
        assert api_a.post("/handling/H01/validate", h01_raw()).status_code == 200
    refused = api_a.post("/handling/H01/validate", h01_raw())
    assert refused.status_code == 429 and refused.json()["code"] == "lookup_limited"
    assert "次数已达上限" in refused.json()["message"] and "checks" not in refused.json()
    rows = list(
        IdentityLookup.objects.order_by("id").values_list("user_id", "item_code", "id_number", "refused")
    )
    assert rows == [(personas.admin_a.pk, "H01", NEW_ID, False)] * 2 + [
        (personas.admin_a.pk, "H01", NEW_ID, True)
    ]
    assert ApiCall.objects.filter(outcome="lookup_limited", status=429).count() == 1


def test_the_page_and_the_api_share_one_allowance(api_a, personas, settings, login_as):
    settings.SHEBAO_IDENTITY_LOOKUPS_PER_USER = 1
    settings.SHEBAO_IDENTITY_LOOKUPS_PER_EMPLOYER = 100
    page = login_as(personas.admin_a).post(
        "/portal/items/H02/", {"id_number": personas.person_1.id_number, "action": "lookup"}
    )
    assert "次数已达上限" not in page.content.decode()
    assert api_a.post("/handling/H01/validate", h01_raw()).status_code == 429


def test_items_without_a_lookup_and_bodies_without_a_number_are_not_recorded(api_a, settings):
    settings.SHEBAO_IDENTITY_LOOKUPS_PER_USER = 0
    assert api_a.post("/handling/H01/validate", h01_raw(id_number="")).status_code == 200
    assert api_a.post("/handling/H01/drafts", h01_raw()).status_code == 201
    assert not IdentityLookup.objects.exists()
