"""What the current request read about persons, noted by the selectors that read it.

The selectors that hand persons' data to a page (the office record lookup, the portal's query scope and
listings) call ``note_*``; ``audit.middleware.PersonalDataAccessMiddleware`` opens a note for each request and
writes one access row when the request is done. Nothing else writes the access log.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class Note:
    persons: set[int] = field(default_factory=set)
    employer_id: int | None = None
    count: int = 0  # persons in a list or export whose ids are not kept one by one
    what: str = ""
    action: str = ""  # an explicit action ("export", "print") when the URL does not say it

    @property
    def person_count(self) -> int:
        return max(len(self.persons), self.count)

    @property
    def empty(self) -> bool:
        return not self.persons and not self.count and self.employer_id is None


_current: ContextVar[Note | None] = ContextVar("shebao_access_note", default=None)


def begin() -> object:
    return _current.set(Note())


def end(token) -> None:
    _current.reset(token)


def current() -> Note | None:
    return _current.get()


def note_person(person_id: int | None, *, what: str = "") -> None:
    note = _current.get()
    if note is not None and person_id is not None:
        note.persons.add(person_id)
        if what and not note.what:
            note.what = str(what)


def note_persons(count: int, *, employer_id: int | None = None, what: str = "") -> None:
    """A list of `count` persons (a roster page, an export) was read, of one employer if given."""
    note = _current.get()
    if note is None:
        return
    note.count = max(note.count, int(count))
    if employer_id is not None and note.employer_id is None:
        note.employer_id = employer_id
    if what and not note.what:
        note.what = str(what)


def note_employer(employer_id: int, *, what: str = "") -> None:
    note = _current.get()
    if note is not None and note.employer_id is None:
        note.employer_id = employer_id
    if note is not None and what and not note.what:
        note.what = str(what)


def note_action(action: str) -> None:
    note = _current.get()
    if note is not None:
        note.action = action
