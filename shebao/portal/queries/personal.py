"""The common frame of the personal queries (Q07, Q08, Q09): who the subject is, and the page context."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .inputs import Inputs
from .scope import scope_of, subject_person


def personal_subject(request) -> tuple[Inputs, object, object, dict]:
    """(inputs, scope, person or None, context): an individual is always their own subject; an employer
    user names an employee (ID number, optional name) and gets 'not found' for anyone else."""
    scope = scope_of(request)
    inputs = Inputs.from_request(request)
    person, error = subject_person(request, inputs)
    if error:
        inputs.errors["id_number"] = error
    context = {"subject_is_self": scope.is_individual, "person": person}
    if person is None and not error and not scope.is_individual:
        context["prompt"] = _("请输入职工的公民身份号码，或本单位唯一的职工姓名，后查询。")
    return inputs, scope, person, context
