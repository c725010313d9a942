"""Idempotency under concurrency: two identical submissions with the same Idempotency-Key at the same moment
make one declaration and the same answer (the unique constraint on employer × key decides). Real threads
and a live server on PostgreSQL."""

import json
import threading
import urllib.request

import pytest
from django.db import connection

from shebao.declarations.models import Declaration
from shebao.declarations.tests.conftest import h01_raw

from .conftest import employer_token

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="thread races need PostgreSQL"),
]


def _post(url, secret, body, key):
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Authorization": f"Bearer {secret}",
            "Content-Type": "application/json",
            "Idempotency-Key": key,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _race(calls):
    barrier = threading.Barrier(len(calls))
    out = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        out[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    return out


@pytest.mark.parametrize("path", ["/api/v1/handling/H01/declarations", "/api/v1/handling/H01/drafts"])
def test_two_concurrent_requests_with_one_key_make_one_declaration(personas, live_server, settings, path):
    settings.SHEBAO_API_RATE = "10000/min"
    _token, secret = employer_token(personas.admin_a)
    url = live_server.url + path
    body = h01_raw() if path.endswith("declarations") else {"name": "刘洋"}
    for round_ in range(3):
        key = f"race-{path[-6:]}-{round_}"
        outcomes = _race([lambda k=key: _post(url, secret, body, k)] * 2)
        statuses = [s for s, _b in outcomes]
        assert statuses == [201, 201], outcomes
        assert outcomes[0][1]["number"] == outcomes[1][1]["number"]
        assert Declaration.objects.filter(employer=personas.employer_a, idempotency_key=key).count() == 1
