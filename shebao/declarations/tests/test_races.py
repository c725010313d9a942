"""Races: two reviewers claiming or approving the same declaration at once — exactly one wins, the other is
told; two identical submissions at once make one declaration. Real threads on PostgreSQL (SQLite serialises
its write transactions, so there the same guards are shown with a stale copy in test_workflow.py)."""

import threading

import pytest
from django.db import connection, connections

from shebao.accounts.services import account_create
from shebao.core.errors import DomainError
from shebao.declarations import services
from shebao.declarations.models import Declaration, DeclarationEvent, State
from shebao.persons.models import Employment

from .conftest import NEW_ID, TODAY, h01_raw

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="thread races need PostgreSQL"),
]


def race(*calls):
    """Run the calls in threads released together; returns [(result or None, error or None)]."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = (call(), None)
        except DomainError as exc:
            outcomes[index] = (None, exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcomes


@pytest.fixture
def second_reviewer(personas):
    return account_create(
        username="reviewer2",
        password="x" * 10,
        kind="staff",
        display_name="审核员乙",
        office_roles=("is_reviewer",),
    )


def _submitted(personas):
    return services.declaration_submit(
        employer=personas.employer_a, item_code="H01", raw=h01_raw(), actor=personas.operator_a, today=TODAY
    )


def test_two_reviewers_claim_one_wins(personas, second_reviewer):
    for _round in range(3):
        Declaration.objects.all().delete()
        declaration = _submitted(personas)
        pk = declaration.pk

        def claim(reviewer, pk=pk):
            return services.declaration_claim(declaration=Declaration.objects.get(pk=pk), actor=reviewer)

        outcomes = race(lambda: claim(personas.reviewer), lambda: claim(second_reviewer))
        winners = [r for r, e in outcomes if r is not None]
        losers = [e for r, e in outcomes if e is not None]
        assert len(winners) == 1 and len(losers) == 1
        assert "已被" in losers[0].message and "认领" in losers[0].message
        assert DeclarationEvent.objects.filter(declaration=declaration, action="claim").count() == 1
        assert Declaration.objects.get(pk=declaration.pk).claimed_by_id == winners[0].claimed_by_id


def test_two_approvals_one_wins_and_the_effect_applies_once(personas, second_reviewer):
    """Both reviewers bulk-approve the same submitted declaration at the same moment."""
    declaration = _submitted(personas)
    outcomes = race(
        lambda: services.declarations_bulk_approve(
            declarations=[Declaration.objects.get(pk=declaration.pk)], actor=personas.reviewer, today=TODAY
        ),
        lambda: services.declarations_bulk_approve(
            declarations=[Declaration.objects.get(pk=declaration.pk)], actor=second_reviewer, today=TODAY
        ),
    )
    results = [r[0] for r, _e in outcomes]
    assert sorted(ok for _d, ok, _m in results) == [False, True]
    loser_message = next(m for _d, ok, m in results if not ok)
    assert "已被" in loser_message or "已由" in loser_message
    assert Declaration.objects.get(pk=declaration.pk).state == State.COMPLETED
    assert Employment.objects.filter(person__id_number=NEW_ID).count() == 1
    assert DeclarationEvent.objects.filter(declaration=declaration, action="approve").count() == 1


def test_double_approve_by_the_claimer(personas):
    declaration = _submitted(personas)
    services.declaration_claim(declaration=declaration, actor=personas.reviewer)
    outcomes = race(
        lambda: services.declaration_approve(
            declaration=Declaration.objects.get(pk=declaration.pk), actor=personas.reviewer, today=TODAY
        ),
        lambda: services.declaration_approve(
            declaration=Declaration.objects.get(pk=declaration.pk), actor=personas.reviewer, today=TODAY
        ),
    )
    assert sorted(e is None for _r, e in outcomes) == [False, True]
    assert Employment.objects.filter(person__id_number=NEW_ID).count() == 1


def test_double_submit_at_once_makes_one_declaration(personas):
    def submit():
        return services.declaration_submit(
            employer=personas.employer_a,
            item_code="H01",
            raw=h01_raw(),
            actor=personas.operator_a,
            today=TODAY,
            idempotency_key="same-form",
        )

    outcomes = race(submit, submit)
    assert all(e is None for _r, e in outcomes)
    assert outcomes[0][0].pk == outcomes[1][0].pk
    assert Declaration.objects.count() == 1


def test_numbers_unique_under_concurrency(db):
    numbers = []

    def take():
        numbers.append(services.next_number())
        return True

    race(*[take for _ in range(6)])
    assert len(set(numbers)) == 6
