"""Load test: a mixed workload with locust (headless) against one or more servers, loopback only.

    # start each server itself (on the database of SHEBAO_DATABASE_URL, demo personas), measure, stop it:
    .venv/bin/python benchmarks/load.py --servers waitress,gunicorn:2,granian:2 --users 50,100,200 --think 0,1
    # an already running address (e.g. nginx in front of N processes, see .ci/smoke_https.sh):
    .venv/bin/python benchmarks/load.py --target https://127.0.0.1:8443 --users 100 --think 1

The workload (weights per simulated user): employer operators (6) browse the query pages Q01–Q19 with their
defaults, the Q03 drill-down, a CSV export of the roster, and submit an H01 enrolment for a new person now and
then; reviewers (1) open the review queue and claim + approve the oldest submitted declaration; individuals (3)
read their own record (Q07, Q09, 个人信息). Logging in is measured apart (``--logins N``: N logins at once, each
timed), because argon2 is deliberately slow; the simulated users share sessions logged in beforehand (not timed).

Every run is bounded: ``--duration`` seconds of load per (server, users, think) cell, locust stopped after that,
servers started here stopped (SIGTERM, then SIGKILL) at the end. Only loopback addresses are accepted.

This file is also the locustfile (the classes below); locust is started as a subprocess on it.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import http.cookiejar
import json
import os
import random
import re
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
STOP_TIMEOUT = 90  # seconds locust waits at the end for the requests in flight
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
REVIEW_NUMBER = re.compile(r'href="/office/review/([A-Za-z0-9-]*[0-9][A-Za-z0-9-]*)/"')

# ---------------------------------------------------------------------------------------------------------------
# The locustfile part: runs inside the locust process (LOAD_SESSIONS names the JSON file of logged-in sessions).
# ---------------------------------------------------------------------------------------------------------------
try:
    from locust import FastHttpUser, between, constant, task
except ImportError:  # the orchestrator runs without importing locust's monkey-patching
    FastHttpUser = None

if FastHttpUser is not None and os.environ.get("LOAD_SESSIONS"):
    SESSIONS = json.loads(Path(os.environ["LOAD_SESSIONS"]).read_text())
    THINK = float(os.environ.get("LOAD_THINK", "0"))
    WAIT = constant(0) if THINK <= 0 else between(THINK * 0.5, THINK * 1.5)
    Q = "/portal/items/"
    EMPLOYER_PAGES = [f"{Q}Q{n:02d}/" for n in range(1, 20) if n not in (7, 8, 9)]
    CURRENT = int(SESSIONS["current_period"])
    _counter = iter(range(10**9))

    class SessionUser(FastHttpUser):
        abstract = True
        wait_time = WAIT
        role = ""

        def on_start(self):
            session = random.choice(SESSIONS[self.role])
            self.cookie = f"sessionid={session['sessionid']}; csrftoken={session['csrftoken']}"
            self.csrftoken = session["csrftoken"]

        def get(self, url, name=None):
            return self.client.get(url, name=name or url.split("?")[0], headers={"Cookie": self.cookie})

        def post(self, url, data, name=None):
            headers = {
                "Cookie": self.cookie,
                "Referer": self.host + url,
                "Content-Type": "application/x-www-form-urlencoded",
            }
            body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.csrftoken, **data}, doseq=True)
            return self.client.post(url, data=body, headers=headers, name=name or url)

    class EmployerOperator(SessionUser):
        weight = 6
        role = "employer"

        @task(12)
        def query_page(self):
            self.get(random.choice(EMPLOYER_PAGES))

        @task(3)
        def drill_down(self):
            insurance = random.choice(["pension", "medical", "unemployment"])
            self.get(f"{Q}Q03/?period={CURRENT}&insurance={insurance}&part=employer", name=f"{Q}Q03/ 明细")

        @task(1)
        def export(self):
            self.get(f"{Q}Q02/?export=csv", name=f"{Q}Q02/ 导出")

        @task(1)
        def submit_enrolment(self):
            from shebao.core.idnumbers import make_id_number

            url = f"{Q}H01/"
            page = self.get(url)
            found = FORM_TOKEN.search(page.text or "")
            if not found:
                return
            seq = (os.getpid() * 7919 + next(_counter)) % 1000
            birth = dt.date(1970, 1, 1) + dt.timedelta(days=random.randrange(0, 12000))
            gender = "M" if seq % 2 else "F"
            data = {
                "id_number": make_id_number("330106", birth, seq),
                "name": "压测" + random.choice("伟芳娜敏静丽强磊军洋"),
                "gender": gender,
                "birth_date": birth.isoformat(),
                "ethnicity": "汉族",
                "hukou_type": "local_urban",
                "phone": "13900000001",
                "address": "杭州市西湖区文二路1号",
                "employment_form": "contract",
                "start_period": str(CURRENT),
                "wage": "8000.00",
                "insurances": ["pension", "medical", "unemployment", "injury", "maternity"],
                "action": "submit",
                "form_token": found.group(1),
            }
            self.post(url, data, name=f"{url} 申报")

    class Reviewer(SessionUser):
        weight = 1
        role = "reviewer"

        @task(3)
        def queue(self):
            self.get("/office/review/")

        @task(1)
        def approve_oldest(self):
            page = self.get("/office/review/?state=submitted", name="/office/review/ 待审")
            numbers = REVIEW_NUMBER.findall(page.text or "")
            if not numbers:
                return
            url = f"/office/review/{numbers[0]}/"
            self.post(url, {"action": "claim"}, name="/office/review/<n>/ 认领")
            self.post(url, {"action": "approve", "comment": "同意"}, name="/office/review/<n>/ 通过")

    class Individual(SessionUser):
        weight = 3
        role = "individual"

        @task
        def own_record(self):
            self.get(random.choice([f"{Q}Q07/", f"{Q}Q09/", "/portal/me/"]))


# ---------------------------------------------------------------------------------------------------------------
# The orchestrator: sessions, servers, locust runs, the login burst, the table.
# ---------------------------------------------------------------------------------------------------------------
def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check_loopback(url: str) -> None:
    host = urllib.parse.urlsplit(url).hostname or ""
    if host not in LOOPBACK:
        raise SystemExit(f"refusing to load {host!r}: loopback addresses only")


def _opener():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the smoke set-up's self-signed certificate
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(jar), urllib.request.HTTPSHandler(context=context)
    )
    return opener, jar


def login(base: str, username: str, password: str, kind: str) -> dict:
    """Log in through the real login page; the session and CSRF cookies."""
    opener, jar = _opener()
    page = opener.open(f"{base}/accounts/login/", timeout=60).read().decode()
    data = {"csrfmiddlewaretoken": TOKEN.search(page).group(1), "username": username}
    data.update(password=password, kind=kind)
    request = urllib.request.Request(
        f"{base}/accounts/login/", data=urllib.parse.urlencode(data).encode(), headers={"Referer": f"{base}/"}
    )
    landed = opener.open(request, timeout=60).geturl()
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies or "/accounts/login" in landed:
        raise SystemExit(f"login as {username} failed (landed on {landed})")
    return {"sessionid": cookies["sessionid"], "csrftoken": cookies["csrftoken"]}


def personas() -> dict:
    """The demo logins (usernames and password) from the database of SHEBAO_DATABASE_URL."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shebao.settings")
    import django

    django.setup()
    from shebao.core.period import Period
    from shebao.demo.personas import DEMO_PASSWORD, personas_list

    by_user = {p.username: p for p in personas_list()}
    individual = next(p.username for p in personas_list() if p.username[:1].isdigit())
    missing = {"employer_operator", "reviewer"} - set(by_user)
    if missing:
        raise SystemExit(f"the database has no demo personas {missing}: run `shebao demo --no-serve` first")
    return {
        "password": DEMO_PASSWORD,
        "employer": "employer_operator",
        "reviewer": "reviewer",
        "individual": individual,
        "current_period": Period.current().value,
    }


