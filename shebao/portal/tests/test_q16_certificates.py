"""Q16 参保证明打印: the PDF, its QR code, and the public verification page it points to."""

import re
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from shebao.certificates.models import Certificate
from shebao.certificates.numbers import make_number

from .queryhelpers import (  # noqa: F401
    OVERHEAD,
    frozen_now_fixture,
    history_fixture,
    pdf_qr_modules,
    pdf_text,
    qr_modules,
    table_rows,
    text_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]
URL = "/portal/items/Q16/"


def _verify_urls(text: str) -> list[str]:
    return re.findall(r"核验网址：(\S+/verify/certificate/[0-9A-Z]+/)", text)


def test_employee_certificate_pdf_qr_and_public_page(client, login_as, history):
    p = history.personas
    operator = login_as(p.operator_a)
    response = operator.post(
        URL, {"kind": "persons", "id_numbers": p.person_1.id_number, "start": "202401", "end": "202403"}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "个人参保证明" in text and "王小明" in text and p.person_1.id_number in text
    assert "202401 — 202403" in text
    # per insurance: 202401–202403, 3 months contributed, 1 paid (202401)
    assert re.search(r"养老\s+202401\s+202403\s+3\s+1", text)
    (url,) = _verify_urls(text)
    certificate = Certificate.objects.get()
    assert url.endswith(f"/verify/certificate/{certificate.number}/")
    # the QR code drawn on the page encodes exactly that URL
    assert pdf_qr_modules(response.content) == qr_modules(url)
    # anyone can follow it, without logging in
    page = client.get(urlsplit(url).path)
    assert page.status_code == 200
    shown = text_of(page)
    assert "经核验，该证明由本经办机构出具" in shown and "王小明" in shown
    masked = p.person_1.id_number[:6] + "********" + p.person_1.id_number[-4:]
    assert masked in shown and p.person_1.id_number not in shown
    assert re.search(r"养老 202401 202403 3 1", shown)
    # only what it attests: no bases or amounts, nothing of the other employees
    assert "4,812.00" not in shown and "384.96" not in shown and "陈丽" not in shown


def test_tampered_unknown_and_altered_numbers_say_so(client, login_as, history):
    p = history.personas
    login_as(p.operator_a).post(URL, {"kind": "employer", "start": "202401", "end": "202403"})
    certificate = Certificate.objects.get()
    number = certificate.number
    digit = "1" if number[10] != "1" else "2"
    tampered = number[:10] + digit + number[11:]
    response = client.get(f"/verify/certificate/{tampered}/")
    assert response.status_code == 404 and "证明编号无效" in text_of(response)
    assert "证明编号无效" in text_of(client.get("/verify/certificate/hello/"))
    unknown = make_number(timezone.localdate())  # well formed, never issued
    response = client.get(f"/verify/certificate/{unknown}/")
    assert response.status_code == 404 and "未找到该编号的参保证明" in text_of(response)
    ok = client.get(f"/verify/certificate/{number.lower()}/")
    assert ok.status_code == 200 and "杭州甲科技有限公司" in text_of(ok)
    content = dict(certificate.content)
    content["periods"] = [dict(row, paid=True) for row in content["periods"]]
    Certificate.objects.filter(pk=certificate.pk).update(content=content)
    altered = client.get(f"/verify/certificate/{number}/")
    assert altered.status_code == 404 and "与出具时不一致" in text_of(altered)


def test_employer_certificate_content(client, login_as, history):
    p = history.personas
    response = login_as(p.operator_a).post(URL, {"kind": "employer", "start": "202401", "end": "202403"})
    text = pdf_text(response.content)
    assert "单位参保证明" in text and "杭州甲科技有限公司" in text and p.employer_a.credit_code in text
    assert re.search(r"202401\s+3\s+已足额缴纳", text) and re.search(r"202402\s+3\s+未足额缴纳", text)
    (url,) = _verify_urls(text)
    shown = text_of(client.get(urlsplit(url).path))
    assert "202401 3 已足额缴纳" in shown and "13,478.22" not in shown


def test_several_employees_one_pdf_each_with_own_number(login_as, history):
    p = history.personas
    ids = f"{p.person_1.id_number}\n{p.person_2.id_number.lower()}, {p.person_1.id_number}"
    response = login_as(p.operator_a).post(
        URL, {"kind": "persons", "id_numbers": ids, "start": "202401", "end": "202403"}
    )
    text = pdf_text(response.content)
    assert Certificate.objects.count() == 2
    assert len(set(_verify_urls(text))) == 2 and "陈丽" in text and "王小明" in text
    listing = login_as(p.operator_a).get(URL)
    assert len(table_rows(listing)) == 2


def test_issuing_refuses_strangers_and_bad_ranges(login_as, history):
    p = history.personas
    client = login_as(p.operator_a)
    response = client.post(
        URL, {"kind": "persons", "id_numbers": p.person_b1.id_number, "start": "202401", "end": "202403"}
    )
    assert response["Content-Type"].startswith("text/html")
    assert f"本单位没有身份证号为 {p.person_b1.id_number} 的参保职工" in text_of(response)
    bad = client.post(URL, {"kind": "employer", "start": "202405", "end": "202401"})
    assert "起始期 202405 晚于截止期 202401" in text_of(bad)
    assert "请填写要出具证明的职工身份证号" in text_of(
        client.post(URL, {"kind": "persons", "start": "202401", "end": "202403"})
    )
    assert Certificate.objects.count() == 0


def test_certificates_are_scoped_to_their_issuer(login_as, history):
    p = history.personas
    login_as(p.operator_a).post(URL, {"kind": "employer", "start": "202401", "end": "202403"})
    number = Certificate.objects.get().number
    assert login_as(p.operator_a).get(f"{URL}?pdf={number}")["Content-Type"] == "application/pdf"
    assert login_as(p.operator_b).get(f"{URL}?pdf={number}").status_code == 404
    assert "尚未出具参保证明" in text_of(login_as(p.operator_b).get(URL))
    assert login_as(p.individual).get(f"{URL}?pdf={number}").status_code == 404


def test_individual_certificate_is_for_themselves_only(client, login_as, history):
    p = history.personas
    me = login_as(p.individual)
    page = me.get(URL)
    assert 'name="id_numbers"' not in page.content.decode()
    response = me.post(URL, {"id_numbers": p.person_2.id_number, "start": "202401", "end": "202403"})
    text = pdf_text(response.content)
    assert "王小明" in text and "陈丽" not in text and "本人网上申请" in text
    certificate = Certificate.objects.get()
    assert certificate.person == p.person_1 and certificate.employer is None
    assert me.get(f"{URL}?pdf={certificate.number}")["Content-Type"] == "application/pdf"
    assert login_as(p.operator_a).get(f"{URL}?pdf={certificate.number}").status_code == 404
