"""Who is asking: an employer user queries its own employees, an individual only themselves.

Every query page resolves its subject here, so scoping happens in one place: an employer never reaches a
person who never worked for it, an individual never reaches anyone else (whatever ID number they pass).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from shebao.accounts.models import UserKind
from shebao.core.errors import DomainError
from shebao.persons.models import Employment, Person


class PersonNotFound(DomainError):
    pass


@dataclass(frozen=True)
class Scope:
    """The acting employer (employer users) or the acting person (individual users)."""

    employer: object | None = None
    person: object | None = None

    @property
    def is_individual(self) -> bool:
        return self.person is not None


def scope_of(request) -> Scope:
    user = request.user
    if user.kind == UserKind.EMPLOYER and user.employer_id:
        return Scope(employer=user.employer)
    if user.kind == UserKind.INDIVIDUAL and user.person_id:
        return Scope(person=user.person)
    raise PermissionDenied(_("此查询仅供单位用户或个人用户使用。"))


def employer_of(request):
    """The acting employer; an individual or anyone else gets 403 (pages only for employers)."""
    scope = scope_of(request)
    if scope.employer is None:
        raise PermissionDenied(_("此查询仅供单位用户使用。"))
    return scope.employer


def employee_lookup(*, employer, id_number: str, name: str = "") -> Person:
    """A person who is or was employed by `employer`, by ID number (and name, if given).

    Anyone else is 'not found' — the same words whether the number exists elsewhere or not."""
    not_found = PersonNotFound(
        _("本单位没有身份证号为 %(id)s 的参保职工。") % {"id": id_number}, field="id_number"
    )
    if not id_number:
        raise PersonNotFound(_("请输入职工的公民身份号码。"), field="id_number")
    person = (
        Person.objects.filter(
            id_number=id_number,
            pk__in=Employment.objects.filter(employer=employer).values("person_id"),
        )
        .only("id", "id_number", "name", "gender", "birth_date")
        .first()
    )
    if person is None:
        raise not_found
    if name and name.strip() != person.name:
        raise PersonNotFound(
            _("身份证号 %(id)s 与姓名「%(name)s」不符，请核对。")
            % {"id": id_number, "name": name.strip()[:30]},
            field="name",
        )
    return person


def employee_by_name(*, employer, name: str) -> Person:
    """The employee of `employer` (now or before) with this name, when exactly one has it."""
    name = name.strip()
    ids = list(
        Employment.objects.filter(employer=employer, person_name=name)
        .values_list("person_id", flat=True)
        .distinct()[:2]
    )
    if not ids:
        raise PersonNotFound(
            _("本单位没有姓名为「%(name)s」的参保职工。") % {"name": name[:30]}, field="name"
        )
    if len(ids) > 1:
        count = (
            Employment.objects.filter(employer=employer, person_name=name)
            .values("person_id")
            .distinct()
            .count()
        )
        raise PersonNotFound(
            _("本单位有 %(count)d 名职工姓名为「%(name)s」，请同时输入公民身份号码。")
            % {"count": count, "name": name[:30]},
            field="id_number",
        )
    return Person.objects.only("id", "id_number", "name", "gender", "birth_date").get(pk=ids[0])


def subject_person(request, inputs) -> tuple[Person | None, str | None]:
    """The person a personal query (Q07, Q08, Q09) is about, and an error message if none.

    An individual always gets themselves (their ID number input is ignored); an employer user gets the
    employee whose ID number (and name) they entered — or whose name alone, when one employee has it — or a
    'not found' message."""
    scope = scope_of(request)
    if scope.is_individual:
        return scope.person, None
    id_number = inputs.id_number("id_number")
    name = inputs.text("name", max_length=30)
    if not id_number and name:
        try:
            person = employee_by_name(employer=scope.employer, name=name)
        except PersonNotFound as exc:
            return None, exc.message
        inputs.values["id_number"] = person.id_number
        return person, None
    if not id_number:
        return None, None
    try:
        return employee_lookup(employer=scope.employer, id_number=id_number, name=name), None
    except PersonNotFound as exc:
        return None, exc.message
