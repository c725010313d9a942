import pytest
from django.urls import reverse

from shebao.persons.models import Coverage, Employment, person_copies

from .queryhelpers import OVERHEAD, frozen_now_fixture, table_rows, text_of  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]
URL = "/portal/me/"
ALL_FIVE = "养老（202401—）、医疗（202401—）、失业（202401—）、工伤（202401—）、生育（202401—）"


def test_profile_url_name():
    assert reverse("portal:profile") == URL


def test_individual_sees_own_record_employment_and_base(login_as, personas, django_assert_max_num_queries):
    client = login_as(personas.individual)
    with django_assert_max_num_queries(OVERHEAD + 4):
        response = client.get(URL)
    assert response.status_code == 200
    text = text_of(response)
    person = personas.person_1
    for shown in ("王小明", person.id_number, "男", "1990-05-17", "本市城镇", "13800000000", "杭州市西湖区"):
        assert shown in text, shown
    assert table_rows(response) == [["杭州甲科技有限公司", "202401", "—", "正常参保", "—", ALL_FIVE]]
    assert "当前缴费基数（202403 期）" in text
    assert "申报工资 3,000.00" in text
    assert "养老缴费基数 4,812.00" in text and "生育缴费基数 4,812.00" in text
    # Nobody else's record.
    for other in (personas.person_2, personas.person_3, personas.person_b1):
        assert other.name not in text and other.id_number not in text
    assert "杭州乙贸易有限公司" not in text


def test_past_employment_shows_period_status_reason_and_coverage(login_as, personas):
    past = Employment.objects.create(
        person=personas.person_1,
        employer=personas.employer_b,
        enrolment_type="01",
        start_period=202201,
        stop_period=202312,
        stop_reason="11",
        status="stopped",
        **person_copies(personas.person_1),
    )
    Coverage.objects.bulk_create(
        Coverage(
            employment=past,
            person=personas.person_1,
            employer=personas.employer_b,
            insurance=insurance,
            start_period=202201,
            stop_period=202312,
        )
        for insurance in ("medical", "pension")
    )
    response = login_as(personas.individual).get(URL)
    assert table_rows(response) == [
        ["杭州甲科技有限公司", "202401", "—", "正常参保", "—", ALL_FIVE],
        [
            "杭州乙贸易有限公司",
            "202201",
            "202312",
            "终止",
            "辞职",
            "养老（202201—202312）、医疗（202201—202312）",
        ],
    ]
    # The base shown is the one at the current employer (A), not B's.
    assert "养老缴费基数 4,812.00" in text_of(response)


def test_query_string_cannot_reach_another_person(login_as, personas):
    response = login_as(personas.individual).get(
        URL, {"id_number": personas.person_2.id_number, "person": personas.person_2.pk}
    )
    text = text_of(response)
    assert "王小明" in text and "陈丽" not in text and personas.person_2.id_number not in text


def test_only_individuals_may_open_it(client, login_as, personas):
    assert client.get(URL).status_code == 302
    for user in (
        personas.operator_a,
        personas.admin_a,
        personas.operator_b,
        personas.reviewer,
        personas.clerk,
    ):
        response = login_as(user).get(URL)
        assert response.status_code == 403, user.username
        assert "王小明" not in response.content.decode()


def test_home_links_the_profile_for_individuals_only(login_as, personas):
    assert URL in login_as(personas.individual).get(reverse("portal:home")).content.decode()
    assert URL not in login_as(personas.operator_a).get(reverse("portal:home")).content.decode()
