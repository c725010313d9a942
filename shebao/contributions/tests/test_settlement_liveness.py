"""A crashed settlement run (issue 14 point 7): a run carries its worker and a heartbeat; a run whose worker is
gone is failed automatically and its period can be settled again at once; an administrator can mark a stuck
run failed from the page, recorded on the run."""

import datetime as dt
import os
import signal
import socket
import subprocess
import sys

import pytest
from django.urls import reverse
from django.utils import timezone

from shebao.contributions import services
from shebao.contributions.models import SettlementRun
from shebao.core.errors import DomainError

pytestmark = pytest.mark.django_db
PERIOD = 202403


def _killed_worker() -> str:
    """The worker id of a real process that was killed with SIGKILL (as `kill -9` during a run)."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    worker = f"{socket.gethostname()}:{child.pid}:{services._process_start(child.pid)}"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    return worker


def _running(worker: str, heartbeat_ago: dt.timedelta) -> SettlementRun:
    run = services.settlement_start(period=PERIOD, source="console")
    now = timezone.now()
    SettlementRun.objects.filter(pk=run.pk).update(
        status="running", started_at=now - heartbeat_ago, heartbeat_at=now - heartbeat_ago, worker=worker
    )
    return run


def test_a_run_records_its_worker_and_heartbeat(personas):
    run = services.settlement_run(period=PERIOD)
    assert run.status == "done"
    host, pid, _start = run.worker.split(":")
    assert host == socket.gethostname() and int(pid) == os.getpid()
    assert run.heartbeat_at is not None and run.heartbeat_at >= run.started_at


def test_a_killed_run_is_failed_and_its_period_rerunnable_without_waiting(personas):
    killed = _running(_killed_worker(), heartbeat_ago=dt.timedelta(seconds=1))
    rerun = services.settlement_start(period=PERIOD, source="console")  # no two-hour wait
    killed.refresh_from_db()
    assert killed.status == "failed" and "已终止" in killed.message and killed.finished_at is not None
    assert services.settlement_execute(run=rerun).status == "done"


def test_a_live_worker_is_left_alone_however_old_its_heartbeat(personas):
    alive = _running(services.worker_id(), heartbeat_ago=dt.timedelta(hours=1))
    with pytest.raises(DomainError, match="结算正在进行"):
        services.settlement_start(period=PERIOD)
    alive.refresh_from_db()
    assert alive.status == "running"


@pytest.mark.parametrize(
    ("ago", "reaped"), [(dt.timedelta(minutes=4), False), (dt.timedelta(minutes=6), True)]
)
def test_a_worker_on_another_host_is_judged_by_its_heartbeat(personas, settings, ago, reaped):
    settings.SHEBAO_SETTLEMENT_STALE_SECONDS = 300
    other = _running("worker-2.internal:4242:777", heartbeat_ago=ago)
    assert services.settlement_runs_reap() == int(reaped)
    other.refresh_from_db()
    assert other.status == ("failed" if reaped else "running")
    if reaped:
        assert "没有心跳" in other.message


def test_the_office_page_fails_a_dead_run_and_an_administrator_marks_a_stuck_one(personas, login_as):
    admin = login_as(personas.office_admin)
    dead = _running(_killed_worker(), heartbeat_ago=dt.timedelta(seconds=1))
    page = admin.get(reverse("office:settlement", args=[dead.pk])).content.decode()
    assert "已终止" in page and 'data-testid="mark-failed"' not in page  # failed already: nothing to mark
    dead.refresh_from_db()
    assert dead.status == "failed"

    stuck = _running(services.worker_id(), heartbeat_ago=dt.timedelta(hours=3))  # alive but stuck
    url = reverse("office:settlement", args=[stuck.pk])
    assert 'data-testid="mark-failed"' in admin.get(url).content.decode()
    assert login_as(personas.reviewer).post(url, {"reason": "卡住"}).status_code == 403
    empty = admin.post(url, {"reason": "  "})
    assert empty.status_code == 400 and "请填写原因" in empty.content.decode()
    stuck.refresh_from_db()
    assert stuck.status == "running"
    response = admin.post(url, {"reason": "数据库维护中断，进程无响应"})
    assert response.status_code == 302
    stuck.refresh_from_db()
    assert stuck.status == "failed" and stuck.marked_failed_by == personas.office_admin
    assert "系统管理员" in stuck.message and "数据库维护中断" in stuck.message
    assert admin.post(url, {"reason": "再次"}).status_code == 400  # only a queued or running run
    assert services.settlement_start(period=PERIOD).status == "pending"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_settlements_page_reaps_outside_a_test_transaction(personas, login_as):
    """As served (autocommit, no surrounding transaction): the reaper's SELECT … FOR UPDATE ran outside a
    transaction, which PostgreSQL refuses — the office settlements page was a 500 whenever a run was queued."""
    killed = _running(_killed_worker(), heartbeat_ago=dt.timedelta(seconds=1))
    page = login_as(personas.office_admin).get(reverse("office:settlements"))
    assert page.status_code == 200
    killed.refresh_from_db()
    assert killed.status == "failed"
