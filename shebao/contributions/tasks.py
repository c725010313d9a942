"""Background tasks (django-tasks): the settlement run and large arrival files, queued from the office pages."""

from django_tasks import task

from .models import ArrivalImport, SettlementRun
from .services import arrivals_import_execute, settlement_execute, settlement_marks_process


@task()
def settlement_run_task(run_id: int) -> dict:
    """Execute a queued SettlementRun (created by services.settlement_start) and return its result."""
    run = settlement_execute(run=SettlementRun.objects.get(pk=run_id))
    return {"run": run.pk, "status": run.status, "lines": run.lines_written, "message": run.message}


@task()
def settlement_marks_task(employer_id: int, periods: list[int]) -> dict:
    """Re-settle an employer's marked open periods at once after an approved record change (money.md)."""
    runs = settlement_marks_process(employer_ids=[employer_id], periods=periods)
    return {"runs": [r.pk for r in runs], "status": [r.status for r in runs]}


@task()
def arrivals_import_task(job_id: int) -> dict:
    """Import a large bank file kept by services.arrivals_import_queue."""
    job = arrivals_import_execute(job=ArrivalImport.objects.get(pk=job_id))
    return {"job": job.pk, "status": job.status, "created": job.created, "errors": len(job.errors)}
