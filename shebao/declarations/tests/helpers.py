"""Driving a declaration through review in tests."""

from shebao.declarations import services

from .conftest import TODAY


def submit(personas, code, raw, *, employer=None, actor=None):
    return services.declaration_submit(
        employer=employer or personas.employer_a,
        item_code=code,
        raw=raw,
        actor=actor or personas.operator_a,
        today=TODAY,
    )


def approve(personas, declaration, *, today=TODAY):
    claimed = services.declaration_claim(declaration=declaration, actor=personas.reviewer)
    return services.declaration_approve(declaration=claimed, actor=personas.reviewer, today=today)


def submit_and_approve(personas, code, raw, **kwargs):
    return approve(personas, submit(personas, code, raw, **kwargs))


def errors_of(code, raw, personas, *, employer=None, today=TODAY):
    from shebao.declarations.items import definition_for

    evaluation = definition_for(code).evaluate(raw, employer=employer or personas.employer_a, today=today)
    return evaluation.field_errors
