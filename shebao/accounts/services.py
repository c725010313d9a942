"""Writing accounts: every account is created, changed and reset through these functions."""

from __future__ import annotations

import secrets
import string

from django.db import transaction

from shebao.declarations.catalogue import default_grants

from .models import ItemGrant, User, UserKind

PASSWORD_ALPHABET = string.ascii_letters + string.digits


def generate_password(length: int = 10) -> str:
    """A first password with letters and digits (never ambiguous 0/O or 1/l)."""
    alphabet = [c for c in PASSWORD_ALPHABET if c not in "0O1lI"]
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if any(c.isdigit() for c in candidate) and any(c.isalpha() for c in candidate):
            return candidate


def grants_set(*, user: User, item_codes: list[str]) -> None:
    """Replace the user's item grants with exactly item_codes."""
    ItemGrant.objects.filter(user=user).exclude(item_code__in=item_codes).delete()
    existing = set(ItemGrant.objects.filter(user=user).values_list("item_code", flat=True))
    ItemGrant.objects.bulk_create(ItemGrant(user=user, item_code=c) for c in item_codes if c not in existing)
    user._granted_codes = None


@transaction.atomic
def account_create(
    *,
    username: str,
    password: str,
    kind: str,
    employer=None,
    person=None,
    display_name: str = "",
    is_employer_admin: bool = False,
    office_roles: tuple[str, ...] = (),
    item_codes: list[str] | None = None,
    must_change_password: bool = True,
) -> User:
    user = User(
        username=username,
        kind=kind,
        employer=employer,
        person=person,
        display_name=display_name,
        is_employer_admin=is_employer_admin,
        must_change_password=must_change_password,
    )
    for role in office_roles:
        setattr(user, role, True)
    user.set_password(password)
    user.save()
    if kind != UserKind.STAFF:
        grants_set(user=user, item_codes=item_codes if item_codes is not None else default_grants(kind))
    return user
