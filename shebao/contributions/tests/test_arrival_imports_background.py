"""Large arrival files go to the background worker (issue 14 point 8): the request only keeps the file and
queues it; the worker imports it all or nothing, and the page shows the result or the rows' errors."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shebao.contributions.models import Arrival, ArrivalImport
from shebao.contributions.services import arrivals_import_execute

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _file(rows: list[str]) -> SimpleUploadedFile:
    text = "单位编号或统一社会信用代码,到账日期,金额,银行流水号\n" + "\n".join(rows) + "\n"
    return SimpleUploadedFile("bank.csv", text.encode(), content_type="text/csv")


def _rows(n: int, bad_line: int | None = None) -> list[str]:
    return [
        f"10000001,{'9999-12-31' if i == bad_line else '2024-03-20'},100.00,R{i:05d}" for i in range(1, n + 1)
    ]


@pytest.fixture
def admin(personas, login_as, settings):
    settings.SHEBAO_IMPORT_BACKGROUND_ROWS = 5
    return login_as(personas.office_admin)


def test_a_large_file_is_only_queued_in_the_request_then_imported_by_the_worker(admin):
    response = admin.post(reverse("office:arrivals"), {"action": "import", "file": _file(_rows(6))})
    assert response.status_code == 302
    job = ArrivalImport.objects.get()
    assert job.status == "pending" and job.rows == 7 and not Arrival.objects.exists()  # nothing imported yet
    assert "已交后台导入" in admin.get(reverse("office:arrivals")).content.decode()
    job = arrivals_import_execute(job=job)  # what `shebao worker` runs
    assert job.status == "done" and job.created == 6 and Arrival.objects.count() == 6
    assert bytes(job.content) == b""  # the file is not kept once imported
    page = admin.get(reverse("office:arrivals")).content.decode()
    assert "已导入 6 笔" in page


def test_a_large_bad_file_is_refused_by_the_worker_with_its_rows_named(
    admin, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("office:arrivals"), {"action": "import", "file": _file(_rows(7, bad_line=4))})
    job = ArrivalImport.objects.get()
    assert job.status == "failed" and not Arrival.objects.exists()
    assert job.errors == ["第 5 行：到账日期 9999-12-31 不能晚于 " + job.errors[0].split("不能晚于 ")[1]]
    page = admin.get(reverse("office:arrivals")).content.decode()
    assert "第 5 行：到账日期 9999-12-31" in page and "未导入" in page


def test_a_small_file_is_still_imported_at_once(admin):
    response = admin.post(reverse("office:arrivals"), {"action": "import", "file": _file(_rows(4))})
    assert response.status_code == 302
    assert Arrival.objects.count() == 4 and not ArrivalImport.objects.exists()
