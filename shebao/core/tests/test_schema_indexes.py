"""Schema rule: a foreign key whose column already leads a composite index or unique constraint gets no index
of its own. The second index serves no query the first cannot, and every insert pays for it (2 s of a
1,000,000-person settlement for the payables alone)."""

from django.apps import apps
from django.db import models


def _leading_fields(model) -> set[str]:
    leading = set()
    for constraint in model._meta.constraints:
        if (
            isinstance(constraint, models.UniqueConstraint)
            and constraint.fields
            and constraint.condition is None
        ):
            leading.add(constraint.fields[0])
    for index in model._meta.indexes:
        if index.fields and index.condition is None:
            leading.add(index.fields[0].lstrip("-"))
    for fields in model._meta.unique_together:
        leading.add(fields[0])
    return leading


def test_no_foreign_key_index_duplicates_a_composite_one():
    redundant = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model.__module__.startswith("shebao.")
        for field in model._meta.fields
        if isinstance(field, models.ForeignKey) and field.db_index and field.name in _leading_fields(model)
    ]
    assert redundant == [], "add db_index=False to these foreign keys: " + ", ".join(redundant)


def test_the_rule_sees_a_redundant_index():
    from shebao.contributions.models import Payable

    employer = Payable._meta.get_field("employer")
    assert "employer" in _leading_fields(Payable)
    assert employer.db_index is False
