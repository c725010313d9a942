"""In Chromium: an operator issues a Q16 certificate from the page; the PDF the browser receives carries the
office's signature, which pyHanko's validator finds intact, valid and (trusting the office certificate) trusted."""

import base64
import io
from concurrent.futures import ThreadPoolExecutor

import pytest

from shebao.conftest import browser_login, screenshot
from shebao.testing import PASSWORD, Personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FETCH_FORM = """async () => {
  const form = document.getElementById("certificate-form");
  const answer = await fetch(location.href, {method: "POST", body: new FormData(form), credentials: "same-origin"});
  const bytes = new Uint8Array(await answer.arrayBuffer());
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return [answer.headers.get("content-type"), btoa(text)];
}"""


def test_downloaded_certificate_is_signed(browser_page):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from shebao.core.signing import office_certificate

    personas = Personas()
    page = browser_page
    browser_login(page, personas.operator_a.username, PASSWORD)
    page.goto("/portal/items/Q16/")
    page.fill("#certificate-form input[name=start]", "202401")
    page.fill("#certificate-form input[name=end]", "202412")
    screenshot(page, "q16-form")
    # The form posted from the page (Chromium would show the PDF in its viewer; fetch keeps the bytes).
    kind, encoded = page.evaluate(FETCH_FORM)
    assert kind == "application/pdf"
    pdf = base64.b64decode(encoded)
    (signature,) = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    trust = ValidationContext(trust_roots=[office_certificate()])
    # pyHanko's validator runs its own event loop: not in this thread, where Playwright's runs
    with ThreadPoolExecutor(1) as pool:
        status = pool.submit(validate_pdf_signature, signature, trust).result()
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
