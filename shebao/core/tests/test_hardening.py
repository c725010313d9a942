"""Issue 14: control characters at the edge, one number parser, plausible dates, the upload reader, our own
error pages, the security headers, and the install commands."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from shebao.core.csvfiles import ImportRejected, read_rows
from shebao.core.errors import ValidationFailed
from shebao.core.validators import EVENT_DATE, PAST_DATE, parse_date, parse_integer
from shebao.employers.models import Employer
from shebao.testing import HOSTILE_VALUES

ROOT = Path(__file__).resolve().parents[3]
TODAY = dt.date(2026, 12, 1)


# --- 1. control characters -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["ab\x00cd", "\x07\x1b[31m红\x1b[0m", "a\x85b", "x\x7f"])
def test_control_characters_are_refused_before_any_view_without_login(value):
    """Two of the places the issue found (no login needed): the login form and the certificate check."""
    login = Client().post(reverse("accounts:login"), {"kind": "employer", "username": value, "password": "x"})
    assert login.status_code == 400
    text = login.content.decode()
    assert "「username」含有不允许的控制字符" in text and "请删除后重新提交" in text
    assert "<html" in text and "请求有误" in text  # our Chinese page, not Django's
    verify = Client().get("/verify/certificate/ZM" + "%00" + "/")
    assert verify.status_code == 400 and "网址" in verify.content.decode()


@pytest.mark.django_db
def test_tab_and_newlines_pass_the_edge_and_query_parameters_are_checked(personas, login_as):
    client = login_as(personas.office_admin)
    assert client.get("/office/users/", {"q": "王\t小明\r\n"}).status_code == 200
    refused = client.get("/office/users/", {"q": "王\x1b"})
    assert refused.status_code == 400 and "「q」" in refused.content.decode()
    # Names of parameters too, and JSON bodies (the API's).
    assert client.get("/office/users/", {"q\x00": "1"}).status_code == 400
    body = Client().post("/api/anything", data='{"name": "a\\u0000b"}', content_type="application/json")
    assert body.status_code == 400 and body.json()["detail"][0]["loc"] == ["name"]


@pytest.mark.django_db
def test_a_multipart_body_without_a_boundary_is_a_400_not_an_error(client, caplog):
    """Django would log the parser's exception with a traceback; the edge answers it like any bad input."""
    page = client.post("/accounts/login/", data=b"x", content_type="multipart/form-data")
    assert page.status_code == 400 and "格式不正确" in page.content.decode()
    call = client.post("/api/v1/handling/H01/validate", data=b"x", content_type="multipart/form-data")
    assert call.status_code == 422 and call.json()["errors"][0]["code"] == "unreadable_body"
    assert not [r for r in caplog.records if r.exc_info]


@pytest.mark.django_db
def test_a_session_cookie_with_a_nul_byte_is_dropped_not_a_500(client):
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
    response = client.get("/portal/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_nothing_with_a_control_character_reaches_the_database(personas, login_as):
    """The issue's SQLite case: NUL and terminal escapes were stored in an employer's address."""
    before = list(Employer.objects.values_list("address", flat=True))
    client = login_as(personas.clerk)
    response = client.post(
        "/office/counter/",
        {"kind": "employer", "credit_code": "x", "address": "杭州\x00\x07\x1b[31m", "employer_name": "甲"},
    )
    assert response.status_code == 400
    assert list(Employer.objects.values_list("address", flat=True)) == before


# --- 2. numbers ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("42", 42), ("０４２", 42), (" 7 ", 7), ("-3", -3), ("+5", 5), (12, 12)],
)
def test_one_integer_parser_accepts_ascii_and_fullwidth_digits(text, expected):
    assert parse_integer(text) == expected


@pytest.mark.parametrize("text", ["²", "٣", "1e3", "1.0", "", "9" * 19, "12a", "一"])
def test_one_integer_parser_refuses_everything_else_with_a_message(text):
    with pytest.raises(ValidationFailed) as caught:
        parse_integer(text, label="行数")
    assert "行数" in caught.value.message


def test_integer_range_is_named():
    with pytest.raises(ValidationFailed, match="产假天数应在 1 至 400 之间，实际为 401"):
        parse_integer("401", label="产假天数", min_value=1, max_value=400)


@pytest.mark.django_db
def test_h07_rows_count_with_a_superscript_two_is_no_500(personas, login_as):
    """The issue's case: H07 rows-count=² was accepted by str.isdigit() and crashed int()."""
    client = login_as(personas.admin_a)
    response = client.post("/portal/items/H07/", {"action": "submit", "year": "2026", "rows-count": "²"})
    assert response.status_code in (200, 400)


# --- 9. plausible dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "window", "message"),
    [
        ("0001-01-01", EVENT_DATE, "不能早于 1990-01-01"),
        ("9999-12-31", EVENT_DATE, "不能晚于 2027-01-01"),  # today + 31 days
        ("2027-01-02", EVENT_DATE, "不能晚于 2027-01-01"),
        ("2026-12-02", PAST_DATE, "不能晚于今天（2026-12-01）"),
        ("1899-12-31", PAST_DATE, "不能早于 1900-01-01"),
        ("2024-02-30", EVENT_DATE, "不是有效日期"),
        ("²⁰²⁴-01-01", EVENT_DATE, "不是有效日期"),
    ],
)
def test_dates_outside_their_window_are_refused(text, window, message):
    with pytest.raises(ValidationFailed, match=message):
        parse_date(text, label="到账日期", window=window, today=TODAY)


