"""Office administrators edit the policy parameters in the admin; nobody else can."""

from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry

from shebao.parameters.models import InsuranceRate
from shebao.parameters.selectors import rates_for

pytestmark = pytest.mark.django_db


def test_office_admin_adds_a_rate_that_then_applies(personas, login_as):
    client = login_as(personas.office_admin)
    index = client.get("/office/admin/")
    assert index.status_code == 200
    assert "缴费比例" in index.content.decode() and "政策参数维护" in index.content.decode()
    listing = client.get("/office/admin/parameters/insurancerate/")
    assert listing.status_code == 200
    response = client.post(
        "/office/admin/parameters/insurancerate/add/",
        {
            "insurance": "pension",
            "employer_type": "",
            "effective_from": "202701",
            "employer_rate": "0.15",
            "individual_rate": "0.08",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    employer = personas.employer_a
    assert rates_for(employer=employer, insurance="pension", period=202612)[0] == Decimal("0.16")
    assert rates_for(employer=employer, insurance="pension", period=202701)[0] == Decimal("0.15")
    entry = LogEntry.objects.get()
    assert entry.user_id == personas.office_admin.pk


def test_invalid_parameter_is_refused_and_nothing_written(personas, login_as):
    client = login_as(personas.office_admin)
    before = InsuranceRate.objects.count()
    response = client.post(
        "/office/admin/parameters/insurancerate/add/",
        {
            "insurance": "pension",
            "employer_type": "",
            "effective_from": "202713",
            "employer_rate": "1.5",
            "individual_rate": "0.08",
        },
    )
    assert response.status_code == 200
    assert InsuranceRate.objects.count() == before


@pytest.mark.parametrize("who", ["reviewer", "clerk", "operator_a", "individual"])
def test_others_cannot_open_the_parameter_editor(personas, login_as, who):
    client = login_as(getattr(personas, who))
    response = client.get("/office/admin/parameters/insurancerate/")
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "/login/" in response["Location"]
    assert client.post(
        "/office/admin/parameters/insurancerate/add/",
        {
            "insurance": "pension",
            "effective_from": "202701",
            "employer_rate": "0.1",
            "individual_rate": "0.08",
        },
    ).status_code in (302, 403)
    assert not InsuranceRate.objects.filter(effective_from=202701).exists()