def sessions_make(base: str, who: dict, *, per_role: int) -> dict:
    kinds = {"employer": "employer", "reviewer": "staff", "individual": "individual"}
    made = {"current_period": who["current_period"]}
    for role, kind in kinds.items():
        made[role] = [login(base, who[role], who["password"], kind) for _ in range(per_role)]
    return made


def wait_healthy(base: str, proc: subprocess.Popen | None, timeout: float = 60) -> None:
    opener, _ = _opener()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            if opener.open(f"{base}/healthz", timeout=5).status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{base} did not become healthy in {timeout:.0f} s")


def server_start(spec: str, *, threads: int) -> tuple[subprocess.Popen, str]:
    name, _, count = spec.partition(":")
    workers = int(count or 1)
    port = free_port()
    args = [sys.executable, "-m", "shebao.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    args += ["--server", name, "--workers", str(workers), "--threads", str(threads)]
    args += ["--no-migrate", "--no-worker"]
    proc = subprocess.Popen(
        args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    wait_healthy(base, proc)
    return proc, base


def server_stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def locust_run(base: str, *, users: int, think: float, duration: int, sessions_file: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        prefix = f"{tmp}/run"
        env = {**os.environ, "LOAD_SESSIONS": sessions_file, "LOAD_THINK": str(think)}
        args = [sys.executable, "-m", "locust", "-f", __file__, "--headless", "--host", base]
        args += [
            "-u",
            str(users),
            "-r",
            str(max(10, users // 2)),
            "-t",
            f"{duration}s",
            # Every request still running when the time is up is waited for and counted: dropping them would
            # flatter a server that holds requests back (their time is the tail the percentiles must show).
            "--stop-timeout",
            str(STOP_TIMEOUT),
        ]
        args += ["--csv", prefix, "--only-summary", "--loglevel", "ERROR", "--exit-code-on-error", "0"]
        subprocess.run(
            args, env=env, cwd=ROOT, timeout=duration + STOP_TIMEOUT + 60, capture_output=True, check=True
        )
        with open(f"{prefix}_stats.csv", newline="") as fh:
            rows = list(csv.DictReader(fh))
        with open(f"{prefix}_failures.csv", newline="") as fh:
            failures = [(r["Name"], r["Error"], r["Occurrences"]) for r in csv.DictReader(fh)]
    total = next(r for r in rows if r["Name"] == "Aggregated")
    pages = {r["Name"]: r for r in rows if r["Name"] != "Aggregated"}
    return {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "rps": float(total["Requests/s"]),
        "mean": float(total["Average Response Time"]),
        "max": float(total["Max Response Time"]),
        "p50": float(total["50%"]),
        "p95": float(total["95%"]),
        "p99": float(total["99%"]),
        "pages": pages,
        "failure_kinds": failures[:5],
    }


def login_burst(base: str, who: dict, *, count: int) -> list[float]:
    """`count` logins started at the same moment, each timed from its login page GET to the landing page."""
    times: list[float] = []
    errors: list[str] = []
    gate = threading.Barrier(count)

    def one():
        gate.wait()
        began = time.perf_counter()
        try:
            login(base, who["employer"], who["password"], "employer")
            times.append(time.perf_counter() - began)
        except BaseException as exc:
            errors.append(repr(exc))

    threads = [threading.Thread(target=one) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    if errors:
        say(f"  login burst: {len(errors)} failed, first: {errors[0][:200]}")
    return sorted(times)


def loadavg() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--servers", default="waitress", help="comma-separated server[:processes] to start")
    parser.add_argument("--target", default=None, help="measure this running base URL instead of --servers")
    parser.add_argument("--users", default="50,100,200")
    parser.add_argument("--think", default="0,1", help="think times in seconds (0: none)")
    parser.add_argument(
        "--cells", default=None, help="explicit users:think pairs instead of users × think, e.g. 50:0,100:1"
    )
    parser.add_argument("--duration", type=int, default=30, help="seconds of load per cell")
    parser.add_argument("--threads", type=int, default=8, help="threads per server process")
    parser.add_argument("--logins", type=int, default=50, help="size of the login burst (0: none)")
    parser.add_argument("--sessions", type=int, default=8, help="logged-in sessions per role")
    parser.add_argument("--rounds", type=int, default=1, help="repeat the servers in turn (A B C A B C …)")
    parser.add_argument("--json", default=None, help="write all figures to this file")
    args = parser.parse_args()

    who = personas()
    users = [int(u) for u in args.users.split(",") if u]
    thinks = [float(t) for t in args.think.split(",") if t]
    targets = [("target", args.target)] if args.target else [(s, None) for s in args.servers.split(",") if s]
    targets = targets * args.rounds  # interleaved, so a burst of load from elsewhere hits every server alike
    say(f"load average before: {loadavg()} on {os.cpu_count()} CPUs")
    results = []
    for label, base in targets:
        proc = None
        try:
            if base is None:
                proc, base = server_start(label, threads=args.threads)
            check_loopback(base)
            wait_healthy(base, proc)
            made = sessions_make(base, who, per_role=args.sessions)
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
                json.dump(made, fh)
                sessions_file = fh.name
            cells = [(u, t) for t in thinks for u in users]
            if args.cells:
                cells = [(int(c.split(":")[0]), float(c.split(":")[1])) for c in args.cells.split(",") if c]
            for count, think in cells:
                figures = locust_run(
                    base, users=count, think=think, duration=args.duration, sessions_file=sessions_file
                )
                row = {"server": label, "users": count, "think": think, "load": loadavg(), **figures}
                results.append(row)
                say(
                    f"  {label:<12} users {count:>4} think {think:>3}s: {row['rps']:7.1f} req/s  "
                    f"mean {row['mean']:6.0f}  p50 {row['p50']:6.0f}  p95 {row['p95']:6.0f}  p99 {row['p99']:6.0f} ms  "
                    f"errors {row['failures']}/{row['requests']}  load {row['load']}"
                )
                for kind in row["failure_kinds"]:
                    say(f"      failure: {kind}")
            if args.logins:
                times = login_burst(base, who, count=args.logins)
                if times:
                    results.append({"server": label, "login_burst": args.logins, "times": times})
                    say(
                        f"  {label:<12} {args.logins} logins at once: {len(times)} ok, "
                        f"median {statistics.median(times):.2f} s, max {times[-1]:.2f} s"
                    )
            os.unlink(sessions_file)
        finally:
            if proc is not None:
                server_stop(proc)
    say(f"load average after: {loadavg()}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str))
    print("\n| server | users | think | req/s | mean ms | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        if "rps" in r:
            print(
                f"| {r['server']} | {r['users']} | {r['think']:g} s | {r['rps']:.1f} | {r['mean']:.0f} | {r['p50']:.0f} | "
                f"{r['p95']:.0f} | {r['p99']:.0f} | {r['failures']}/{r['requests']} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
