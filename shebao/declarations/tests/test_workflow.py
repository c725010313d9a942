"""The state machine: every move from every state, allowed or refused, and the services around it."""

import pytest

from shebao.declarations import services
from shebao.declarations.models import Declaration, DeclarationEvent, State
from shebao.declarations.workflow import MOVES, TRANSITIONS, TransitionRefused, transition

from .conftest import TODAY, h01_raw

pytestmark = pytest.mark.django_db

# The diagram of workflow.md, written out by hand.
EXPECTED = {
    "draft": {"submitted"},
    "submitted": {"withdrawn", "in_review", "approved"},
    "in_review": {"approved", "rejected", "submitted"},
    "approved": {"awaiting_counter", "completed"},
    "awaiting_counter": {"completed"},
    "completed": set(),
    "rejected": {"submitted", "draft"},
    "withdrawn": set(),
}


def test_transition_table_is_the_diagram():
    assert TRANSITIONS == EXPECTED


def _declaration_in(state, employer) -> Declaration:
    return Declaration.objects.create(
        number=services.next_number(), employer=employer, item_code="H01", state=state, data=h01_raw()
    )


@pytest.mark.parametrize("state", list(State.values))
@pytest.mark.parametrize("action", list(MOVES))
def test_every_move_from_every_state(personas, state, action):
    declaration = _declaration_in(state, personas.employer_a)
    move = MOVES[action]
    if state in move.sources:
        row = transition(declaration, action, actor=personas.reviewer, comment="ok")
        assert row.state == move.target
        assert Declaration.objects.get(pk=declaration.pk).state == move.target
        event = DeclarationEvent.objects.get(declaration=declaration)
        assert (event.from_state, event.to_state, event.action, event.comment) == (
            state,
            move.target,
            action,
            "ok",
        )
        assert event.actor == personas.reviewer
    else:
        with pytest.raises(TransitionRefused) as refused:
            transition(declaration, action, actor=personas.reviewer)
        assert declaration.number in refused.value.message
        assert "不能" in refused.value.message
        assert Declaration.objects.get(pk=declaration.pk).state == state
        assert not DeclarationEvent.objects.filter(declaration=declaration).exists()


def test_refusal_names_the_state(personas):
    declaration = _declaration_in(State.COMPLETED, personas.employer_a)
    with pytest.raises(TransitionRefused) as refused:
        services.declaration_withdraw(
            declaration=declaration, employer=personas.employer_a, actor=personas.operator_a
        )
    assert "已办结" in refused.value.message and "撤回" in refused.value.message


def test_stale_copy_cannot_move_twice(personas):
    """A second request holding an old copy of the row is refused by the state check, not half-applied."""
    declaration = _declaration_in(State.SUBMITTED, personas.employer_a)
    stale = Declaration.objects.get(pk=declaration.pk)
    services.declaration_claim(declaration=declaration, actor=personas.reviewer)
    other = personas.clerk
    with pytest.raises(TransitionRefused) as refused:
        services.declaration_claim(declaration=stale, actor=other)
    assert "审核员甲" in refused.value.message
    assert Declaration.objects.get(pk=declaration.pk).claimed_by == personas.reviewer
    assert DeclarationEvent.objects.filter(declaration=declaration).count() == 1


def test_numbers_are_unique_and_readable(db):
    import datetime as dt

    day = dt.date(2026, 11, 26)
    first, second = services.next_number(day), services.next_number(day)
    assert first == "SB202611260000001" and second == "SB202611260000002"
    assert services.next_number(dt.date(2026, 11, 27)) == "SB202611270000001"


def test_submit_draft_withdraw_and_history(personas):
    employer, operator = personas.employer_a, personas.operator_a
    draft = services.declaration_save_draft(
        employer=employer, item_code="H01", raw=h01_raw(name=""), actor=operator
    )
    assert draft.state == State.DRAFT and draft.data["name"] == ""
    draft = services.declaration_save_draft(
        employer=employer, item_code="H01", raw=h01_raw(), actor=operator, declaration=draft
    )
    submitted = services.declaration_submit(
        employer=employer, item_code="H01", raw=h01_raw(), actor=operator, today=TODAY, declaration=draft
    )
    assert submitted.number == draft.number and submitted.state == State.SUBMITTED and submitted.version == 1
    assert submitted.versions.count() == 1
    services.declaration_withdraw(declaration=submitted, employer=employer, actor=operator)
    steps = list(submitted.events.values_list("action", "from_state", "to_state"))
    assert steps == [
        ("create", "", "draft"),
        ("submit", "draft", "submitted"),
        ("withdraw", "submitted", "withdrawn"),
    ]


