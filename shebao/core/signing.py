"""PDF digital signatures of the office (pyHanko): certificates and receipts verify offline in WPS or Adobe,
beside the QR check online.

Production configures the office's key and certificate (PEM files):
``SHEBAO_SIGNING_KEY``, ``SHEBAO_SIGNING_CERT`` and, for an encrypted key, ``SHEBAO_SIGNING_KEY_PASSWORD``.
Without them (the demo, development), a key and a self-signed certificate are generated once into the data
directory (``<SHEBAO_DATA_DIR>/signing/demo-signer.pem``) and used from then on: such a signature shows the
document unaltered but is not trusted until a reader trusts that certificate.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
import tempfile
from pathlib import Path

from django.conf import settings

SEAL_FIELD = "OfficeSeal"
DEMO_FILE = "demo-signer.pem"
DEMO_SUBJECT = "社会保险经办机构(演示签章)"


def _demo_bundle(directory: Path) -> bytes:
    """The demo key and self-signed certificate (PEM, key first), generated on first use. Written to a
    temporary file and renamed, so two processes starting at once never leave a key with another's certificate."""
    path = directory / DEMO_FILE
    if path.exists():
        return path.read_bytes()
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "社会保险经办机构"),
            x509.NameAttribute(NameOID.COMMON_NAME, DEMO_SUBJECT),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )  # fmt: skip
        .sign(key, hashes.SHA256())
    )
    bundle = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ) + cert.public_bytes(serialization.Encoding.PEM)
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=directory, delete=False) as handle:
        handle.write(bundle)
    os.chmod(handle.name, 0o600)
    try:
        os.link(handle.name, path)  # fails if another process got there first: use theirs
    except FileExistsError:
        pass
    finally:
        os.unlink(handle.name)
    return path.read_bytes()


def _pem_blocks(data: bytes) -> tuple[bytes, bytes]:
    """(private key PEM, certificate PEM) from a bundle holding both."""
    text = data.decode("ascii")
    key_start = text.index("-----BEGIN PRIVATE KEY-----")
    cert_start = text.index("-----BEGIN CERTIFICATE-----")
    key_end = text.index("-----END PRIVATE KEY-----") + len("-----END PRIVATE KEY-----")
    return text[key_start:key_end].encode(), text[cert_start:].encode()


@functools.lru_cache(maxsize=4)
def _signer(key_path: str, cert_path: str, password: str, data_dir: str):
    from pyhanko.sign import signers

    if key_path and cert_path:
        return signers.SimpleSigner.load(key_path, cert_path, key_passphrase=password.encode() or None)
    key_pem, cert_pem = _pem_blocks(_demo_bundle(Path(data_dir) / "signing"))
    with tempfile.TemporaryDirectory() as tmp:
        key_file, cert_file = Path(tmp) / "key.pem", Path(tmp) / "cert.pem"
        key_file.write_bytes(key_pem)
        cert_file.write_bytes(cert_pem)
        return signers.SimpleSigner.load(str(key_file), str(cert_file))


def office_signer():
    """The office's signer: the configured key and certificate, or the demo's."""
    return _signer(
        settings.SHEBAO_SIGNING_KEY,
        settings.SHEBAO_SIGNING_CERT,
        settings.SHEBAO_SIGNING_KEY_PASSWORD,
        str(settings.DATA_DIR),
    )


def office_certificate():
    """The signing certificate (asn1crypto), e.g. to trust it when validating."""
    return office_signer().signing_cert


def sign_pdf(pdf: bytes, *, box: tuple[float, float, float, float], reason: str, location: str = "") -> bytes:
    """Sign `pdf` as the office, with a visible signature field over `box` (points, page 1) — where the
    document drew its seal."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import TextStampStyle

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    metadata = signers.PdfSignatureMetadata(field_name=SEAL_FIELD, reason=reason, location=location or None)
    pdf_signer = signers.PdfSigner(
        metadata,
        signer=office_signer(),
        # The seal itself is drawn (in Chinese) by the document; the widget adds no text over it.
        stamp_style=TextStampStyle(stamp_text=" ", border_width=0, background=None),
        new_field_spec=fields.SigFieldSpec(SEAL_FIELD, on_page=0, box=box),
    )
    return pdf_signer.sign_pdf(writer).getvalue()
