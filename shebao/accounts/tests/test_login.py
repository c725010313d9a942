import datetime as dt
import time

import pytest
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shebao.accounts import services
from shebao.accounts.middleware import LAST_ACTIVITY
from shebao.accounts.models import AccountEvent, User
from shebao.testing import PASSWORD

from .conftest import NEW_PASSWORD, logged_in, login

pytestmark = pytest.mark.django_db

HOMES = {"employer": "/portal/", "individual": "/portal/", "staff": "/office/"}


def test_production_settings_hash_with_argon2_first():
    # conftest switches tests to MD5; the module itself lists Argon2 first.
    import importlib

    import shebao.settings as production

    importlib.reload(production)
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_each_persona_logs_in_and_reaches_its_home(personas):
    for user in personas.users():
        client = Client()
        response = login(client, user.username, PASSWORD, kind=user.kind)
        assert response.status_code == 302, user.username
        assert logged_in(client)
        assert response["Location"] == "/"
        assert client.get("/")["Location"] == HOMES[user.kind]
        assert client.get(HOMES[user.kind]).status_code == 200, user.username
        assert AccountEvent.objects.filter(user=user, kind="login").count() == 1


def test_employer_admin_logs_in_with_credit_code_and_individual_with_id_number(personas):
    client = Client()
    code = personas.employer_a.credit_code.lower()  # compared in normal form
    assert login(client, code, PASSWORD, kind="employer").status_code == 302
    assert int(client.session["_auth_user_id"]) == personas.admin_a.pk

    client = Client()
    assert login(client, personas.person_1.id_number, PASSWORD, kind="individual").status_code == 302
    assert int(client.session["_auth_user_id"]) == personas.individual.pk


def test_wrong_password_and_unknown_user_get_the_same_message_and_no_session(personas):
    wrong = login(Client(), "a_operator", "Wrong1234")
    client = Client()
    unknown = login(client, "nobody_here", "Wrong1234")
    assert wrong.status_code == unknown.status_code == 401
    for response in (wrong, unknown):
        text = response.content.decode()
        assert "用户名或密码错误" in text
        assert "经办窗口办理用户认证" in text and "重置" in text
        assert "锁定 15 分钟" in text
    assert not logged_in(client)
    failed = AccountEvent.objects.filter(kind="login_failed").order_by("id")
    assert [(e.user_id, e.username, e.detail["reason"]) for e in failed] == [
        (personas.operator_a.pk, "a_operator", "bad_credentials"),
        (None, "nobody_here", "bad_credentials"),
    ]


def test_wrong_kind_is_an_ordinary_failure(personas):
    response = login(Client(), "a_operator", PASSWORD, kind="individual")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.content.decode()


def test_missing_kind_asks_to_choose(personas):
    response = Client().post(reverse("accounts:login"), {"username": "a_operator", "password": PASSWORD})
    assert response.status_code == 400
    assert "单位用户" in response.content.decode()


def test_five_failures_lock_for_fifteen_minutes_without_telling_the_account_exists(personas):
    client = Client()
    answers = [login(client, "a_operator", "Wrong1234") for _ in range(5)]
    unknown = [login(Client(), "nobody_here", "Wrong1234") for _ in range(5)]
    # The fifth failure (which locks) reads exactly like any failure of an unknown user name.
    assert {r.status_code for r in answers + unknown} == {401}
    for response in answers + unknown:
        text = response.content.decode()
        assert services.login_failed_message() in text and "已被锁定" not in text
    # Now even the right password is refused, with the same message as a wrong one.
    response = login(client, "a_operator", PASSWORD)
    assert response.status_code == 401
    assert services.login_failed_message() in response.content.decode()
    assert not logged_in(client)
    user = User.objects.get(pk=personas.operator_a.pk)
    assert user.failed_logins == 5
    assert user.locked_until - timezone.now() > dt.timedelta(minutes=14)
    assert AccountEvent.objects.filter(user=user, kind="locked").count() == 1
    assert list(
        AccountEvent.objects.filter(user=user, kind="login_failed")
        .order_by("id")
        .values_list("detail__reason", flat=True)
    ) == ["bad_credentials"] * 5 + ["locked"]


