"""H13, H16, H17 and H18 are handled online now: the portal opens them for a granted user (no 「暂未开放」), and
the account receipt lists them among the granted items like any other online item."""

import io

import pytest
from pypdf import PdfReader

from shebao.accounts.receipts import REGISTRATION, receipt_pdf
from shebao.portal.registry import is_available

pytestmark = pytest.mark.django_db
ONLINE = {"H13": "工伤事故备案", "H16": "社会保障卡申领", "H17": "养老关系转出", "H18": "退费申请"}


def test_portal_opens_the_items(personas, login_as):
    client = login_as(personas.operator_a)
    home = client.get("/portal/").content.decode()
    for code, name in ONLINE.items():
        assert is_available(code)
        assert f'href="/portal/items/{code}/"' in home
        page = client.get(f"/portal/items/{code}/")
        assert page.status_code == 200, code
        text = page.content.decode()
        assert name in text and "暂未开放" not in text and 'name="form_token"' in text


def test_items_still_need_their_grant(personas, login_as):
    from shebao.accounts.services import grants_set

    grants_set(user=personas.operator_a, item_codes=["Q01"])
    for code in ONLINE:
        assert login_as(personas.operator_a).get(f"/portal/items/{code}/").status_code == 403


def test_account_receipt_lists_them_as_granted_online_items(personas):
    pdf = receipt_pdf(
        user=personas.admin_a, password="Abcdef12", purpose=REGISTRATION, issued_by=personas.clerk
    )
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")
    for code, name in ONLINE.items():
        assert code in text and name in text
    assert "暂未开放" not in text and "窗口办理" not in text


HOSTILE = {
    "H13": {"place": "车\x00间\x07", "description": "经" * 10_000, "accident_date": "２０２６-１１-２０\x00"},
    "H16": {"photo_reference": "\x00\x1b[31m", "note": "说" * 10_000, "reason": "new\x00"},
    "H17": {"destination": "南\x00京" * 5_000, "reason": "\u202e\x00"},
    "H18": {"amount": "３００.００\x00", "bank_account": "１２０２\x00" * 3000, "reason": "\x00" * 10_000},
}


@pytest.mark.parametrize("code", sorted(HOSTILE))
def test_hostile_input_is_named_never_a_server_error(personas, login_as, code):
    """NUL bytes, control characters, full-width digits and 10,000-character values: a page with the fields
    named (or a clean submission), never a 500; a draft keeps what it can store."""
    from shebao.declarations.models import Declaration

    from .test_journey import form_token

    client = login_as(personas.operator_a)
    base = {"id_number": personas.person_1.id_number + "\x00", "name": "王小明\x00"}
    for action in ("submit", "save"):
        page = client.get(f"/portal/items/{code}/")
        data = {**base, **HOSTILE[code], "action": action, "form_token": form_token(page)}
        response = client.post(f"/portal/items/{code}/", data)
        assert response.status_code in (200, 302, 400), (code, action, response.status_code)
        if response.status_code == 400:  # a control character: refused at the edge (core.edge), field named
            assert "含有不允许的控制字符" in response.content.decode()
        if response.status_code == 200:
            assert "需要更正" in response.content.decode()
    for declaration in Declaration.objects.all():
        assert "\x00" not in str(declaration.data)
