"""Batch import, the reads: always scoped by the acting employer (another employer's batch is a 404); the
office's batch view of the review queue."""

from __future__ import annotations

from django.db.models import Count, Min, Q, QuerySet
from django.http import Http404

from shebao.employers.models import Employer

from ..models import Declaration, ImportBatch, ImportRow, State
from ..selectors import QUEUE_STATES


def batch_for_employer(*, employer, number: str) -> ImportBatch:
    batch = ImportBatch.objects.defer("content").filter(employer=employer, number=_number(number)).first()
    if batch is None:
        raise Http404
    return batch


def _number(value) -> str:
    """A batch number as typed or linked: printable characters only (PostgreSQL refuses NUL in a query)."""
    return "".join(c for c in str(value or "") if c.isprintable()).strip().upper()[:24]


def batch_content(*, batch: ImportBatch) -> bytes:
    return bytes(ImportBatch.objects.filter(pk=batch.pk).values_list("content", flat=True).first() or b"")


def batches_for_employer(*, employer, limit: int = 20) -> QuerySet[ImportBatch]:
    """The employer's recent uploads, newest first (the batch page and the progress query list them)."""
    return (
        ImportBatch.objects.defer("content").filter(employer=employer).order_by("-created_at", "-id")[:limit]
    )


def batch_rows(*, batch: ImportBatch, accepted: bool | None = None) -> QuerySet[ImportRow]:
    qs = ImportRow.objects.filter(batch=batch)
    if accepted is not None:
        qs = qs.filter(accepted=accepted)
    return qs.order_by("line")


def batch_declaration_counts(*, batch: ImportBatch) -> dict[str, int]:
    return {
        row["state"]: row["n"]
        for row in Declaration.objects.filter(employer_id=batch.employer_id, batch_number=batch.number)
        .order_by()
        .values("state")
        .annotate(n=Count("id"))
    }


# --- office -------------------------------------------------------------------------------------------------


def review_batches(*, item_code: str = "", employer_query: str = "") -> list[dict]:
    """The batches with declarations waiting for review, one line each with its counts, oldest first."""
    qs = Declaration.objects.exclude(batch_number="")
    if item_code:
        qs = qs.filter(item_code=item_code)
    employer_query = (employer_query or "").strip()
    if employer_query:
        qs = qs.filter(Q(employer__number=employer_query) | Q(employer__name__contains=employer_query))
    waiting = list(
        qs.filter(state__in=QUEUE_STATES)
        .order_by()
        .values("batch_number", "employer_id", "item_code")
        .annotate(
            waiting=Count("id"),
            in_review=Count("id", filter=Q(state=State.IN_REVIEW)),
            oldest=Min("submitted_at"),
        )
        .order_by("oldest")[:200]
    )
    if not waiting:
        return []
    totals = {
        row["batch_number"]: row
        for row in Declaration.objects.filter(batch_number__in=[w["batch_number"] for w in waiting])
        .order_by()
        .values("batch_number")
        .annotate(
            total=Count("id"),
            approved=Count(
                "id", filter=Q(state__in=(State.APPROVED, State.AWAITING_COUNTER, State.COMPLETED))
            ),
            rejected=Count("id", filter=Q(state=State.REJECTED)),
        )
    }
    employers = Employer.objects.in_bulk({w["employer_id"] for w in waiting})
    for w in waiting:
        w.update(totals.get(w["batch_number"], {}))
        w["employer"] = employers.get(w["employer_id"])
    return waiting


def batch_declarations(*, batch_number: str) -> QuerySet[Declaration]:
    """The declarations of one batch (office), in file order."""
    return (
        Declaration.objects.filter(batch_number=_number(batch_number))
        .exclude(batch_number="")
        .exclude(state=State.DRAFT)
        .select_related("employer", "claimed_by")
        .order_by("id")
    )


def current_wages(*, employer, id_numbers: list[str]) -> dict:
    """ID number → the wage now declared at this employer (the latest base row), for H07's template."""
    from shebao.persons.models import ContributionBase

    wages = {}
    for start in range(0, len(id_numbers), 2000):
        for number, wage in (
            ContributionBase.objects.filter(
                employer=employer, person__id_number__in=id_numbers[start : start + 2000]
            )
            .order_by("person_id", "start_period")
            .values_list("person__id_number", "declared_wage")
        ):
            wages[number] = wage  # the latest start wins
    return wages


def prefill_rows(*, employer, layout, today) -> list[dict]:
    """H07's template rows: every active employee (the item's own table rows) with the wage now declared, for
    reference."""
    rows = layout.definition.table_rows(employer, today)
    wages = current_wages(employer=employer, id_numbers=[r["id_number"] for r in rows])
    for row in rows:
        wage = wages.get(row["id_number"])
        if wage is not None:
            row["_info"] = f"{wage:.2f}"
    return rows
