import datetime as dt

import pytest

from shebao.core.errors import DomainError
from shebao.core.idnumbers import make_credit_code, make_org_code
from shebao.employers import services
from shebao.employers.models import Employer


def _register(org8: str, **extra):
    return services.employer_register(
        credit_code=make_credit_code("9", "1", "330106", org8),
        org_code=make_org_code(org8),
        name=f"测试单位{org8}",
        employer_type="enterprise",
        registered_on=dt.date(2026, 11, 27),
        **extra,
    )


@pytest.mark.django_db
def test_numbers_follow_the_highest_numeric_one():
    first = _register("10000001")
    second = _register("10000002")
    assert (first.number, second.number) == ("10000001", "10000002")
    Employer.objects.filter(pk=second.pk).update(number="10000500")
    assert _register("10000003").number == "10000501"


@pytest.mark.django_db
def test_a_number_taken_meanwhile_is_drawn_again(monkeypatch):
    taken = _register("10000001").number
    draws = iter([taken, "10000777"])  # the first draw collides as a concurrent counter's would
    monkeypatch.setattr(services, "_next_employer_number", lambda: next(draws))
    employer = _register("10000002")
    assert employer.number == "10000777"
    assert Employer.objects.count() == 2


@pytest.mark.django_db
def test_the_same_credit_code_registered_meanwhile_is_refused_in_chinese():
    _register("10000001")
    with pytest.raises(DomainError) as caught:
        _register("10000001")
    assert "刚刚由其他窗口登记" in caught.value.message
    assert Employer.objects.count() == 1


@pytest.mark.django_db
def test_endless_collisions_end_with_a_message(monkeypatch):
    taken = _register("10000001").number
    monkeypatch.setattr(services, "_next_employer_number", lambda: taken)
    with pytest.raises(DomainError) as caught:
        _register("10000002")
    assert "单位编号分配冲突" in caught.value.message
    assert Employer.objects.count() == 1
