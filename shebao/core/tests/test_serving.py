"""`shebao serve --workers N --server S`: which server runs, and what is refused before anything starts."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shebao.core.serving import MULTIPROCESS_SERVER, server_choose


@pytest.mark.parametrize(
    ("workers", "server", "chosen"),
    [
        (1, None, "waitress"),
        (2, None, MULTIPROCESS_SERVER),
        (4, "gunicorn", "gunicorn"),
        (1, "granian", "granian"),
        (1, "waitress", "waitress"),
    ],
)
def test_server_for_the_number_of_processes(workers, server, chosen):
    assert server_choose(workers=workers, server=server) == chosen


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--workers", "2", "--server", "waitress"], "waitress runs one process"),
        (["--workers", "0"], "至少为 1"),
        (["--threads", "0"], "至少为 1"),
    ],
)
def test_impossible_combinations_are_refused_before_serving(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("serve", "--no-migrate", "--no-worker", *args)


def test_waitress_leaves_the_proxy_headers_to_the_application(monkeypatch):
    """Behind the TLS proxy a single-process `serve` (waitress) must pass X-Forwarded-Proto on: waitress drops
    it by default, and SHEBAO_HTTPS's redirect to https then loops (found by the HTTPS smoke's office host)."""
    import waitress

    from shebao.core import serving

    seen = {}
    monkeypatch.setattr(waitress, "serve", lambda app, **kwargs: seen.update(kwargs))
    monkeypatch.setattr(serving, "_stop_on_sigterm", lambda: None)
    serving._serve_waitress(host="127.0.0.1", port=0, threads=1)
    assert seen["clear_untrusted_proxy_headers"] is False
