"""The live server the browser tests drive: on SQLite's in-memory (shared-cache) test database, requests at the
same moment — two browser contexts, a page beside an office page writing its access-log row — each answer as if
alone. Before the conftest's OneRequestAtATimeServer, this failed with "database table is locked" on the session
save, which Django answers with a plain 400 (SessionInterrupted): the 400 the H01→progress journey met once the
office's access log wrote on staff reads."""

import threading
import urllib.request

import pytest
from django.test import Client

from shebao.testing import Personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_concurrent_requests_with_sessions_never_fail(live_server):
    personas = Personas()
    cookies = []
    for user in (personas.operator_a, personas.clerk, personas.reviewer, personas.office_admin):
        client = Client()
        client.force_login(user)
        cookies.append(f"sessionid={client.cookies['sessionid'].value}")
    paths = ["/portal/items/progress/", "/office/", "/office/review/", "/office/persons/?q=%E7%8E%8B"]
    statuses: list[int] = []
    lock = threading.Lock()

    def hammer(cookie, path):
        for _ in range(15):
            request = urllib.request.Request(live_server.url + path, headers={"Cookie": cookie})
            try:
                status = urllib.request.urlopen(request, timeout=60).status
            except urllib.error.HTTPError as exc:
                status = exc.code
            with lock:
                statuses.append(status)

    threads = [
        threading.Thread(target=hammer, args=(cookie, path))
        for cookie, path in zip(cookies, paths, strict=True)
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(statuses) == 120
    assert set(statuses) == {200}, sorted(set(statuses))
