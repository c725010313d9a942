"""Batch import over the API (issue 13: upload, status, result, rejected rows, confirm): the same services and
the same per-row results as the portal's BATCH page, scope (the BATCH item and the imported item), another
employer's batch a 404, bad files a 422 or an unreadable batch, never a 500."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shebao.declarations.models import Declaration
from shebao.declarations.tests import batch_files as files
from shebao.declarations.tests.test_batch_import import mixed_rows

from .conftest import Api, employer_token

pytestmark = pytest.mark.django_db


def upload(api: Api, content: bytes, *, item="H01", name="staff.xlsx", **extra):
    return api.client.post(
        "/api/v1/batches",
        {"item": item, "file": SimpleUploadedFile(name, content), **extra},
        headers=api._headers(None),
    )


def test_upload_result_rejected_rows_and_confirm(api_a, api_b):
    response = upload(api_a, files.xlsx_openpyxl(files.H01_HEADERS, mixed_rows()))
    assert response.status_code == 201, response.content
    batch = response.json()
    number = batch["number"]
    assert (batch["status"], batch["total_rows"], batch["accepted_rows"], batch["rejected_rows"]) == (
        "validated",
        7,
        2,
        5,
    )
    assert batch["confirm_refusal"] == "" and batch["rejected_url"].endswith(f"/batches/{number}/rejected")
    assert Declaration.objects.count() == 0

    assert api_a.get(f"/batches/{number}").json()["accepted_rows"] == 2
    rejected = api_a.get(f"/batches/{number}/rows", {"accepted": "false"}).json()
    assert rejected["count"] == 5
    by_line = {r["line"]: r for r in rejected["results"]}
    assert by_line[8]["problems"] == [{"column": "姓名", "message": "姓名不能为空"}]
    assert "文件中第 4、5 行的公民身份号码相同" in by_line[4]["problems"][0]["message"]
    accepted = api_a.get(f"/batches/{number}/rows", {"accepted": "true"}).json()["results"]
    assert [(r["base"], r["cost"]) for r in accepted] == [("8000.00", "2952.00"), ("5250.00", "1937.25")]

    download = api_a.get(f"/batches/{number}/rejected")
    assert download.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(download.content)).active
    assert [c.value for c in sheet[1]][-1] == "错误原因" and sheet.max_row == 6

    # Employer B sees none of it.
    for path in (f"/batches/{number}", f"/batches/{number}/rows", f"/batches/{number}/rejected"):
        assert api_b.get(path).status_code == 404
    assert api_b.post(f"/batches/{number}/confirm").status_code == 404

    confirmed = api_a.post(f"/batches/{number}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    assert Declaration.objects.filter(batch_number=number, state="submitted").count() == 2
    again = api_a.post(f"/batches/{number}/confirm")
    assert again.status_code == 409 and again.json()["code"] == "refused"
    found = api_a.get("/declarations", {"q": number}).json()
    assert found["count"] == 2


def test_scope_needs_batch_and_the_imported_item(personas):
    only_h01 = Api(employer_token(personas.admin_a, items=["H01"])[1])
    response = upload(only_h01, files.xlsx_openpyxl(files.H01_HEADERS, mixed_rows()))
    assert response.status_code == 403 and response.json()["code"] == "not_in_scope"
    batch_only = Api(employer_token(personas.admin_a, items=["BATCH"])[1])
    response = upload(batch_only, files.xlsx_openpyxl(files.H01_HEADERS, mixed_rows()))
    assert response.status_code == 403
    both = Api(employer_token(personas.admin_a, items=["BATCH", "H01"])[1])
    assert upload(both, files.xlsx_openpyxl(files.H01_HEADERS, mixed_rows())).status_code == 201


def test_bad_input_is_a_422_or_an_unreadable_batch_never_a_500(api_a):
    assert upload(api_a, b"x", item="H03").status_code == 422  # not importable
    assert upload(api_a, b"x", item="\x00H01").status_code == 422
    missing = api_a.client.post("/api/v1/batches", {"item": "H01"}, headers=api_a._headers(None))
    assert missing.status_code == 422
    bad = upload(api_a, files.PNG, name="photo.xlsx")
    assert bad.status_code == 201 and bad.json()["status"] == "unreadable" and bad.json()["file_errors"]
    assert api_a.get(f"/batches/{bad.json()['number']}/rows").status_code == 409
    assert api_a.get(f"/batches/{bad.json()['number']}/rejected").status_code == 404
    assert api_a.post(f"/batches/{bad.json()['number']}/confirm").status_code == 409
    nul = upload(api_a, files.xlsx_xlsxwriter(files.H01_HEADERS, [files.h01_row(101, name="刘\x00洋")]))
    assert nul.status_code == 201 and nul.json()["status"] == "validated"
    assert api_a.get("/batches/" + "9" * 5000).status_code == 404
    for path in ("/batches/\x00PL1", "/batches/PL1%00/rows"):  # a NUL anywhere in a call: 422 (middleware)
        assert api_a.get(path).status_code == 422
    h07 = upload(
        api_a, files.xlsx_openpyxl(["*公民身份号码", "*姓名", "*上年度月平均工资"], []), item="H07", year="x"
    )
    assert h07.status_code == 422 and h07.json()["errors"][0]["field"] == "year"


def test_templates_are_the_pages_templates(api_a, api_b, personas):
    response = api_a.get("/batches/templates/H07")
    assert response.status_code == 200 and response.content.startswith(b"PK")
    rows = [
        [c.value for c in r] for r in openpyxl.load_workbook(io.BytesIO(response.content))["数据"].iter_rows()
    ]
    assert personas.person_1.id_number in {r[0] for r in rows}  # prefilled with A's active employees
    b_rows = openpyxl.load_workbook(io.BytesIO(api_b.get("/batches/templates/H07").content))["数据"]
    assert personas.person_1.id_number not in {r[0].value for r in b_rows.iter_rows()}
    assert api_a.get("/batches/templates/H03").status_code == 404
    assert api_a.get("/batches/templates/H16").status_code == 200


def test_a_broken_multipart_body_is_a_422_not_a_500(api_a):
    for path in ("/api/v1/batches", "/api/v1/handling/H01/declarations"):
        response = api_a.client.post(
            path, b"--x\r\n", content_type="multipart/form-data", headers=api_a._headers(None)
        )
        assert response.status_code == 422, (path, response.status_code)