class CountingArgon2Hasher(Argon2PasswordHasher):
    """The production hasher, counting how many passwords it hashes (encode or verify)."""

    calls = 0

    def encode(self, password, salt):
        CountingArgon2Hasher.calls += 1
        return super().encode(password, salt)

    def verify(self, password, encoded):
        CountingArgon2Hasher.calls += 1
        return super().verify(password, encoded)


def test_locked_unknown_and_wrong_cost_the_same_time(personas, settings):
    """Every refusal spends exactly one real password hash (Argon2, as in production): a locked account no longer
    answers in a fraction of the time of an unknown one (the issue measured 10 ms against 200 ms)."""
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingArgon2Hasher"]
    user = personas.operator_a
    user.set_password(PASSWORD)
    user.save()
    for i in range(5):
        services.login_attempt(kind="employer", identifier="a_operator", password=f"x{i}", ip="10.0.0.1")
    assert User.objects.get(pk=user.pk).locked_until is not None

    def cost(identifier: str, password: str) -> tuple[int, float]:
        hashes, times = [], []
        for _ in range(5):
            before = CountingArgon2Hasher.calls
            start = time.perf_counter()
            result = services.login_attempt(
                kind="employer", identifier=identifier, password=password, ip="10.0.0.2"
            )
            times.append(time.perf_counter() - start)
            hashes.append(CountingArgon2Hasher.calls - before)
            assert not result.ok and result.message == services.login_failed_message()
        assert len(set(hashes)) == 1
        return hashes[0], sorted(times)[2]

    unknown = cost("nobody_here", "Wrong1234")
    locked_wrong = cost("a_operator", "Wrong1234")
    locked_right = cost("a_operator", PASSWORD)
    wrong = cost("b_operator", "Wrong1234")
    assert {unknown[0], locked_wrong[0], locked_right[0], wrong[0]} == {1}  # one hash each, whatever the case
    # and the time follows (loosely: the machine may be busy): none is a tenth of the unknown user's
    assert min(locked_wrong[1], locked_right[1], wrong[1]) > 0.1 * unknown[1], (unknown, locked_wrong, wrong)


def test_lock_runs_out_and_counting_restarts(personas):
    start = timezone.now()
    for i in range(5):
        result = services.login_attempt(
            kind="employer",
            identifier="a_operator",
            password="x",
            ip="10.0.0.1",
            now=start + dt.timedelta(seconds=i),
        )
    assert result.reason == "locked"
    later = start + dt.timedelta(minutes=15, seconds=5)
    assert (
        services.login_attempt(
            kind="employer", identifier="a_operator", password="x", ip="10.0.0.1", now=later
        ).reason
        == "bad_credentials"
    )
    assert User.objects.get(pk=personas.operator_a.pk).failed_logins == 1
    ok = services.login_attempt(
        kind="employer", identifier="a_operator", password=PASSWORD, ip="10.0.0.1", now=later
    )
    assert ok.ok and User.objects.get(pk=personas.operator_a.pk).failed_logins == 0


# Long enough that a busy machine does not answer an unslowed login this slowly.
DELAY = 1.5


def test_failures_slow_a_client_address_down_but_never_refuse_the_right_password(personas, settings):
    settings.SHEBAO_LOGIN_IP_MAX_FAILURES = 3
    settings.SHEBAO_LOGIN_IP_DELAY_SECONDS = DELAY
    for name in ("x1", "x2", "x3"):
        login(Client(), name, "Wrong1234", REMOTE_ADDR="192.0.2.7")
    client = Client()
    start = time.perf_counter()
    response = login(client, "a_operator", PASSWORD, REMOTE_ADDR="192.0.2.7")
    assert time.perf_counter() - start >= DELAY  # slowed down …
    assert response.status_code == 302 and logged_in(client)  # … but let in
    start = time.perf_counter()
    wrong = login(Client(), "b_operator", "Wrong1234", REMOTE_ADDR="192.0.2.7")
    assert time.perf_counter() - start >= DELAY and wrong.status_code == 401
    assert services.login_failed_message() in wrong.content.decode()
    # Another address is not slowed down.
    start = time.perf_counter()
    assert login(Client(), "a_operator", PASSWORD, REMOTE_ADDR="192.0.2.8").status_code == 302
    assert time.perf_counter() - start < DELAY


