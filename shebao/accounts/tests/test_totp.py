import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP, totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from shebao.accounts.models import AccountEvent, User
from shebao.testing import PASSWORD

from .conftest import logged_in, login

pytestmark = pytest.mark.django_db

RFC6238_KEY = b"12345678901234567890"


@pytest.mark.parametrize(
    ("unix_time", "expected"),
    [
        (59, 94287082),
        (1111111109, 7081804),
        (1111111111, 14050471),
        (1234567890, 89005924),
        (2000000000, 69279037),
    ],
)
def test_totp_library_matches_rfc6238_sha1_vectors(unix_time, expected):
    generator = TOTP(RFC6238_KEY, step=30, t0=0, digits=8)
    generator.time = unix_time
    assert generator.token() == expected


def _enable_totp(client, user) -> TOTPDevice:
    page = client.post(reverse("accounts:security"), {"action": "totp_start"}, follow=True)
    text = page.content.decode()
    assert "<svg" in text  # the provisioning QR, inline
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', text).group(1)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert secret.replace(" ", "") in __import__("base64").b32encode(device.bin_key).decode()
    wrong = client.post(reverse("accounts:security"), {"action": "totp_confirm", "token": "000000"})
    assert wrong.status_code == 400 and "动态口令不正确" in wrong.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    token = f"{totp(device.bin_key):06d}"
    response = client.post(reverse("accounts:security"), {"action": "totp_confirm", "token": token})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_user_turns_on_totp_and_then_needs_the_code_to_log_in(personas):
    user = personas.operator_a
    client = Client()
    login(client, "a_operator", PASSWORD)
    device = _enable_totp(client, user)
    assert AccountEvent.objects.filter(user=user, kind="totp_enabled").exists()
    client.post(reverse("accounts:logout"))

    client = Client()
    response = login(client, "a_operator", PASSWORD, next_url="/portal/items/Q01/")
    assert response["Location"] == reverse("accounts:login_totp")
    assert not logged_in(client)
    bad = client.post(reverse("accounts:login_totp"), {"token": "123456"})
    assert bad.status_code == 401 and "动态口令不正确" in bad.content.decode()
    assert not logged_in(client)
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    token = f"{totp(device.bin_key, drift=1):06d}"  # the next step: the current one was used to confirm
    ok = client.post(reverse("accounts:login_totp"), {"token": token})
    assert ok.status_code == 302 and ok["Location"] == "/portal/items/Q01/"
    assert logged_in(client)
    assert AccountEvent.objects.filter(user=user, kind="login", detail__totp=True).exists()
    assert User.objects.get(pk=user.pk).failed_logins == 0


def test_wrong_codes_count_towards_the_lock(personas, settings):
    settings.SHEBAO_LOGIN_MAX_FAILURES = 2
    user = personas.operator_a
    client = Client()
    login(client, "a_operator", PASSWORD)
    _enable_totp(client, user)
    client = Client()
    login(client, "a_operator", PASSWORD)
    client.post(reverse("accounts:login_totp"), {"token": "111111"})
    locked = client.post(reverse("accounts:login_totp"), {"token": "222222"})
    assert "已被锁定" in locked.content.decode()
    assert User.objects.get(pk=user.pk).locked_until is not None


def test_totp_turned_off_with_password_or_by_the_office(personas):
    user = personas.operator_a
    client = Client()
    login(client, "a_operator", PASSWORD)
    _enable_totp(client, user)
    wrong = client.post(reverse("accounts:security"), {"action": "totp_disable", "password": "nope"})
    assert wrong.status_code == 400 and "密码不正确" in wrong.content.decode()
    client.post(reverse("accounts:security"), {"action": "totp_disable", "password": PASSWORD})
    assert not TOTPDevice.objects.filter(user=user).exists()

    _enable_totp(client, user)
    office = Client()
    office.force_login(personas.clerk)
    office.post(reverse("office:user", args=[user.pk]), {"action": "totp_off"})
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert AccountEvent.objects.filter(user=user, kind="totp_disabled", actor=personas.clerk).exists()
