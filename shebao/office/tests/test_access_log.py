"""The personal-data access log: every staff read path writes one row (pages, sections, the employer's pages seen
as the employer, exports, prints), employer exports too; searched by person, staff user and date; shown to the
person at /portal/me/ by role and time only; purged after the retention period."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from shebao.audit.models import PersonalDataAccess
from shebao.audit.services import access_log_purge


def rows():
    return list(PersonalDataAccess.objects.order_by("id"))


def test_staff_sees_an_employers_query_page_through_the_portal_view(personas, login_as):
    clerk = login_as(personas.clerk)
    assert clerk.get(reverse("portal:item", args=["Q02"])).status_code == 403  # not acting yet
    response = clerk.get(reverse("office:employer_as", args=[personas.employer_a.pk, "Q02"]))
    assert response.status_code == 302 and response["Location"] == reverse("portal:item", args=["Q02"])
    page = clerk.get(response["Location"]).content.decode()
    assert "工作人员只读查看" in page and personas.employer_a.name in page
    assert all(name in page for name in ("王小明", "陈丽", "赵强")) and "孙悦" not in page
    row = rows()[-1]
    assert (row.acting, row.employer_id, row.what, row.person_count, row.action) == (
        True,
        personas.employer_a.pk,
        "Q02 参保职工名单查询",
        3,
        "view",
    )
    # Read-only: a POST is refused, a handling item is refused, and the employer's own users are unaffected.
    assert clerk.post(reverse("portal:item", args=["Q02"])).status_code == 403
    assert clerk.get(reverse("portal:item", args=["H01"])).status_code == 403
    assert "孙悦" in login_as(personas.operator_b).get(reverse("portal:item", args=["Q02"])).content.decode()


def test_acting_flag_belongs_to_the_staff_user_who_set_it(personas, login_as, client):
    clerk = login_as(personas.clerk)
    clerk.get(reverse("office:employer_as", args=[personas.employer_a.pk, "Q01"]))
    # The same session cookie used by another user (after a re-login) does not carry the flag over.
    clerk.force_login(personas.reviewer)
    assert clerk.get(reverse("portal:item", args=["Q01"])).status_code == 403
    clerk.force_login(personas.clerk)
    clerk.get(reverse("office:acting_end"))
    assert clerk.get(reverse("portal:item", args=["Q01"])).status_code == 403


def test_acting_export_print_and_personal_query_are_logged(personas, login_as):
    clerk = login_as(personas.clerk)
    clerk.get(reverse("office:employer_as", args=[personas.employer_a.pk, "Q02"]))
    export = clerk.get(reverse("portal:item", args=["Q02"]), {"export": "csv"})
    assert export.status_code == 200
    assert "王小明" in b"".join(export.streaming_content).decode("utf-8-sig")
    printed = clerk.get(reverse("portal:item", args=["Q02"]), {"print": "1"})
    assert printed.status_code == 200
    q09 = clerk.get(reverse("portal:item", args=["Q09"]), {"id_number": personas.person_2.id_number})
    assert q09.status_code == 200
    assert [(r.action, r.person_count, r.acting) for r in rows()] == [
        ("view", 0, False),  # the employer's record page that opened the employer's view
        ("export", 3, True),
        ("print", 3, True),
        ("view", 1, True),
    ]
    assert rows()[-1].person_id == personas.person_2.pk
    # Another employer's employee stays 'not found' to a staff user acting as employer A.
    other = clerk.get(reverse("portal:item", args=["Q09"]), {"id_number": personas.person_b1.id_number})
    assert "孙悦" not in other.content.decode()


def test_employer_exports_are_logged_but_not_their_page_views(personas, login_as):
    operator = login_as(personas.admin_a)
    operator.get(reverse("portal:item", args=["Q02"]))
    assert rows() == []
    response = operator.get(reverse("portal:item", args=["Q02"]), {"export": "xlsx"})
    assert response.status_code == 200
    (row,) = rows()
    assert (row.user_kind, row.action, row.person_count, row.employer_id) == (
        "employer",
        "export",
        3,
        personas.employer_a.pk,
    )


def test_refused_and_missing_reads_are_not_logged(personas, login_as, staff):
    settlement = login_as(staff("is_settlement"))
    assert settlement.get(reverse("office:person", args=[personas.person_1.pk])).status_code == 403
    assert login_as(personas.clerk).get(reverse("office:person", args=[999999])).status_code == 404
    assert rows() == []


def test_the_person_sees_which_roles_looked_and_when_not_who(personas, login_as):
    login_as(personas.clerk).get(reverse("office:person", args=[personas.person_1.pk]))
    login_as(personas.reviewer).get(
        reverse("office:person_section", args=[personas.person_1.pk, "contributions"])
    )
    login_as(personas.clerk).get(reverse("office:person", args=[personas.person_2.pk]))  # someone else
    page = login_as(personas.individual).get(reverse("portal:profile")).content.decode()
    assert page.count("窗口受理人员") == 1 and page.count("审核人员") == 1
    assert "clerk" not in page and "审核员甲" not in page and "窗口受理员" not in page


def test_access_log_search_by_person_user_and_date(personas, login_as, staff):
    login_as(personas.clerk).get(reverse("office:person", args=[personas.person_1.pk]))
    login_as(personas.reviewer).get(reverse("office:person", args=[personas.person_2.pk]))
    auditor = login_as(staff("is_auditor"))
    url = reverse("office:access_log")
    page = auditor.get(url, {"person": personas.person_1.id_number}).content.decode()
    assert "王小明" in page and "陈丽" not in page
    page = auditor.get(url, {"user": "reviewer"}).content.decode()
    assert "陈丽" in page and "王小明" not in page
    today = timezone.localdate()
    page = auditor.get(url, {"from": today.isoformat(), "to": today.isoformat()}).content.decode()
    assert "陈丽" in page and "王小明" in page
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert "没有访问记录" in auditor.get(url, {"from": tomorrow}).content.decode()
    assert "没有该身份证号" in auditor.get(url, {"person": "110105194912310029"}).content.decode()
    assert auditor.get(url, {"from": "2026-13-45", "person": "x" * 10_000}).status_code == 200
    for far in (
        "9999-12-31",
        "0001-01-01",
    ):  # found by the hostile sweep: the day after 9999-12-31 overflowed
        response = auditor.get(url, {"from": far, "to": far})
        assert response.status_code == 200 and "截止日期" in response.content.decode()
    assert auditor.get(url, {"user": "clerk\x00", "person": "1101\x0005"}).status_code == 400  # the edge


def test_retention_purges_old_rows_only(personas, login_as, settings):
    login_as(personas.clerk).get(reverse("office:person", args=[personas.person_1.pk]))
    login_as(personas.clerk).get(reverse("office:person", args=[personas.person_2.pk]))
    old = PersonalDataAccess.objects.order_by("id").first()
    PersonalDataAccess.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=31))
    assert access_log_purge(now=timezone.now(), retention_days=30) == 1
    assert PersonalDataAccess.objects.count() == 1
    settings.SHEBAO_ACCESS_LOG_RETENTION_DAYS = 1
    PersonalDataAccess.objects.update(at=timezone.now() - dt.timedelta(days=2))
    call_command("accesslog_purge")
    assert PersonalDataAccess.objects.count() == 0
    with pytest.raises(ValueError):
        access_log_purge(now=timezone.now(), retention_days=0)


def test_review_page_and_user_detail_are_logged_against_the_person(personas, login_as):
    from shebao.declarations.models import Declaration, State
    from shebao.declarations.services import next_number

    declaration = Declaration.objects.create(
        number=next_number(),
        employer=personas.employer_a,
        item_code="H09",
        state=State.SUBMITTED,
        data={},
        subject_id_number=personas.person_3.id_number,
        subject_name="赵强",
    )
    assert (
        login_as(personas.reviewer)
        .get(reverse("office:review_detail", args=[declaration.number]))
        .status_code
        == 200
    )
    row = rows()[-1]
    assert (row.person_id, row.employer_id, row.what) == (
        personas.person_3.pk,
        personas.employer_a.pk,
        f"申报审核 {declaration.number}",
    )
    assert (
        login_as(personas.clerk).get(reverse("office:user", args=[personas.individual.pk])).status_code == 200
    )
    assert rows()[-1].person_id == personas.person_1.pk


def test_api_reads_by_a_staff_token_are_logged(personas, rf):
    """The API authenticates per endpoint with a bearer token (request.api_token) instead of the session; a
    staff token's read of a person's data is logged like a page, with the action 接口读取."""
    from types import SimpleNamespace

    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    from shebao.audit.middleware import PersonalDataAccessMiddleware
    from shebao.core.access_notes import note_person

    def endpoint(request):
        request.api_token = SimpleNamespace(user=personas.clerk)
        note_person(personas.person_1.pk, what="GET /api/v1/persons/{id}")
        return HttpResponse("{}", content_type="application/json")

    request = rf.get("/api/v1/persons/1", REMOTE_ADDR="10.1.2.3")
    request.user = AnonymousUser()
    PersonalDataAccessMiddleware(endpoint)(request)
    (row,) = rows()
    assert (row.username, row.action, row.person_id, row.ip, row.roles) == (
        "clerk",
        "api",
        personas.person_1.pk,
        "10.1.2.3",
        "is_clerk",
    )
