"""Serving with a production WSGI server (waitress), static files through WhiteNoise."""

from __future__ import annotations


def serve(*, host: str, port: int, threads: int = 8, stdout=None) -> None:
    import waitress

    from shebao.wsgi import application

    if stdout is not None:
        stdout.write(f"服务已启动: http://{host}:{port}/  (Ctrl+C 停止)\n")
        stdout.flush()
    waitress.serve(application, host=host, port=port, threads=threads, ident="shebao")
