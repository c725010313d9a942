import pytest
from django.test import Client

from shebao.core.testing import Personas


@pytest.fixture
def personas(db) -> Personas:
    return Personas()


@pytest.fixture
def login_as():
    """login_as(user) → a test Client logged in as that user (forces login, bypassing the login page)."""

    def _login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is the production hasher (settings); tests hash with MD5 so the suite stays fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
