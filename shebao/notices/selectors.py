from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from .models import Notice


def notices_current(*, today: dt.date, limit: int = 10) -> QuerySet[Notice]:
    """The notices in force on `today`, newest first."""
    return (
        Notice.objects.filter(withdrawn_at__isnull=True, starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .order_by("-starts_on", "-id")[:limit]
    )


def notices_all() -> QuerySet[Notice]:
    return Notice.objects.select_related("published_by").order_by("-starts_on", "-id")
