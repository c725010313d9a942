"""Serving with a production WSGI server (waitress), static files through WhiteNoise, and a task worker."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the worker gets SIGTERM when the server process dies, even if the server is killed outright."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def worker_start() -> subprocess.Popen:
    """Start one background-task worker (django-tasks-db) beside the web server, as its own process."""
    linux = sys.platform.startswith("linux")
    return subprocess.Popen(
        [sys.executable, "-m", "shebao.cli", "worker"], preexec_fn=_die_with_parent if linux else None
    )


def _stop_on_sigterm() -> None:
    """SIGTERM (systemd, docker stop, kill) ends the server like Ctrl+C, so that `finally` stops the worker."""
    if threading.current_thread() is threading.main_thread():

        def stop(signum, frame):
            raise SystemExit(0)

        signal.signal(signal.SIGTERM, stop)


def serve(*, host: str, port: int, threads: int = 8, stdout=None, with_worker: bool = True) -> None:
    import waitress

    from shebao.wsgi import application

    worker = worker_start() if with_worker else None
    _stop_on_sigterm()
    if stdout is not None:
        stdout.write(f"服务已启动: http://{host}:{port}/  (Ctrl+C 停止)\n")
        if worker is not None:
            stdout.write("后台任务处理进程已启动(结算等后台任务)。\n")
        stdout.flush()
    try:
        waitress.serve(application, host=host, port=port, threads=threads, ident="shebao")
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
