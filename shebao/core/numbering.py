"""Rows numbered "the highest existing number + 1" (单位编号, 工伤案件编号): safe when two writers draw at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, transaction

from .errors import DomainError

T = TypeVar("T")
ATTEMPTS = 5


def create_numbered(
    *,
    draw: Callable[[], str],
    create: Callable[[str], T],
    taken: Callable[[str], bool],
    exhausted: str,
    attempts: int = ATTEMPTS,
) -> T:
    """`create(number)` with `number = draw()`. Two writers at once draw the same number; the second insert fails
    on the unique number inside a savepoint (the caller's transaction stays usable on SQLite and PostgreSQL) and
    draws again. An IntegrityError with the number still free is some other constraint: re-raised for the caller.
    After `attempts` clashes a DomainError with the `exhausted` message."""
    for _attempt in range(attempts):
        number = draw()
        try:
            with transaction.atomic():
                return create(number)
        except IntegrityError:
            if not taken(number):
                raise
    raise DomainError(exhausted, code="conflict")