def test_behind_a_trusted_proxy_each_client_counts_on_its_own(personas, settings):
    """Through the proxy docs/deployment.md recommends, every request comes from the proxy's address: with
    SHEBAO_TRUSTED_PROXIES=1 failures count against the client in X-Forwarded-For, not against everyone."""
    settings.SHEBAO_TRUSTED_PROXIES = 1
    settings.SHEBAO_LOGIN_IP_MAX_FAILURES = 3
    settings.SHEBAO_LOGIN_IP_DELAY_SECONDS = DELAY
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(3):
        login(Client(), "nobody", "Wrong1234", HTTP_X_FORWARDED_FOR="203.0.113.66", **proxy)
    assert set(AccountEvent.objects.filter(kind="login_failed").values_list("ip", flat=True)) == {
        "203.0.113.66"
    }
    client = Client()
    start = time.perf_counter()
    response = login(client, "a_operator", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.5", **proxy)
    assert time.perf_counter() - start < DELAY and response.status_code == 302
    assert AccountEvent.objects.get(kind="login", user=personas.operator_a).ip == "198.51.100.5"
    # A client forging X-Forwarded-For only adds entries on the left: the proxy's own entry still counts.
    forged = login(Client(), "nobody", "Wrong1234", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.66", **proxy)
    assert forged.status_code == 401
    assert AccountEvent.objects.filter(kind="login_failed").last().ip == "203.0.113.66"


def test_https_behind_the_proxy_is_recognised_and_marked_secure(personas, settings):
    """X-Forwarded-Proto from a trusted proxy marks the request secure (HSTS, secure cookies, no redirect loop)."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    plain = Client().get("/accounts/login/", REMOTE_ADDR="10.0.0.2")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    assert Client().get("/healthz", REMOTE_ADDR="10.0.0.2").status_code == 200  # the probe stays on http
    client = Client()
    page = client.get("/accounts/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_PROTO="https")
    assert page.status_code == 200
    assert page["Strict-Transport-Security"].startswith("max-age=31536000")
    response = login(client, "a_operator", PASSWORD, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 302
    assert response.cookies["sessionid"]["secure"] is True


def test_disabled_account_is_told_so_only_with_the_right_password(personas):
    services.user_disable(user=personas.operator_a, actor=personas.office_admin, ip="10.0.0.9")
    client = Client()
    response = login(client, "a_operator", PASSWORD)
    assert response.status_code == 401
    assert "已被停用" in response.content.decode()
    assert not logged_in(client)
    assert "已被停用" not in login(Client(), "a_operator", "Wrong1234").content.decode()


def test_disabling_ends_an_open_session(personas):
    client = Client()
    login(client, "a_operator", PASSWORD)
    assert client.get("/portal/").status_code == 200
    services.user_disable(user=personas.operator_a, actor=personas.office_admin)
    response = client.get("/portal/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_expired_first_password_is_refused(personas):
    user = personas.operator_a
    user.must_change_password = True
    user.password_expires_at = timezone.now() - dt.timedelta(days=1)
    user.save()
    client = Client()
    response = login(client, "a_operator", PASSWORD)
    assert response.status_code == 401
    text = response.content.decode()
    assert "初始密码已于" in text and "过期" in text and "经办窗口" in text
    assert not logged_in(client)


def test_first_login_forces_password_change_then_lands_on_picked_item(personas):
    user = personas.operator_a
    user.must_change_password = True
    user.password_expires_at = timezone.now() + dt.timedelta(days=3)
    user.save()
    client = Client()
    # Picked an item on the public home page first: asked to log in, with the item named.
    response = client.get("/portal/items/Q01/")
    assert response.status_code == 302
    login_page = client.get(response["Location"])
    assert "Q01" in login_page.content.decode() and "单位基本信息查询" in login_page.content.decode()

    response = login(client, "a_operator", PASSWORD, next_url="/portal/items/Q01/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:password_change"))
    # Every other page sends them back to the change form.
    blocked = client.get("/portal/")
    assert blocked.status_code == 302 and blocked["Location"].startswith(reverse("accounts:password_change"))

    bad = client.post(
        response["Location"],
        {"old_password": PASSWORD, "new_password": "a_operator99", "new_password_again": "a_operator99"},
    )
    assert bad.status_code == 400 and "不能与用户名相同" in bad.content.decode()
    done = client.post(
        response["Location"],
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
    )
    assert done.status_code == 302 and done["Location"] == "/portal/items/Q01/"
    assert client.get("/portal/").status_code == 200  # still logged in after the change
    user.refresh_from_db()
    assert not user.must_change_password and user.password_expires_at is None
    assert user.check_password(NEW_PASSWORD)
    assert AccountEvent.objects.filter(user=user, kind="password_changed").exists()


def test_login_first_then_pick_an_item(personas):
    client = Client()
    response = login(client, "a_operator", PASSWORD)
    assert response["Location"] == "/"
    home = client.get("/portal/").content.decode()
    assert 'href="/portal/items/Q01/"' in home
    assert client.get("/portal/items/Q01/").status_code == 200


def test_next_to_another_site_is_ignored(personas):
    response = login(Client(), "a_operator", PASSWORD, next_url="https://evil.example/")
    assert response["Location"] == "/"


def test_staff_login_page_and_staff_cannot_log_in_as_employer(personas):
    page = Client().get(reverse("accounts:login") + "?next=/office/")
    assert "经办系统登录" in page.content.decode()
    assert login(Client(), "clerk", PASSWORD, kind="employer").status_code == 401
    client = Client()
    response = login(client, "clerk", PASSWORD, kind="staff", next_url="/office/")
    assert response["Location"] == "/office/"


def test_idle_session_ends_after_thirty_minutes(personas):
    client = Client()
    login(client, "a_operator", PASSWORD)
    assert client.get("/portal/").status_code == 200
    session = client.session
    session[LAST_ACTIVITY] = int(time.time()) - settings.SESSION_COOKIE_AGE - 5
    session.save()
    response = client.get("/portal/", follow=True)
    assert not logged_in(client)
    assert "30 分钟未操作" in response.content.decode()
    assert AccountEvent.objects.filter(user=personas.operator_a, kind="session_expired").exists()


def test_active_session_is_kept(personas):
    client = Client()
    login(client, "a_operator", PASSWORD)
    session = client.session
    session[LAST_ACTIVITY] = int(time.time()) - settings.SESSION_COOKIE_AGE + 60
    session.save()
    assert client.get("/portal/").status_code == 200
    assert settings.SESSION_COOKIE_AGE == 1800


def test_logout_is_recorded(personas):
    client = Client()
    login(client, "a_operator", PASSWORD, REMOTE_ADDR="203.0.113.5")
    client.post(reverse("accounts:logout"))
    assert not logged_in(client)
    kinds = list(
        AccountEvent.objects.filter(user=personas.operator_a).order_by("id").values_list("kind", "ip")
    )
    assert kinds[-2:] == [("login", "203.0.113.5"), ("logout", "127.0.0.1")]


def test_admin_login_goes_through_the_one_login_page(client):
    response = client.get("/office/admin/login/?next=/office/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/office/admin/")
    assert "经办系统登录" in client.get(response["Location"]).content.decode()


def test_office_only_process_shows_the_staff_login(client, settings):
    settings.SHEBAO_SITES = "office"
    text = client.get(reverse("accounts:login")).content.decode()
    assert "经办系统登录" in text and 'value="individual"' not in text


def test_client_address_behind_a_trusted_proxy(settings, rf):
    from shebao.accounts.middleware import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", REMOTE_ADDR="10.0.0.2")
    assert client_ip(request) == "10.0.0.2"
    settings.SHEBAO_TRUSTED_PROXIES = 1
    assert client_ip(request) == "203.0.113.9"  # the forged first entry is ignored
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"


def test_htmx_request_after_idle_timeout_redirects_the_whole_page(personas):
    client = Client()
    login(client, "a_operator", PASSWORD)
    session = client.session
    session[LAST_ACTIVITY] = int(time.time()) - settings.SESSION_COOKIE_AGE - 5
    session.save()
    response = client.get("/portal/items/Q01/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize(
    ("new_password", "message"),
    [
        ("Shebao2026", "过于常见"),  # the demo's published password
        ("password123", "过于常见"),  # Django's common-password list
        ("Ab10000001", "单位编号"),  # the employer's number (employer A is 10000001)
    ],
)
def test_password_change_refuses_common_demo_and_employer_passwords(personas, new_password, message):
    client = Client()
    client.force_login(personas.admin_a)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password": new_password, "new_password_again": new_password},
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert User.objects.get(pk=personas.admin_a.pk).check_password(PASSWORD)
