"""Certificates and receipts carry the office's PDF signature (pyHanko) under a visible seal: pyHanko's own
validator finds it intact, made by the office's certificate, and trusted once that certificate is; a byte
changed after signing breaks it."""

import io

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from shebao.core.signing import SEAL_FIELD, office_certificate

pytestmark = pytest.mark.django_db


def _validate(pdf: bytes):
    reader = PdfFileReader(io.BytesIO(pdf))
    (signature,) = reader.embedded_signatures
    context = ValidationContext(trust_roots=[office_certificate()])
    return signature, validate_pdf_signature(signature, context)


def test_q16_certificate_is_signed_by_the_office(login_as, personas, settings, tmp_path):
    settings.DATA_DIR = tmp_path  # a fresh demo key and certificate, generated on first use
    pdf = login_as(personas.operator_a).post(
        "/portal/items/Q16/", {"kind": "employer", "start": "202401", "end": "202412"}
    )
    assert pdf["Content-Type"] == "application/pdf"
    assert (tmp_path / "signing" / "demo-signer.pem").exists()
    signature, status = _validate(pdf.content)
    assert signature.field_name == SEAL_FIELD
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert "社会保险经办机构" in status.signing_cert.subject.human_friendly
    # the signature field is visible, at the seal drawn on page 1
    widget = signature.sig_field["/Kids"][0] if "/Kids" in signature.sig_field else signature.sig_field
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    assert x2 - x1 > 100 and y2 - y1 > 100

    # one byte of content changed after signing: no longer intact
    tampered = bytearray(pdf.content)
    at = tampered.index(b"stream") + 20
    tampered[at] = (tampered[at] + 1) % 256
    _, broken = _validate(bytes(tampered))
    assert not broken.intact


def test_declaration_receipt_is_signed(login_as, personas, settings, tmp_path):
    from shebao.declarations.receipts import receipt_pdf
    from shebao.declarations.tests.conftest import h01_raw
    from shebao.declarations.tests.helpers import submit

    settings.DATA_DIR = tmp_path
    declaration = submit(personas, "H01", h01_raw())
    _, status = _validate(receipt_pdf(declaration))
    assert status.intact and status.valid and status.trusted


def test_configured_key_and_certificate_are_used(settings, tmp_path):
    from shebao.core import signing
    from shebao.core.pdf import PdfDocument

    settings.DATA_DIR = tmp_path / "demo"
    bundle = signing._demo_bundle(tmp_path / "prod")  # stands in for the office's own key and certificate
    key_pem, cert_pem = signing._pem_blocks(bundle)
    (tmp_path / "key.pem").write_bytes(key_pem)
    (tmp_path / "cert.pem").write_bytes(cert_pem)
    settings.SHEBAO_SIGNING_KEY = str(tmp_path / "key.pem")
    settings.SHEBAO_SIGNING_CERT = str(tmp_path / "cert.pem")
    pdf = PdfDocument(title="测试", seal="测试签章").paragraph("内容").render()
    _, status = _validate(pdf)
    assert status.intact and status.valid
    assert not (tmp_path / "demo" / "signing").exists()  # no demo key was made
