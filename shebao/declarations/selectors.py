"""Reading declarations, always scoped: an employer sees only its own (404 otherwise)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Declaration, State

QUEUE_STATES = (State.SUBMITTED, State.IN_REVIEW)


def declaration_for_employer(*, employer, number: str) -> Declaration:
    declaration = (
        Declaration.objects.filter(employer=employer, number=str(number).strip()[:20])
        .select_related("employer", "claimed_by", "decided_by")
        .first()
    )
    if declaration is None:
        raise Http404
    return declaration


def declarations_for_employer(
    *,
    employer,
    item_code: str = "",
    state: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    search: str = "",
) -> QuerySet[Declaration]:
    """The progress query: every declaration of the employer except drafts' bookkeeping, newest first."""
    qs = Declaration.objects.filter(employer=employer)
    if item_code:
        qs = qs.filter(item_code=item_code)
    if state:
        qs = qs.filter(state=state)
    if date_from:
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(created_at__date__lte=date_to)
    search = (search or "").strip()
    if search:
        qs = qs.filter(
            Q(number=search.upper()) | Q(subject_id_number=search.upper()) | Q(subject_name=search)
        )
    return qs.order_by("-created_at", "-id")


def drafts(*, employer, item_code: str = "") -> QuerySet[Declaration]:
    qs = Declaration.objects.filter(employer=employer, state=State.DRAFT)
    if item_code:
        qs = qs.filter(item_code=item_code)
    return qs.order_by("-updated_at")


def unread_result_count(*, employer) -> int:
    return Declaration.objects.filter(employer=employer, result_unread=True).count()


def state_counts(qs: QuerySet[Declaration]) -> dict[str, int]:
    return {row["state"]: row["n"] for row in qs.order_by().values("state").annotate(n=Count("id"))}


# --- office -------------------------------------------------------------------------------------------------


def review_queue(
    *,
    item_code: str = "",
    employer_query: str = "",
    state: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    mine_user=None,
) -> QuerySet[Declaration]:
    """The review queue, oldest first: submitted and in review unless a state is chosen (drafts never)."""
    qs = Declaration.objects.exclude(state=State.DRAFT).select_related("employer", "claimed_by")
    qs = qs.filter(state=state) if state else qs.filter(state__in=QUEUE_STATES)
    if item_code:
        qs = qs.filter(item_code=item_code)
    employer_query = (employer_query or "").strip()
    if employer_query:
        qs = qs.filter(Q(employer__number=employer_query) | Q(employer__name__contains=employer_query))
    if date_from:
        qs = qs.filter(submitted_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(submitted_at__date__lte=date_to)
    if mine_user is not None:
        qs = qs.filter(claimed_by=mine_user)
    return qs.order_by("submitted_at", "id")


def queue_counts() -> dict:
    """Counts per state and per item (of what is waiting) for the workbench header."""
    per_state = state_counts(Declaration.objects.exclude(state=State.DRAFT))
    per_item = {
        row["item_code"]: row["n"]
        for row in Declaration.objects.filter(state__in=QUEUE_STATES)
        .order_by()
        .values("item_code")
        .annotate(n=Count("id"))
    }
    since = timezone.now() - dt.timedelta(days=7)
    per_day = [
        (row["day"], row["n"])
        for row in Declaration.objects.filter(submitted_at__gte=since)
        .annotate(day=TruncDate("submitted_at"))
        .order_by("-day")
        .values("day")
        .annotate(n=Count("id"))
    ]
    return {"per_state": per_state, "per_item": per_item, "per_day": per_day}


def declaration_for_office(*, number: str) -> Declaration:
    declaration = (
        Declaration.objects.filter(number=str(number).strip()[:20])
        .select_related("employer", "claimed_by", "decided_by", "created_by")
        .first()
    )
    if declaration is None:
        raise Http404
    return declaration


def earlier_declarations(declaration: Declaration, *, limit: int = 20) -> list[Declaration]:
    if not declaration.subject_id_number:
        return []
    return list(
        Declaration.objects.filter(subject_id_number=declaration.subject_id_number)
        .exclude(pk=declaration.pk)
        .exclude(state=State.DRAFT)
        .select_related("employer")
        .order_by("-created_at")[:limit]
    )


# Age buckets of the waiting queue on the reviewer's home: (label, lower bound in days, upper bound or None).
AGE_BUCKETS = ((_("今天"), 0, 1), (_("1–3 天"), 1, 3), (_("3–7 天"), 3, 7), (_("7 天以上"), 7, None))


def reviewer_summary(*, reviewer, now: dt.datetime) -> dict:
    """The reviewer's home: what waits (per item, by age), the oldest waiting declaration, and the reviewer's
    own work today (decided, and claimed but not yet decided)."""
    waiting = Declaration.objects.filter(state__in=QUEUE_STATES)
    ages = {}
    for label, low, high in AGE_BUCKETS:
        qs = waiting.filter(submitted_at__lte=now - dt.timedelta(days=low))
        if high is not None:
            qs = qs.filter(submitted_at__gt=now - dt.timedelta(days=high))
        ages[label] = qs.count()
    per_item = list(
        waiting.order_by()
        .values("item_code")
        .annotate(n=Count("id"), oldest=Min("submitted_at"))
        .order_by("-n")
    )
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    mine_today = Declaration.objects.filter(decided_by=reviewer, decided_at__gte=start_of_day)
    return {
        "waiting": sum(ages.values()),
        "ages": list(ages.items()),
        "per_item": per_item,
        "oldest": waiting.select_related("employer").order_by("submitted_at", "id").first(),
        "decided_today": mine_today.count(),
        "approved_today": mine_today.exclude(state=State.REJECTED).count(),
        "rejected_today": mine_today.filter(state=State.REJECTED).count(),
        "in_my_hands": Declaration.objects.filter(state=State.IN_REVIEW, claimed_by=reviewer).count(),
    }
