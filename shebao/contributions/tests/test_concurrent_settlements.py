"""Two settlement runs of different periods at once do not wait for each other (PostgreSQL; SQLite serialises
write transactions by design). Run A is held inside its transaction after writing its lines; run B of another
period must finish meanwhile. Before the run's rates were written and analysed outside the settlement's
transaction, B's ANALYZE waited for A's transaction to end."""

import threading

import pytest
from django.db import connection, connections

from shebao.contributions import rules, services
from shebao.contributions.models import SettlementRun

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"),
]


def test_a_second_period_settles_while_the_first_run_is_still_in_its_transaction(personas, monkeypatch):
    inside_a = threading.Event()
    release_a = threading.Event()
    real_due_date = rules.due_date

    def due_date(period, months):  # called by _settle after the lines are written
        if threading.current_thread().name == "run-a":
            inside_a.set()
            release_a.wait(60)
        return real_due_date(period, months)

    monkeypatch.setattr(rules, "due_date", due_date)
    outcome = {}

    def settle(name, period):
        try:
            outcome[name] = services.settlement_run(period=period, source="console").status
        finally:
            connections.close_all()

    a = threading.Thread(target=settle, args=("a", 202401), name="run-a")
    a.start()
    try:
        assert inside_a.wait(60), "run A did not reach its transaction"
        b = threading.Thread(target=settle, args=("b", 202402), name="run-b")
        b.start()
        b.join(30)
        finished_while_a_open = not b.is_alive()
    finally:
        release_a.set()
        a.join(60)
    assert finished_while_a_open, "run B waited for run A's transaction"
    assert outcome == {"a": "done", "b": "done"}
    assert set(SettlementRun.objects.values_list("period", "status")) == {(202401, "done"), (202402, "done")}