def test_dates_inside_the_window_in_every_accepted_shape():
    for text in ("2027-01-01", "2024/5/6", "2024年5月6日", "20240506", "２０２４－０５－０６"):
        assert (
            EVENT_DATE.earliest
            <= parse_date(text, window=EVENT_DATE, today=TODAY)
            <= TODAY + dt.timedelta(31)
        )


@pytest.mark.django_db
def test_arrival_dates_out_of_range_are_refused_by_the_form_and_the_import(personas, login_as):
    from shebao.contributions.models import Arrival

    client = login_as(personas.office_admin)
    for day in ("0001-01-01", "9999-12-31"):
        response = client.post(
            "/office/arrivals/",
            {"action": "record", "a-employer": "10000001", "a-received_on": day, "a-amount": "100"},
        )
        assert f"到账日期 {day} 不能" in response.content.decode()
    upload = io.BytesIO(b"10000001,0001-01-01,100.00,R1\n10000001,9999-12-31,100.00,R2\n")
    upload.name = "a.csv"
    page = client.post("/office/arrivals/", {"action": "import", "file": upload}).content.decode()
    assert "第 1 行：到账日期 0001-01-01 不能早于 1990-01-01" in page
    assert "第 2 行：到账日期 9999-12-31 不能晚于" in page
    assert not Arrival.objects.exists()


# --- 8. the upload reader --------------------------------------------------------------------------------


def test_cr_only_lf_and_crlf_files_read_alike():
    for ending in (b"\r", b"\n", b"\r\n"):
        rows = read_rows(io.BytesIO(ending.join([b"a,b", b'"x",2', b""])))
        assert rows == [(1, ["a", "b"]), (2, ["x", "2"])]


def test_every_unreadable_row_is_named_in_chinese():
    big = b'1,"' + b"x" * (128 * 1024 + 1) + b'"\n'
    with pytest.raises(ImportRejected) as caught:
        read_rows(io.BytesIO(b"a,b\n" + big))
    assert caught.value.errors == ["第 2 行：有单元格超过 131072 个字符，请检查该行"]
    with pytest.raises(ImportRejected) as caught:
        read_rows(io.BytesIO("a,b\n好,c\x1b\n".encode()))
    assert caught.value.errors == ["第 2 行：第 2 列含有不允许的控制字符（U+001B）"]
    with pytest.raises(ImportRejected) as caught:
        read_rows(io.BytesIO(b"PK\x03\x04" + b"\x00" * 64))
    assert "CSV" in caught.value.errors[0]


# --- 3. error pages and headers ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_our_chinese_pages_for_400_csrf_404_and_500(client, settings):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf = csrf_client.post(reverse("accounts:login"), {"username": "a", "password": "b"})
    assert csrf.status_code == 403 and "页面已过期，请重新提交" in csrf.content.decode()
    assert "CSRF verification failed" not in csrf.content.decode()
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404 and "页面不存在" in missing.content.decode()
    bad_host = Client(HTTP_HOST="evil.example").get("/")
    assert bad_host.status_code == 400 and "请求有误" in bad_host.content.decode()
    from django.test import RequestFactory

    from shebao.core.views import server_error

    assert "系统暂时无法处理您的请求" in server_error(RequestFactory().get("/")).content.decode()


@pytest.mark.django_db
def test_every_answer_carries_the_content_security_policy_without_unsafe_inline(client):
    for url in ("/", "/accounts/login/", "/no-such-page/", "/healthz"):
        policy = client.get(url)["Content-Security-Policy"]
        assert (
            "default-src 'self'" in policy and "style-src 'self'" in policy and "script-src 'self'" in policy
        )
        assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy


def test_one_https_switch_turns_on_secure_cookies_redirect_and_hsts(tmp_path):
    from shebao.core.tests.test_settings import load  # runs the settings module in a fresh interpreter

    probe = (
        "import json, django; from django.conf import settings; django.setup(); print(json.dumps({k: "
        "getattr(settings, k) for k in ('SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_SSL_REDIRECT', "
        "'SECURE_HSTS_SECONDS', 'SECURE_PROXY_SSL_HEADER')}))"
    )
    off, on = (
        _settings(tmp_path, probe),
        _settings(tmp_path, probe, SHEBAO_HTTPS="1", SHEBAO_TRUSTED_PROXIES="1"),
    )
    assert off == {
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_PROXY_SSL_HEADER": None,
    }
    assert on == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
    }
    assert load  # the same probe mechanism as the settings tests


def _settings(tmp_path, probe: str, **env) -> dict:
    import json
    import os
    import subprocess
    import sys

    clean = {k: v for k, v in os.environ.items() if not k.startswith("SHEBAO_")}
    clean.update({"DJANGO_SETTINGS_MODULE": "shebao.settings", "SHEBAO_DATA_DIR": str(tmp_path)}, **env)
    out = subprocess.run([sys.executable, "-c", probe], env=clean, cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- 10. installing ----------------------------------------------------------------------------------------


def test_ci_and_readme_upgrade_pip_and_setuptools_before_installing():
    for path in (ROOT / ".ci" / "run", ROOT / "README.md"):
        for line in path.read_text().splitlines():
            if "pip install" in line and "-e " in line:
                assert (
                    "pip install -q -U pip setuptools" in line or "pip install -U pip setuptools" in line
                ), line
                assert line.index("-U pip setuptools") < line.index("-e ")


def test_the_hostile_corpus_is_one_place():
    assert {"nul", "superscript_digit", "ten_thousand_chars", "emoji", "html", "formula", "date_9999"} <= set(
        HOSTILE_VALUES
    )
