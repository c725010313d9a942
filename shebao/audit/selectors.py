from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from shebao.accounts.models import OFFICE_ROLE_LABELS, UserKind

from .models import PersonalDataAccess


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def access_search(
    *,
    person=None,
    username: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[PersonalDataAccess]:
    """The access log, newest first, by person, staff user name and/or day range (both days included)."""
    qs = PersonalDataAccess.objects.select_related("person", "employer").order_by("-at", "-id")
    if person is not None:
        qs = qs.filter(person=person)
    if username:
        qs = qs.filter(username=username)
    if date_from:
        qs = qs.filter(at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(at__lt=_day_start(date_to + dt.timedelta(days=1)))
    return qs


def role_labels(codes: str) -> str:
    return "、".join(str(OFFICE_ROLE_LABELS[c]) for c in codes.split(",") if c in OFFICE_ROLE_LABELS)


def office_looks_at(*, person, limit: int = 100) -> list[dict]:
    """For the person themselves (/portal/me/): when staff read their record and in which office roles —
    never who."""
    rows = (
        PersonalDataAccess.objects.filter(person=person, user_kind=UserKind.STAFF)
        .order_by("-at", "-id")
        .values("at", "roles", "action")[:limit]
    )
    return [{"at": r["at"], "roles": role_labels(r["roles"]), "action": r["action"]} for r in rows]
