import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from shebao.core.idnumbers import make_credit_code, make_id_number

NEW_PASSWORD = "Neu3Passwort9"


def login(
    client: Client, username: str, password: str, *, kind: str = "employer", next_url: str = "", **extra
):
    data = {"kind": kind, "username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("accounts:login"), data, **extra)


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(response) if response.streaming else response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


NEW_CREDIT_CODE = make_credit_code("9", "1", "330106", "MA2H8K3Q")
NEW_ID_NUMBER = make_id_number("330106", dt.date(1988, 3, 4), 123)
OPERATOR_ID_NUMBER = make_id_number("330102", dt.date(1991, 7, 9), 456)


@pytest.fixture
def clerk_client(personas):
    client = Client()
    client.force_login(personas.clerk)
    return client


def issued(response) -> dict:
    """What the page answering a password-issuing request shows: user name, password, and the receipt form
    (its action and hidden fields), read from the HTML as a browser would."""
    import html
    import re

    assert response.status_code == 200, response.status_code
    assert response["Cache-Control"] == "no-store"
    text = response.content.decode()
    form = re.search(
        r'<form method="post" action="([^"]*)"[^>]*data-testid="receipt-form">(.*?)</form>', text, re.S
    )
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2)))
    fields.pop("csrfmiddlewaretoken", None)
    return {
        "username": re.search(r'data-testid="issued-username">([^<]+)<', text).group(1),
        "password": re.search(r'data-testid="issued-password">([^<]+)<', text).group(1),
        "action": html.unescape(form.group(1)),
        "fields": {k: html.unescape(v) for k, v in fields.items()},
    }


def print_receipt(client: Client, shown: dict, **changes):
    return client.post(shown["action"], {**shown["fields"], **changes})
