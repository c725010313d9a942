"""Read replica (SHEBAO_REPLICA_URL) against a real PostgreSQL streaming replica (deploy/replica.sh): query pages
read the replica, a user's own declaration is visible to them at once (read-your-writes), and /healthz reports
the replica's lag. Replay on the replica is paused during the test so that "read from the replica" is visible:
a change to the employer's record made on the primary shows on the Q01 page of a colleague (who reads the
replica) only once replay resumes, while the operator who has just written reads the primary and sees it.

Runs only when SHEBAO_TEST_REPLICA_SERVER names the replica server (e.g. postgres://postgres@127.0.0.1:5433,
after `deploy/replica.sh start`) and SHEBAO_DATABASE_URL the primary it replicates."""

import datetime as dt
import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from shebao.core.idnumbers import make_id_number

ROOT = Path(__file__).resolve().parents[3]
SHEBAO = [sys.executable, "-c", "from shebao.cli import main; raise SystemExit(main())"]
REPLICA_SERVER = os.environ.get("SHEBAO_TEST_REPLICA_SERVER", "").rstrip("/")
PRIMARY_URL = os.environ.get("SHEBAO_DATABASE_URL", "")
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
STICKY = 5

pytestmark = pytest.mark.skipif(
    not (REPLICA_SERVER and PRIMARY_URL.startswith("postgres")),
    reason="no streaming replica configured: start one with deploy/replica.sh and set "
    "SHEBAO_TEST_REPLICA_SERVER=postgres://postgres@127.0.0.1:5433 (with SHEBAO_DATABASE_URL on its primary)",
)


def _server_of(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _sql(url: str, statement: str, *, autocommit: bool = True):
    import psycopg

    with psycopg.connect(url, autocommit=autocommit) as conn:
        cursor = conn.execute(statement)
        return cursor.fetchall() if cursor.description else None


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[str, str]:
        response = self.opener.open(self.base + path, timeout=60)
        return response.geturl(), response.read().decode()

    def post(self, path: str, data: dict) -> tuple[str, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        response = self.opener.open(request, timeout=60)
        return response.geturl(), response.read().decode()

    def login(self, username: str, password: str, kind: str) -> None:
        _, page = self.get("/accounts/login/")
        data = {"csrfmiddlewaretoken": TOKEN.search(page).group(1), "username": username}
        landed, _ = self.post("/accounts/login/", {**data, "password": password, "kind": kind})
        assert "/accounts/login" not in landed, landed


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def replicated_database():
    name = f"shebao_replica_test_{os.getpid()}"
    primary_admin = _server_of(PRIMARY_URL) + "/postgres"
    _sql(primary_admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _sql(primary_admin, f'CREATE DATABASE "{name}"')
    try:
        yield _server_of(PRIMARY_URL) + f"/{name}", f"{REPLICA_SERVER}/{name}"
    finally:
        _sql(f"{REPLICA_SERVER}/postgres", "SELECT pg_wal_replay_resume()")
        _sql(primary_admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _wait(what, check, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:
            pass
        time.sleep(0.3)
    pytest.fail(f"timed out waiting for {what}")


def test_own_declaration_visible_at_once_others_read_the_replica_and_healthz_reports_lag(
    tmp_path, replicated_database
):
    primary, replica = replicated_database
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHEBAO_")}
    env.update(
        SHEBAO_DATA_DIR=str(tmp_path),
        SHEBAO_DATABASE_URL=primary,
        SHEBAO_REPLICA_URL=replica,
        SHEBAO_REPLICA_STICKY_SECONDS=str(STICKY),
        DJANGO_SETTINGS_MODULE="shebao.settings",
    )
    prepared = subprocess.run(
        [*SHEBAO, "demo", "--no-serve", "--employers", "4", "--persons", "40"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert prepared.returncode == 0, prepared.stderr[-3000:]
    password = re.search(r"密码均为 (\S+?)\)", prepared.stdout).group(1)
    _wait(
        "the demo data on the replica", lambda: _sql(replica, "SELECT count(*) FROM accounts_user")[0][0] >= 7
    )

    port = _free_port()
    server = subprocess.Popen(
        [*SHEBAO, "serve", "--port", str(port), "--no-migrate", "--no-worker"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        anonymous = Browser(base)
        _wait("the server", lambda: anonymous.get("/healthz"))
        health = json.loads(anonymous.get("/healthz")[1])
        assert health["replica"]["ok"] and health["replica"]["in_recovery"], health

        operator, colleague = Browser(base), Browser(base)
        operator.login("employer_operator", password, "employer")
        colleague.login("employer_admin", password, "employer")  # the same employer, another browser
        time.sleep(STICKY + 1)  # the logins' own read-your-writes window has passed for both

        _sql(f"{REPLICA_SERVER}/postgres", "SELECT pg_wal_replay_pause()")
        _wait("replay to pause", lambda: _sql(replica, "SELECT pg_is_wal_replay_paused()")[0][0])

        # The operator enrols a new person; the page after the write (and their list) shows it at once.
        _, page = operator.get("/portal/items/H01/")
        period = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=8)).strftime("%Y%m")
        form = {
            "csrfmiddlewaretoken": TOKEN.search(page).group(1), "form_token": FORM_TOKEN.search(page).group(1),
            "id_number": make_id_number("330106", dt.date(1993, 4, 5), 17), "name": "复制测试", "gender": "M",
            "birth_date": "1993-04-05", "ethnicity": "汉族", "hukou_type": "local_urban", "phone": "13900000001",
            "address": "杭州市西湖区文二路1号", "employment_form": "contract", "start_period": period,
            "wage": "8000.00", "insurances": ["pension", "medical"], "action": "submit",
        }  # fmt: skip
        landed, shown = operator.post("/portal/items/H01/", form)
        number = urllib.parse.parse_qs(urllib.parse.urlsplit(landed).query)["open"][0]
        assert number in shown and "申报成功" in shown
        assert number in operator.get("/portal/items/progress/")[1]

        # Meanwhile the employer's address changes on the primary (another office's write). The operator, inside
        # their read-your-writes window, reads the primary; their colleague's query page reads the replica.
        _sql(primary, "UPDATE employers_employer SET address = '杭州市滨江区复制路9号' "
             "WHERE id = (SELECT employer_id FROM accounts_user WHERE username = 'employer_operator')")  # fmt: skip
        assert "复制路9号" in operator.get("/portal/items/Q01/")[1]
        assert "复制路9号" not in colleague.get("/portal/items/Q01/")[1]
        lagging = json.loads(anonymous.get("/healthz")[1])["replica"]
        assert lagging["replay_paused"] and lagging["lag_bytes"] > 0, lagging

        # Replay resumes: the colleague sees the new address; the replica catches up.
        _sql(f"{REPLICA_SERVER}/postgres", "SELECT pg_wal_replay_resume()")
        _wait("the colleague to see it", lambda: "复制路9号" in colleague.get("/portal/items/Q01/")[1], 30)

        def caught_up():
            status = json.loads(anonymous.get("/healthz")[1])["replica"]
            return not status["replay_paused"] and status["lag_seconds"] < 5

        _wait("the replica to catch up", caught_up)
        # After the sticky window the operator reads the replica again: the caught-up replica has it all.
        time.sleep(STICKY + 1)
        assert "复制路9号" in operator.get("/portal/items/Q01/")[1]
        assert number in operator.get("/portal/items/progress/")[1]
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
