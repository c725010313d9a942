"""Large benefit and medical-spending files go to the background worker like arrival files (issue 14 point 8):
the request only keeps the file and queues it; the worker imports it all or nothing; the page lists the result
or the rows' errors."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shebao.benefits.models import BenefitImport, MaternityPayment
from shebao.benefits.services import benefit_import_execute
from shebao.contributions.services import settlement_run
from shebao.individual_accounts.models import MedicalEntry

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _file(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("benefits.csv", text.encode(), content_type="text/csv")


@pytest.fixture
def admin(personas, login_as, settings):
    settings.SHEBAO_IMPORT_BACKGROUND_ROWS = 5
    return login_as(personas.office_admin)


def _post(admin, import_kind: str, text: str):
    return admin.post(
        reverse("office:benefits"),
        {"action": "import", "kind": "pension", "import_kind": import_kind, "file": _file(text)},
    )


def test_a_large_maternity_file_is_only_queued_then_imported_by_the_worker(admin, personas):
    for period in range(202401, 202413):
        settlement_run(period=period)
    number = personas.person_b1.id_number
    text = "".join(f"{number},2025-01-{day:02d},顺产,市妇幼,158,0,2025-02-01\n" for day in range(9, 15))
    response = _post(admin, "maternity", text)
    assert response.status_code == 302
    job = BenefitImport.objects.get()
    assert (job.kind, job.status, job.rows) == (
        "maternity",
        "pending",
        6,
    ) and not MaternityPayment.objects.exists()
    assert "已交后台导入" in admin.get(response["Location"]).content.decode()
    job = benefit_import_execute(job=job)  # what `shebao worker` runs
    assert job.status == "done" and job.created == 6 and MaternityPayment.objects.count() == 6
    assert bytes(job.content) == b""
    page = admin.get(reverse("office:benefits")).content.decode()
    assert "已导入 6 笔" in page and "生育待遇支付" in page


def test_a_large_medical_file_is_refused_by_the_worker_with_its_rows_named(
    admin, personas, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    number = personas.person_1.id_number
    text = "".join(f"{number},2025-03-0{day},88.00,市一医院,R{day}\n" for day in range(1, 7))
    with django_capture_on_commit_callbacks(execute=True):
        _post(admin, "medical", text)
    job = BenefitImport.objects.get()
    assert job.kind == "medical" and job.status == "failed" and not MedicalEntry.objects.exists()
    assert job.errors and job.errors[0].startswith("第 1 行：") and "医疗帐户余额不足" in job.errors[0]
    page = admin.get(reverse("office:benefits")).content.decode()
    assert "医疗帐户余额不足" in page and "未导入" in page and "医疗帐户消费" in page


def test_a_small_file_is_still_imported_at_once(admin, personas):
    text = f"{personas.person_1.id_number},2025-03-01,88.00,市一医院,R1\n"
    page = _post(admin, "medical", text).content.decode()
    assert "医疗帐户余额不足" in page and not BenefitImport.objects.exists()
