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
