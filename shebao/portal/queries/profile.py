"""The individual's own profile (issue 5: individuals see "profile, Q07, Q08, Q09, Q16" scoped to
themselves): their person record, their employments with the insurances covered, and their current base.

Only ever given the acting person (``request.user.person``), so nobody else's record is reachable."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from shebao.core.choices import Insurance
from shebao.persons.models import ContributionBase, Coverage, Employment, Person


@dataclass(frozen=True)
class OwnProfile:
    person: Person
    employments: (
        list  # Employment rows, newest first, each with .covered (its Coverage rows in catalogue order)
    )
    base: ContributionBase | None  # the base in force in the period, at the employer of the open employment


def own_profile(*, person: Person, period: int) -> OwnProfile:
    order = {value: index for index, value in enumerate(Insurance.values)}
    employments = list(
        Employment.objects.filter(person=person)
        .select_related("employer")
        .prefetch_related(Prefetch("coverages", queryset=Coverage.objects.order_by("start_period", "id")))
        .order_by("-start_period", "-id")
    )
    for employment in employments:
        employment.covered = sorted(employment.coverages.all(), key=lambda c: order.get(c.insurance, 9))
    current = next((e for e in employments if e.stop_period is None), employments[0] if employments else None)
    base = None
    if current is not None:
        base = (
            ContributionBase.objects.filter(
                person=person, employer_id=current.employer_id, start_period__lte=period
            )
            .order_by("-start_period", "-id")
            .first()
        )
    return OwnProfile(person=person, employments=employments, base=base)
