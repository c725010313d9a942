"""Reads of the record for office staff (who may read any person; the office pages check the role)."""

from __future__ import annotations

import re

from django.db.models import QuerySet

from shebao.core.idnumbers import normalize_identifier

from .models import ContributionBase, Coverage, Employment, Person, RecordChange

ID_PREFIX = re.compile(r"^[0-9]{6,17}[0-9X]?$")
SEARCH_LIMIT = 50


def person_search(*, query: str, limit: int = SEARCH_LIMIT) -> list[Person]:
    """Persons by ID number (whole, or its first 6+ characters) or by name prefix; at most `limit` + 1 rows
    (one more than shown tells the page there are more), sorted by name / ID number here.

    The prefix searches read the `varchar_pattern_ops` indexes Django keeps on PostgreSQL for LIKE 'x%' and stop
    after limit + 1 rows. They are deliberately not ORDER BY in SQL: the first 51 of 78,000 persons called 王…
    in collation order cost a sort of all 78,000 (0.4 s at 1,000,000 persons; 4 s when the planner walks the
    name index instead), while any 51 of them come back in milliseconds — the page asks for a longer name
    when there are more."""
    raw = (query or "")[:40]
    term = normalize_identifier(raw)
    if not term:
        return []
    if ID_PREFIX.match(term):
        qs = (
            Person.objects.filter(id_number=term)
            if len(term) == 18
            else Person.objects.filter(id_number__startswith=term)
        )
        return sorted(qs[: limit + 1], key=lambda p: p.id_number)
    name = "".join(raw.split())
    if not name or any(ord(c) < 32 for c in name):
        return []
    return sorted(
        Person.objects.filter(name__startswith=name)[: limit + 1], key=lambda p: (p.name, p.id_number)
    )


def person_employments(*, person) -> list[Employment]:
    """Every employment of the person (newest first) with its employer and coverages."""
    return list(
        Employment.objects.filter(person=person)
        .select_related("employer")
        .prefetch_related("coverages")
        .order_by("-start_period", "-id")
    )


def person_bases(*, person) -> QuerySet[ContributionBase]:
    return ContributionBase.objects.filter(person=person).order_by("-start_period", "employer_id")


def person_changes(*, person, limit: int = 200) -> QuerySet[RecordChange]:
    return (
        RecordChange.objects.filter(person=person)
        .select_related("employer")
        .order_by("-created_at", "-id")[:limit]
    )


def employer_changes(*, employer, limit: int = 200) -> QuerySet[RecordChange]:
    return RecordChange.objects.filter(employer=employer, kind=RecordChange.Kind.EMPLOYER_UPDATED).order_by(
        "-created_at", "-id"
    )[:limit]


def roster_for_office(*, employer, status: str = "") -> QuerySet[Employment]:
    """The employer's employments by status, then name: the order of the index employment_roster_name, so a page
    of a 50,000-person roster is read from the index without sorting the roster."""
    qs = Employment.objects.filter(employer=employer)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("status", "person_name", "id")


def open_coverages(*, employment_ids) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for employment_id, insurance in Coverage.objects.filter(
        employment_id__in=employment_ids, stop_period__isnull=True
    ).values_list("employment_id", "insurance"):
        found.setdefault(employment_id, []).append(insurance)
    return found
