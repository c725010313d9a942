"""The README's first command, end to end: `shebao demo` prepares a database, prints the logins, and serves them
with the production server; every printed login is accepted through the real login page."""

import http.cookiejar
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SHEBAO = [sys.executable, "-c", "from shebao.cli import main; raise SystemExit(main())"]

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("SHEBAO_DATABASE_URL")),
    reason="runs its own SQLite database; once per CI run is enough",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(args, env):
    return subprocess.run([*SHEBAO, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)


def login(base: str, username: str, password: str, kind: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": username, "password": password, "kind": kind}
    ).encode()
    request = urllib.request.Request(f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/"})
    response = opener.open(request)
    return response.geturl()


def test_demo_prepares_prints_logins_and_serves(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHEBAO_")}
    env.update(SHEBAO_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="shebao.settings")
    first = run(["demo", "--no-serve", "--employers", "6", "--persons", "120", "--period", "202611"], env)
    assert first.returncode == 0, first.stderr[-3000:]
    out = first.stdout
    logins = re.findall(r"^\s+(\S+)\s+用户名 (\S+)\s+→ (\S+)", out, flags=re.M)
    password = re.search(r"密码均为 (\S+?)\)", out).group(1)
    roles = [role for role, _, _ in logins]
    assert roles == [
        "单位管理员",
        "单位经办人",
        "另一单位经办人",
        "个人用户",
        "审核人员",
        "窗口受理人员",
        "系统管理员",
        "结算人员",
        "财务人员",
        "审计人员(只读)",
    ]

    # A rerun keeps the data and prints the same logins.
    again = run(["demo", "--no-serve"], env)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "保留现有数据" in again.stdout
    assert re.findall(r"用户名 (\S+)", again.stdout) == [u for _, u, _ in logins]

    port = free_port()
    server = subprocess.Popen(
        [*SHEBAO, "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                health = urllib.request.urlopen(f"{base}/healthz")
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("server did not start: " + server.stderr.read1().decode())
        assert health.status == 200
        assert b'"ok": true' in health.read()
        css = urllib.request.urlopen(f"{base}/static/shebao/site.css")
        assert css.status == 200 and b"--brand" in css.read()
        assert css.headers.get("Server") == "shebao"  # waitress with our ident, not runserver's WSGIServer
        # The worker started beside the server runs a settlement queued the way the office page queues it.
        queue = (
            "from django.db import transaction; from shebao.contributions import services; "
            "from shebao.contributions.tasks import settlement_run_task; "
            "run = services.settlement_start(period=202612, source='office'); "
            "transaction.on_commit(lambda: settlement_run_task.enqueue(run.pk)); print(run.pk)"
        )
        queued = run(["manage", "shell", "-c", queue], env)
        assert queued.returncode == 0, queued.stderr[-3000:]
        run_id = int(queued.stdout.strip().splitlines()[-1])
        status = "SELECT status FROM contributions_settlementrun WHERE id = ?"
        for _ in range(150):
            done = sqlite3.connect(tmp_path / "shebao.sqlite3").execute(status, (run_id,)).fetchone()[0]
            if done not in ("pending", "running"):
                break
            time.sleep(0.2)
        assert done == "done", done
        assert _workers_of(tmp_path), "the server should have started a worker"
        for role, username, where in logins:
            kind = (
                "staff" if where.endswith("/office/") else "individual" if role == "个人用户" else "employer"
            )
            landed = login(base, username, password, kind)
            assert landed.endswith(urllib.parse.urlparse(where).path), (username, landed)
    finally:
        server.terminate()
        server.wait(timeout=10)
    # The worker the server started stops with it (no orphan left polling the database).
    for _ in range(50):
        if not _workers_of(tmp_path):
            break
        time.sleep(0.2)
    assert not _workers_of(tmp_path)


def _workers_of(data_dir) -> list[int]:
    """PIDs of `shebao worker` processes serving `data_dir` (Linux /proc)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
            environ = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"worker" in cmdline and f"SHEBAO_DATA_DIR={data_dir}".encode() in environ:
            found.append(int(proc.name))
    return found
