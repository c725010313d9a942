"""Serving with a production WSGI server (waitress), static files through WhiteNoise, and a task worker."""

from __future__ import annotations

import subprocess
import sys


def worker_start() -> subprocess.Popen:
    """Start one background-task worker (django-tasks-db) beside the web server, as its own process."""
    return subprocess.Popen([sys.executable, "-m", "shebao.cli", "worker"])


def serve(*, host: str, port: int, threads: int = 8, stdout=None, with_worker: bool = True) -> None:
    import waitress

    from shebao.wsgi import application

    worker = worker_start() if with_worker else None
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
