from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from .models import PersonalDataAccess


def access_record(
    *,
    user,
    action: str,
    what: str,
    path: str,
    person_id: int | None = None,
    employer_id: int | None = None,
    person_count: int = 0,
    acting: bool = False,
    ip: str | None = None,
) -> PersonalDataAccess:
    """Append one access row (only audit.middleware calls this)."""
    return PersonalDataAccess.objects.create(
        user=user,
        username=user.username[:150],
        user_kind=user.kind,
        roles=",".join(user.office_roles)[:200],
        action=action,
        what=str(what)[:200],
        path=path[:300],
        person_id=person_id,
        employer_id=employer_id,
        person_count=max(person_count, 1 if person_id else 0),
        acting=acting,
        ip=ip,
    )


@transaction.atomic
def access_log_purge(*, now: dt.datetime, retention_days: int | None = None) -> int:
    """Delete the rows older than the retention period (SHEBAO_ACCESS_LOG_RETENTION_DAYS); the number deleted."""
    days = settings.SHEBAO_ACCESS_LOG_RETENTION_DAYS if retention_days is None else retention_days
    if days <= 0:
        raise ValueError("retention must be at least one day")
    deleted, _ = PersonalDataAccess.objects.filter(at__lt=now - dt.timedelta(days=days)).delete()
    return deleted