def test_other_employer_cannot_touch_a_declaration(personas):
    declaration = services.declaration_submit(
        employer=personas.employer_a, item_code="H01", raw=h01_raw(), actor=personas.operator_a, today=TODAY
    )
    with pytest.raises(Exception) as refused:
        services.declaration_withdraw(
            declaration=declaration, employer=personas.employer_b, actor=personas.operator_b
        )
    assert "不存在" in str(refused.value)
    assert Declaration.objects.get(pk=declaration.pk).state == State.SUBMITTED


def test_only_the_claimer_approves_rejects_or_releases(personas):
    from shebao.accounts.services import account_create

    other = account_create(
        username="reviewer2",
        password="x" * 10,
        kind="staff",
        display_name="审核员乙",
        office_roles=("is_reviewer",),
    )
    declaration = services.declaration_submit(
        employer=personas.employer_a, item_code="H01", raw=h01_raw(), actor=personas.operator_a, today=TODAY
    )
    services.declaration_claim(declaration=declaration, actor=personas.reviewer)
    for call in (
        lambda: services.declaration_approve(declaration=declaration, actor=other, today=TODAY),
        lambda: services.declaration_reject(declaration=declaration, actor=other, comment="x"),
        lambda: services.declaration_release(declaration=declaration, actor=other),
    ):
        with pytest.raises(TransitionRefused) as refused:
            call()
        assert "审核员甲" in refused.value.message
    assert Declaration.objects.get(pk=declaration.pk).state == State.IN_REVIEW


def test_reject_needs_a_reason_then_revise_and_resubmit(personas):
    employer, operator, reviewer = personas.employer_a, personas.operator_a, personas.reviewer
    declaration = services.declaration_submit(
        employer=employer, item_code="H01", raw=h01_raw(), actor=operator, today=TODAY
    )
    services.declaration_claim(declaration=declaration, actor=reviewer)
    with pytest.raises(Exception) as refused:
        services.declaration_reject(declaration=declaration, actor=reviewer)
    assert "原因" in str(refused.value)
    rejected = services.declaration_reject(
        declaration=declaration, actor=reviewer, reasons=["documents_missing"], comment="请补充劳动合同"
    )
    assert rejected.state == State.REJECTED and rejected.result_unread
    assert rejected.review_comment == "材料不全，请到窗口办理；请补充劳动合同"
    again = services.declaration_submit(
        employer=employer,
        item_code="H01",
        raw=h01_raw(wage="9000"),
        actor=operator,
        today=TODAY,
        declaration=rejected,
    )
    assert again.state == State.SUBMITTED and again.version == 2 and not again.result_unread
    assert list(again.versions.values_list("version", flat=True)) == [1, 2]
    assert again.versions.get(version=1).data["wage"] == "8000.00"
    assert again.versions.get(version=2).data["wage"] == "9000.00"


def test_idempotent_submit_makes_one_declaration(personas):
    employer, operator = personas.employer_a, personas.operator_a
    first = services.declaration_submit(
        employer=employer,
        item_code="H01",
        raw=h01_raw(),
        actor=operator,
        today=TODAY,
        idempotency_key="tok-1",
    )
    second = services.declaration_submit(
        employer=employer,
        item_code="H01",
        raw=h01_raw(),
        actor=operator,
        today=TODAY,
        idempotency_key="tok-1",
    )
    assert first.pk == second.pk and second.replayed
    assert Declaration.objects.filter(employer=employer).count() == 1


def test_take_next_claims_the_oldest(personas):
    from .conftest import NEW_ID

    employer, operator = personas.employer_a, personas.operator_a
    older = services.declaration_submit(
        employer=employer, item_code="H01", raw=h01_raw(), actor=operator, today=TODAY
    )
    services.declaration_submit(
        employer=employer,
        item_code="H04",
        raw={
            "id_number": personas.person_1.id_number,
            "name": "王小明",
            "stop_period": "202612",
            "reason": "11",
        },
        actor=operator,
        today=TODAY,
    )
    taken = services.declaration_take_next(actor=personas.reviewer)
    assert taken.pk == older.pk and taken.state == State.IN_REVIEW
    assert NEW_ID
    assert services.declaration_take_next(actor=personas.reviewer, item_code="H01") is None
