"""Identity probing (issue 14 point 6): looking a person up by ID number from an item form is recorded and
limited per user and per employer."""

import pytest
from django.test import Client

from shebao.accounts.models import IdentityLookup

pytestmark = pytest.mark.django_db

H01_URL = "/portal/items/H01/"
H02_URL = "/portal/items/H02/"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_each_lookup_is_recorded_and_the_limit_per_user_refuses_without_answering(personas, settings):
    settings.SHEBAO_IDENTITY_LOOKUPS_PER_USER = 3
    settings.SHEBAO_IDENTITY_LOOKUPS_PER_EMPLOYER = 100
    operator = _client(personas.operator_a)
    known = personas.person_1.id_number
    for _ in range(3):
        page = operator.post(H02_URL, {"id_number": known, "action": "lookup"}, REMOTE_ADDR="198.51.100.3")
        assert "次数已达上限" not in page.content.decode()  # answered (the record says they are insured here)
    refused = operator.post(H02_URL, {"id_number": known, "action": "lookup"}).content.decode()
    assert "查询人员信息的次数已达上限" in refused and "王小明" not in refused
    # H01's pre-fill by address (the redirect target of a known person) is limited the same way.
    via_get = operator.get(
        H01_URL, {"id_number": personas.person_b1.id_number, "lookup": "1"}
    ).content.decode()
    assert "次数已达上限" in via_get and "孙悦" not in via_get
    rows = list(
        IdentityLookup.objects.order_by("id").values_list("user_id", "item_code", "id_number", "refused")
    )
    assert rows == [(personas.operator_a.pk, "H02", known, False)] * 3 + [
        (personas.operator_a.pk, "H02", known, True),
        (personas.operator_a.pk, "H01", personas.person_b1.id_number, True),
    ]
    assert IdentityLookup.objects.first().ip == "198.51.100.3"
    # Another user of the same employer still has their own allowance.
    admin = _client(personas.admin_a)
    assert (
        "次数已达上限" not in admin.post(H02_URL, {"id_number": known, "action": "lookup"}).content.decode()
    )


def test_the_limit_per_employer_counts_all_its_users(personas, settings):
    settings.SHEBAO_IDENTITY_LOOKUPS_PER_USER = 100
    settings.SHEBAO_IDENTITY_LOOKUPS_PER_EMPLOYER = 2
    known = personas.person_1.id_number
    _client(personas.operator_a).post(H02_URL, {"id_number": known, "action": "lookup"})
    _client(personas.admin_a).post(H02_URL, {"id_number": known, "action": "lookup"})
    third = _client(personas.admin_a).post(H02_URL, {"id_number": known, "action": "lookup"}).content.decode()
    assert "次数已达上限" in third
    # Employer B is not affected by employer A's look-ups.
    other = (
        _client(personas.operator_b).post(H02_URL, {"id_number": known, "action": "lookup"}).content.decode()
    )
    assert "次数已达上限" not in other
    assert IdentityLookup.objects.filter(employer=personas.employer_a, refused=False).count() == 2
