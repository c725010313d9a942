"""The HTTPS smoke journey, run by .ci/smoke_https.sh against nginx (TLS) → portal and office processes → PostgreSQL.

    python .ci/smoke_https.py https://127.0.0.1:PORTAL_PORT https://127.0.0.1:OFFICE_PORT PASSWORD INDIVIDUAL

Each step prints one line; any failure raises (exit status 1). Every request has a timeout.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.client
import http.cookiejar
import os
import re
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

TIMEOUT = 60
CONTEXT = ssl.create_default_context()
CONTEXT.check_hostname = False
CONTEXT.verify_mode = ssl.CERT_NONE  # the smoke's own self-signed certificate
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


class SourceHTTPS(urllib.request.HTTPSHandler):
    """HTTPS from a chosen local address (127.0.0.2, 127.0.0.3 …): a client nginx sees as a different address."""

    def __init__(self, source: str):
        super().__init__(context=CONTEXT)
        self.source = source

    def https_open(self, req):
        conn = functools.partial(http.client.HTTPSConnection, source_address=(self.source, 0))
        return self.do_open(conn, req, context=CONTEXT)


class Browser:
    def __init__(self, base: str, source: str = "127.0.0.1"):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), SourceHTTPS(source)
        )

    def open(self, path: str, data: dict | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        if body is not None:
            request.add_header("Referer", self.base + path)
        try:
            response = self.opener.open(request, timeout=TIMEOUT)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace"), exc.geturl(), exc.headers
        return (
            response.status,
            response.read().decode("utf-8", "replace"),
            response.geturl(),
            response.headers,
        )

    def post_form(self, path: str, data: dict, headers: dict | None = None):
        status, page, _, _ = self.open(path)
        assert status == 200, (path, status)
        return self.open(path, {"csrfmiddlewaretoken": TOKEN.search(page).group(1), **data}, headers)

    def login(self, username: str, password: str, kind: str, headers: dict | None = None):
        return self.post_form(
            "/accounts/login/", {"username": username, "password": password, "kind": kind}, headers
        )

    def cookie(self, name: str):
        return next((c for c in self.jar if c.name == name), None)


def step(text: str) -> None:
    print(f"  ✓ {text}", flush=True)


def make_id_number(birth: dt.date, seq: int) -> str:
    first17 = f"330106{birth:%Y%m%d}{seq:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11]


def main(portal: str, office: str, password: str, individual: str) -> int:
    # TLS, HTTP/2 and the static files from nginx are checked by the shell script with curl.
    anonymous = Browser(portal)
    status, body, _, headers = anonymous.open("/healthz")
    assert status == 200 and '"ok": true' in body, body
    step("portal /healthz over HTTPS through nginx")
    status, _, _, _ = anonymous.open("/office/")
    assert status == 404, status
    step("the portal host does not serve the office (404)")

    # An employer operator logs in and runs a query.
    operator = Browser(portal)
    status, page, landed, _ = operator.login("employer_operator", password, "employer")
    assert status == 200 and "/accounts/login" not in landed, (status, landed)
    session = operator.cookie("sessionid")
    assert session is not None and session.secure, "the session cookie must be Secure behind TLS"
    step("employer operator logged in over HTTPS (Secure session cookie)")
    status, page, _, _ = operator.open("/portal/items/Q02/")
    assert status == 200 and "参保职工名单" in page, (status, page[:3000])
    step("Q02 roster page")
    status, page, _, _ = operator.open("/portal/items/Q03/")
    assert status == 200, status
    step("Q03 payables page")

    # The operator enrols a new person (H01).
    now = dt.datetime.now(dt.UTC) + dt.timedelta(hours=8)  # Asia/Shanghai
    period = f"{now:%Y%m}"
    seq = int(time.time()) % 1000
    id_number = make_id_number(dt.date(1991, 5, 17), seq - seq % 2 + 1)  # odd sequence: a man
    status, page, _, _ = operator.open("/portal/items/H01/")
    assert status == 200, status
    form = {
        "csrfmiddlewaretoken": TOKEN.search(page).group(1),
        "form_token": FORM_TOKEN.search(page).group(1),
        "id_number": id_number,
        "name": "冒烟测试",
        "gender": "M",
        "birth_date": "1991-05-17",
        "ethnicity": "汉族",
        "hukou_type": "local_urban",
        "phone": "13900000001",
        "address": "杭州市西湖区文二路1号",
        "employment_form": "contract",
        "start_period": period,
        "wage": "8000.00",
        "insurances": ["pension", "medical", "unemployment", "injury", "maternity"],
        "action": "submit",
    }
    status, page, landed, _ = operator.open("/portal/items/H01/", form)
    number = urllib.parse.parse_qs(urllib.parse.urlsplit(landed).query).get("open", [""])[0]
    assert status == 200 and number, (status, landed, page[:2000])
    step(f"H01 submitted on the portal: {number}")

    # A reviewer approves it on the office host.
    reviewer = Browser(office)
    status, _, landed, _ = reviewer.login("reviewer", password, "staff")
    assert status == 200 and "/office/" in landed, (status, landed)
    status, page, _, _ = reviewer.open("/office/review/")
    assert status == 200 and number in page, status
    detail = f"/office/review/{number}/"
    status, page, _, _ = reviewer.open(detail)
    token = TOKEN.search(page).group(1)
    status, _, _, _ = reviewer.open(detail, {"csrfmiddlewaretoken": token, "action": "claim"})
    assert status == 200, status
    status, page, _, _ = reviewer.open(detail)
    token = TOKEN.search(page).group(1)
    status, page, _, _ = reviewer.open(
        detail, {"csrfmiddlewaretoken": token, "action": "approve", "comment": "同意"}
    )
    assert status == 200 and "已办结" in page, status
    step("the reviewer claimed and approved it on the office host")
    status, page, _, _ = operator.open(f"/portal/items/progress/?open={number}")
    assert status == 200 and "已办结" in page, status
    step("the operator sees it completed")

    # The office's administrator queues a settlement; the worker runs it.
    admin = Browser(office)
    admin.login("office_admin", password, "staff")
    # Approving the H01 above queued a re-settlement of this employer's open period (money follows the record);
    # while the worker runs it the office refuses a second run of the same period ("正在进行"), so wait for it.
    for _ in range(60):
        status, page, landed, _ = admin.post_form("/office/settlements/", {"period": period})
        run = re.search(r"/office/settlements/(\d+)/", landed)
        if run or "正在进行" not in page:
            break
        time.sleep(1)
    assert status == 200 and run, (
        status,
        landed,
        re.findall(r"<(?:p|li|div) class=\"[^\"]*(?:error|message|notice)[^\"]*\"[^>]*>(.*?)</", page, re.S),
    )
    shown = ""
    for _ in range(120):
        status, page, _, _ = admin.open(f"/office/settlements/{run.group(1)}/")
        shown = re.search(r'data-testid="run-status"><strong>([^<]+)</strong>', page).group(1)
        if shown in ("已完成", "失败"):
            break
        time.sleep(1)
    assert shown == "已完成", page[:3000]
    step(f"settlement of {period} queued on the office host and run by the worker")

    # The login limit sees the client's own address (X-Forwarded-For from nginx), not nginx's, and not one the
    # client made up: after three failures from 127.0.0.2 (SHEBAO_LOGIN_IP_MAX_FAILURES=3 in the smoke), whatever
    # X-Forwarded-For it sends, 127.0.0.2 is slowed down (SHEBAO_LOGIN_IP_DELAY_SECONDS) but a correct password
    # still logs in (issue 14: the address limit never refuses the right password); 127.0.0.3 is not slowed.
    forged = {"X-Forwarded-For": "198.51.100.7"}
    for _ in range(3):
        status, _, _, _ = Browser(portal, "127.0.0.2").login(
            "nobody_here", "wrong-password", "employer", forged
        )
        assert status == 401, status
    started = time.monotonic()
    status, _, landed, _ = Browser(portal, "127.0.0.2").login(
        "employer_operator", password, "employer", forged
    )
    slowed = time.monotonic() - started
    assert status == 200 and "/accounts/login" not in landed, (status, landed)
    # The delay (SHEBAO_LOGIN_IP_DELAY_SECONDS, 3 s in the smoke) is well above what a login takes on a busy
    # machine (over 1 s was seen while other test suites ran), so the two cases stay apart.
    delay = float(os.environ.get("SHEBAO_LOGIN_IP_DELAY_SECONDS", "3"))
    assert slowed >= delay, f"127.0.0.2 should be slowed down after 3 failures ({slowed:.2f} s)"
    started = time.monotonic()
    status, _, landed, _ = Browser(portal, "127.0.0.3").login("employer_operator", password, "employer")
    assert status == 200 and "/accounts/login" not in landed, (status, landed)
    unslowed = time.monotonic() - started
    assert unslowed < delay, f"127.0.0.3 should not be slowed down ({unslowed:.2f} s)"
    step(
        "the login limit counts the real client address (127.0.0.2 slowed, not refused; 127.0.0.3 not; "
        "forged XFF ignored)"
    )

    # The individual reads their record.
    person = Browser(portal)
    status, _, landed, _ = person.login(individual, password, "individual")
    assert status == 200 and "/accounts/login" not in landed, (status, landed)
    status, page, _, _ = person.open("/portal/items/Q09/")
    assert status == 200, status
    step("the individual reads Q09")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:5]))
