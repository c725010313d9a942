"""Serving with a production WSGI server (waitress), static files through WhiteNoise, and a task worker."""

from __future__ import annotations

import os
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


WILDCARD_HOSTS = {"", "0.0.0.0", "::", "[::]"}


def public_url_adopt(*, host: str, port: int) -> list[str]:
    """Unless SHEBAO_PUBLIC_URL was given, links printed into certificates and receipts (QR codes, 核验网址,
    login links) point at the address this process serves on. Returns the warnings to print at start."""
    from django.conf import settings

    warnings = []
    if settings.SHEBAO_PUBLIC_URL_GIVEN:
        return warnings
    shown = "127.0.0.1" if host in WILDCARD_HOSTS else (f"[{host}]" if ":" in host else host)
    url = f"http://{shown}:{port}"
    settings.SHEBAO_PUBLIC_URL = url
    os.environ["SHEBAO_PUBLIC_URL"] = url  # the worker started below prints the same links
    if host in WILDCARD_HOSTS or not settings.DEBUG:
        warnings.append(
            f"注意：未设置 SHEBAO_PUBLIC_URL，证明和回执上的二维码与核验网址将指向 {url}；"
            "对外服务时请把 SHEBAO_PUBLIC_URL 设为公众访问的网址(如 https://shebao.example.gov.cn)。"
        )
    return warnings


def serve(*, host: str, port: int, threads: int = 8, stdout=None, with_worker: bool = True) -> None:
    import waitress

    from shebao.wsgi import application

    warnings = public_url_adopt(host=host, port=port)
    worker = worker_start() if with_worker else None
    _stop_on_sigterm()
    if stdout is not None:
        stdout.write(f"服务已启动: http://{host}:{port}/  (Ctrl+C 停止)\n")
        for line in warnings:
            stdout.write(line + "\n")
    else:
        for line in warnings:
            sys.stderr.write(line + "\n")
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
