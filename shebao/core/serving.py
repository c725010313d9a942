"""Serving with a production WSGI server, static files through WhiteNoise, and a task worker.

One process: waitress (threads). Several processes (`shebao serve --workers N`): gunicorn's pre-fork arbiter with
N threaded (gthread) workers — chosen on figures against granian, whose backpressure queue left some requests
waiting 49 s while others were served (benchmarks/README.md "Servers") — or granian when asked.
Graceful restart: SIGHUP to the serving process (gunicorn and granian start new workers on the new code and let
the old ones finish their requests); SIGTERM stops gracefully (requests in flight are finished).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

PR_SET_PDEATHSIG = 1
SERVERS = ("waitress", "gunicorn", "granian")
# What `--workers N` uses when N > 1 and no --server is named (measured, see benchmarks/README.md).
MULTIPROCESS_SERVER = "gunicorn"
GRACEFUL_TIMEOUT = 30  # seconds a stopping worker gets to finish its requests


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


def server_choose(*, workers: int, server: str | None) -> str:
    """The server for this many processes: waitress for one (unless another is named), the measured
    multi-process server for more. waitress runs one process only."""
    if server is None:
        return "waitress" if workers <= 1 else MULTIPROCESS_SERVER
    if server not in SERVERS:
        raise ValueError(f"unknown server {server!r}; one of {', '.join(SERVERS)}")
    if server == "waitress" and workers > 1:
        raise ValueError("waitress runs one process; use --server gunicorn or granian for --workers > 1")
    return server


def _serve_waitress(*, host: str, port: int, threads: int) -> None:
    import waitress

    from shebao.wsgi import application

    _stop_on_sigterm()
    # waitress would drop X-Forwarded-For/-Proto from a proxy it was not told about: the application decides whom
    # to trust (SHEBAO_TRUSTED_PROXIES → accounts.middleware.client_ip, SECURE_PROXY_SSL_HEADER), as under gunicorn.
    # Dropped, every request behind the TLS proxy looked like plain http: SECURE_SSL_REDIRECT looped.
    waitress.serve(
        application,
        host=host,
        port=port,
        threads=threads,
        ident="shebao",
        clear_untrusted_proxy_headers=False,
    )


def _serve_gunicorn(*, host: str, port: int, threads: int, workers: int) -> None:
    from gunicorn.app.base import BaseApplication

    class ShebaoGunicorn(BaseApplication):
        def load_config(self):
            settings = {
                "bind": [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"],
                "workers": workers,
                "worker_class": "gthread",
                "threads": threads,
                "graceful_timeout": GRACEFUL_TIMEOUT,
                "timeout": 120,
                "keepalive": 5,
                "proc_name": "shebao",
                # Each worker imports the application itself, so a SIGHUP's new workers run the new code.
                "preload_app": False,
                "accesslog": None,
                "errorlog": "-",
                "loglevel": "warning",
            }
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self):
            from shebao.wsgi import application

            return application

    ShebaoGunicorn().run()


def _serve_granian(*, host: str, port: int, threads: int, workers: int) -> None:
    from granian import Granian
    from granian.constants import Interfaces

    Granian(
        target="shebao.wsgi:application",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=threads,
        backpressure=threads,
        workers_kill_timeout=GRACEFUL_TIMEOUT,
        respawn_failed_workers=True,
        log_level="warning",
    ).serve()


def serve(
    *,
    host: str,
    port: int,
    threads: int = 8,
    workers: int = 1,
    server: str | None = None,
    stdout=None,
    with_worker: bool = True,
) -> None:
    from django.db import connections

    chosen = server_choose(workers=workers, server=server)
    connections.close_all()  # the migrate check's connection must not be shared by forked processes
    warnings = public_url_adopt(host=host, port=port)
    worker = worker_start() if with_worker else None
    if stdout is not None:
        stdout.write(
            f"服务已启动: http://{host}:{port}/  ({chosen}, {workers} 个进程 × {threads} 线程; Ctrl+C 停止)\n"
        )
        for line in warnings:
            stdout.write(line + "\n")
        if worker is not None:
            stdout.write("后台任务处理进程已启动(结算等后台任务)。\n")
        stdout.flush()
    else:
        for line in warnings:
            sys.stderr.write(line + "\n")
    try:
        if chosen == "waitress":
            _serve_waitress(host=host, port=port, threads=threads)
        elif chosen == "gunicorn":
            _serve_gunicorn(host=host, port=port, threads=threads, workers=workers)
        else:
            _serve_granian(host=host, port=port, threads=threads, workers=workers)
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
