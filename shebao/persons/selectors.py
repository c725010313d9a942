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
    (one more than shown tells the page there are more). Both searches read one index: the ID number's unique
    index and the name index (on PostgreSQL the `varchar_pattern_ops` copies Django keeps for LIKE 'x%')."""
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
        return list(qs.order_by("id_number")[: limit + 1])
    name = "".join(raw.split())
    if not name or any(ord(c) < 32 for c in name):
        return []
    return list(Person.objects.filter(name__startswith=name).order_by("name", "id")[: limit + 1])


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
    qs = Employment.objects.filter(employer=employer)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("person_name", "id")


def open_coverages(*, employment_ids) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for employment_id, insurance in Coverage.objects.filter(
        employment_id__in=employment_ids, stop_period__isnull=True
    ).values_list("employment_id", "insurance"):
        found.setdefault(employment_id, []).append(insurance)
    return found
